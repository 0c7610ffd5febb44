"""PDF from .xlsx through LibreOffice (soffice --headless --convert-to pdf): it lays out the
sheets by their own page setup (A4 landscape, print titles, page numbers, row heights), so the
PDF and the paper printed from the .xlsx are the same pages. One soffice run converts every file
of a package; each run has a profile directory of its own, so concurrent runs never share one."""
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..errors import ApiError

TIMEOUT_SECONDS = 180


class PdfUnavailable(ApiError):
    def __init__(self, detail=""):
        super().__init__(503, "pdf_unavailable",
                         _("PDF files cannot be made on this server: LibreOffice (soffice) is "
                           "missing or failed. Ask the administrator to install libreoffice-calc.")
                         + (f" ({detail})" if detail else ""))


def converter():
    return shutil.which(current_app.config.get("SOFFICE_BINARY") or "soffice")


def xlsx_to_pdf(workbooks):
    """{name: xlsx bytes} → {name: pdf bytes}; PdfUnavailable when soffice is missing or fails."""
    binary = converter()
    if binary is None:
        raise PdfUnavailable()
    if not workbooks:
        return {}
    with tempfile.TemporaryDirectory(prefix="lwpwa-pdf-") as work:
        work = Path(work)
        sources = []
        for index, (name, data) in enumerate(workbooks.items()):
            path = work / f"{index:04d}.xlsx"
            path.write_bytes(data)
            sources.append((name, path))
        command = [binary, "--headless", "--norestore", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--convert-to", "pdf", "--outdir", str(work / "out"), *(str(p) for _n, p in sources)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PdfUnavailable(exc.__class__.__name__) from exc
        out = {}
        for name, path in sources:
            pdf = work / "out" / (path.stem + ".pdf")
            if not pdf.exists():
                raise PdfUnavailable(_("no PDF for %(name)s", name=name))
            out[name] = pdf.read_bytes()
        return out
