"""Rendering and measuring printed pages: LibreOffice for .xlsx, pdftotext -bbox for what is on
each page (word boxes in points), so tests can say "no text under 9 pt, nothing overlaps"."""
import re
import subprocess
from html import unescape
from pathlib import Path

A4_LANDSCAPE = (841.89, 595.28)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def xlsx_to_pdf(xlsx_bytes, workdir):
    workdir = Path(workdir)
    source = workdir / "table.xlsx"
    source.write_bytes(xlsx_bytes)
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(workdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    return (workdir / "table.pdf").read_bytes()


def pdf_pages(pdf_bytes, workdir):
    """[(width, height, [(x0, y0, x1, y1, text)])] per page."""
    path = Path(workdir) / "measure.pdf"
    path.write_bytes(pdf_bytes)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [(float(w), float(h), [(float(a), float(b), float(c), float(d), unescape(t))
                                  for a, b, c, d, t in WORD.findall(body)])
            for w, h, body in PAGE.findall(html)]


def overlaps(words, tolerance=0.5, inset=0.15):
    """Pairs of word boxes that overlap by more than `tolerance` points both ways. A box is the
    font's whole height (ascent to descent), so the lines of one wrapped cell touch by a point or
    two; `inset` of the height is taken off top and bottom to compare the glyphs' bodies."""
    found = []
    ordered = sorted((x0, y0 + (y1 - y0) * inset, x1, y1 - (y1 - y0) * inset, text)
                     for x0, y0, x1, y1, text in words)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b[0] >= a[2] - tolerance:
                break
            if min(a[2], b[2]) - max(a[0], b[0]) > tolerance and min(a[3], b[3]) - max(a[1], b[1]) > tolerance:
                found.append((a, b))
    return found
