"""PDF from .xlsx through LibreOffice (soffice --headless --convert-to pdf): it lays out the
sheets by their own page setup (A4 landscape, print titles, page numbers, row heights), so the
PDF and the paper printed from the .xlsx are the same pages. One soffice run converts every file
of a package; each run has a profile directory of its own, so concurrent runs never share one."""
import hashlib
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..errors import ApiError
from . import storage

TIMEOUT_SECONDS = 180


class PdfUnavailable(ApiError):
    def __init__(self, detail=""):
        super().__init__(503, "pdf_unavailable",
                         _("PDF files cannot be made on this server: LibreOffice (soffice) is "
                           "missing or failed. Ask the administrator to install libreoffice-calc.")
                         + (f" ({detail})" if detail else ""))


def converter():
    return shutil.which(current_app.config.get("SOFFICE_BINARY") or "soffice")


def content_key(xlsx):
    """A digest of what a workbook shows: every part of the file but its document properties
    (openpyxl stamps the time of writing there), so the same table gives the same key."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in sorted(archive.namelist()):
            if not name.startswith("docProps/"):
                digest.update(name.encode() + b"\0" + archive.read(name))
    return digest.hexdigest()


def cached(key):
    path = storage.root() / "pdf-cache" / f"{key}.pdf"
    return path, (path.read_bytes() if path.exists() else None)


def xlsx_to_pdf(workbooks):
    """{name: xlsx bytes} → {name: pdf bytes}; PdfUnavailable when soffice is missing or fails.
    PDFs are kept by the workbook's content key: a package built again (the draft, then the
    hand-in) converts only what changed since."""
    out, missing = {}, {}
    for name, data in workbooks.items():
        key = content_key(data)
        path, pdf = cached(key)
        if pdf is None:
            missing[name] = (data, path)
        else:
            out[name] = pdf
    if not missing:
        return out
    binary = converter()
    if binary is None:
        raise PdfUnavailable()
    with tempfile.TemporaryDirectory(prefix="lwpwa-pdf-") as work:
        work = Path(work)
        sources = []
        for index, (name, (data, cache_path)) in enumerate(missing.items()):
            path = work / f"{index:04d}.xlsx"
            path.write_bytes(data)
            sources.append((name, path, cache_path))
        command = [binary, "--headless", "--norestore", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--convert-to", "pdf", "--outdir", str(work / "out"), *(str(p) for _n, p, _c in sources)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PdfUnavailable(exc.__class__.__name__) from exc
        for name, path, cache_path in sources:
            pdf = work / "out" / (path.stem + ".pdf")
            if not pdf.exists():
                raise PdfUnavailable(_("no PDF for %(name)s", name=name))
            out[name] = pdf.read_bytes()
            storage.write(cache_path, out[name])
    return out
