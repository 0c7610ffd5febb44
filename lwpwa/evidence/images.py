"""Photos as the server stores them: checked to be an image by their content (never their name),
turned upright, at most 1600 px on the long side, re-encoded as JPEG without any metadata (EXIF,
GPS, XMP, comments), whatever the phone already stripped."""
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
MAX_PIXELS = 50_000_000  # a larger picture is no phone photo, but a decompression bomb
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}
QUALITY = 85


class NotAnImage(ValueError):
    pass


def clean_photo(data):
    """(jpeg bytes, width, height) of an upload, or NotAnImage."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS or image.width * image.height > MAX_PIXELS:
                raise NotAnImage(image.format)
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NotAnImage(str(exc)) from exc
    image = ImageOps.exif_transpose(image)  # the orientation tag goes: apply it first
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh encode with no exif=, icc_profile= or comment= carries no metadata at all.
    image.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue(), image.width, image.height
