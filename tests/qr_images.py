"""Reading back the QR images the server makes: PNG with zxing-cpp, SVG by painting its path."""
import io
import re
import xml.etree.ElementTree as ET

import zxingcpp
from PIL import Image, ImageDraw

SVG_NS = "{http://www.w3.org/2000/svg}"
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z")


def decode_png(data):
    """Every QR code text found in a PNG, with its error correction level."""
    image = Image.open(io.BytesIO(data))
    return [(result.text, result.ec_level) for result in zxingcpp.read_barcodes(image)
            if result.format == zxingcpp.BarcodeFormat.QRCode]


def svg_modules(markup):
    """The module grid an SVG draws, checked for the shape the server promises: a square
    viewBox in modules, a white background, one black path of horizontal runs, no style."""
    root = ET.fromstring(markup)
    assert root.tag == SVG_NS + "svg"
    for element in root.iter():
        assert "style" not in element.attrib, "inline styles are blocked by the page's CSP"
    x0, y0, width, height = (int(v) for v in root.attrib["viewBox"].split())
    assert (x0, y0) == (0, 0) and width == height
    background = root.find(SVG_NS + "rect")
    assert background.attrib["fill"] == "#fff"
    assert (background.attrib["width"], background.attrib["height"]) == (str(width), str(width))
    path = root.find(SVG_NS + "path")
    assert path.attrib["fill"] == "#000"
    d = path.attrib["d"]
    runs = RUN.findall(d)
    assert "".join(f"M{x} {y}h{w}v1h-{w2}z" for x, y, w, w2 in runs) == d, "only plain runs"
    grid = [[False] * width for _ in range(width)]
    for x, y, w, w2 in runs:
        assert w == w2
        for dx in range(int(w)):
            grid[int(y)][int(x) + dx] = True
    return grid


def rasterize_svg(markup, scale=8):
    """Paint the SVG's modules into a PNG, as a renderer would, at `scale` pixels a module."""
    grid = svg_modules(markup)
    n = len(grid)
    image = Image.new("L", (n * scale, n * scale), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(grid):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle([x * scale, y * scale, (x + 1) * scale - 1, (y + 1) * scale - 1], fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def quiet_zone(grid):
    """How many light modules surround the symbol on every side."""
    n = len(grid)
    dark = [(x, y) for y in range(n) for x in range(n) if grid[y][x]]
    xs, ys = [x for x, _y in dark], [y for _x, y in dark]
    return min(min(xs), min(ys), n - 1 - max(xs), n - 1 - max(ys))
