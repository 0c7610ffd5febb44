"""The app icon, drawn with Pillow: a stylised QR finder pattern and a check mark, high contrast."""
import io
from functools import lru_cache

from PIL import Image, ImageDraw

BACKGROUND = (11, 61, 145)  # deep blue, the app's theme colour
FOREGROUND = (255, 255, 255)
ACCENT = (255, 196, 0)


@lru_cache(maxsize=4)
def icon_png(size):
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    unit = size / 16
    # Three finder patterns, as on every QR code, inside the maskable safe zone (80 %).
    for x, y in ((3, 3), (9, 3), (3, 9)):
        box = [x * unit, y * unit, (x + 4) * unit, (y + 4) * unit]
        draw.rectangle(box, fill=FOREGROUND)
        draw.rectangle([box[0] + unit * 0.7, box[1] + unit * 0.7, box[2] - unit * 0.7, box[3] - unit * 0.7],
                       fill=BACKGROUND)
        draw.rectangle([box[0] + unit * 1.4, box[1] + unit * 1.4, box[2] - unit * 1.4, box[3] - unit * 1.4],
                       fill=FOREGROUND)
    # A check mark where the fourth finder would be: "signed in".
    width = max(2, round(unit * 0.9))
    draw.line([(9.3 * unit, 11.2 * unit), (10.6 * unit, 12.6 * unit), (12.9 * unit, 9.6 * unit)],
              fill=ACCENT, width=width, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
