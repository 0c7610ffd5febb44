"""QR images of sign-in codes, PNG and SVG, drawn from one module matrix.

Error correction level Q restores up to about a quarter of the symbol, enough for a creased
printout or a cracked phone screen; the quiet zone is the 4 modules the standard asks for, so
scanners find the symbol on a busy page. A 17-character code fits version 2 (25×25 modules) in
alphanumeric mode, so a module stays large even on a small card.

The SVG is plain markup (one path, `fill` attributes, no `style`), so it can be served as a
file or placed inline in a page whose Content-Security-Policy forbids inline styles.
"""
import io

import qrcode
from PIL import Image

QUIET_ZONE = 4
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
MIN_SIZE, MAX_SIZE, DEFAULT_SIZE = 100, 2000, 400  # pixels, for ?size=


def matrix(code):
    """Rows of booleans (True = dark), including the quiet zone."""
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    symbol.add_data(code)
    symbol.make(fit=True)
    return symbol.get_matrix()


def module_scale(modules, size):
    """Whole pixels per module (never blurred) so that the image is at most `size` wide."""
    return max(1, size // modules)


def png(code, size=DEFAULT_SIZE):
    rows = matrix(code)
    n = len(rows)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in rows for dark in row])
    scale = module_scale(n, size)
    image = small.resize((n * scale, n * scale), Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def svg_path(rows):
    """One path of horizontal runs of dark modules, in module units."""
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return "".join(parts)


def svg(code, size=None, label=None):
    """The QR code as an SVG document; `size` sets its width and height in pixels (else it
    scales to its container); `label` becomes the accessible name."""
    rows = matrix(code)
    n = len(rows)
    dimensions = f' width="{size}" height="{size}"' if size else ""
    title = f"<title>{_escape(label)}</title>" if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{dimensions} '
        f'shape-rendering="crispEdges" role="img" class="qr">{title}'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path d="{svg_path(rows)}" fill="#000"/></svg>'
    )


def _escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
