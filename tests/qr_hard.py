"""A harder set of camera frames than ../shared/qr-samples/, made at test time from a seed.

Every frame is 640×480 grayscale and shows one printed card as the app really prints it: a
sign-in code in the project's format (16 Crockford base32 characters and the check character),
drawn by `lwpwa.residents.qr.matrix` (version 2, level Q, 4-module quiet zone), turned to any
angle and seen in perspective, on a cluttered background. Then one or several of what a phone
at a busy door adds:

- motion blur of 11 to 16 px in a random direction (a hand moving during the exposure);
- sensor noise, Gaussian, σ 40 to 52 (a dim hall, a cheap sensor);
- print contrast below 0.2 (a worn ink-jet, grey toner): (light − dark) / light from 0.12 to 0.19.

Frames with no code at all (clutter, noise, blur) are mixed in: nothing may be read in them.
The same seed always gives the same frames (Python's own `random`, no NumPy); `python
tests/qr_hard.py DIR` writes them as PNG files with a manifest to look at.
"""
import math
import random
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageMath

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lwpwa.residents import codes, qr  # noqa: E402

SEED = 20261201
SIZE = (640, 480)
SUPERSAMPLE = 2  # the card is drawn at twice the size and averaged down, as a lens would
NOISE_TILE = 1024

# Each category: which harms, at which strengths (ranges drawn uniformly per frame).
MODULE = (9.0, 12.0)         # pixels per module: a card held up to the phone, 15–25 cm away
BLUR = (11.0, 16.0)           # motion blur length in pixels
NOISE = (40.0, 52.0)          # σ of the Gaussian sensor noise, in grey levels
LOW_CONTRAST = (0.12, 0.19)   # print contrast signal (light − dark) / light
CATEGORIES = {
    "blur": {"blur": BLUR},
    "noise": {"noise": NOISE},
    "low-contrast": {"contrast": LOW_CONTRAST},
    "blur+noise": {"blur": (11.0, 13.0), "noise": (40.0, 44.0)},
    "blur+low-contrast": {"blur": (11.0, 13.0), "contrast": (0.16, 0.19)},
    "noise+low-contrast": {"noise": (40.0, 42.0), "contrast": (0.17, 0.19)},
    "blur+noise+low-contrast": {"blur": (11.0, 12.0), "noise": (40.0, 41.0), "contrast": (0.18, 0.19)},
}
NEGATIVE = "no-code"


@dataclass
class HardFrame:
    name: str
    category: str
    code: str            # the text the frame must decode to; "" when nothing may be found
    image: Image.Image   # mode "L", 640×480
    params: dict = field(default_factory=dict)

    def gray_bytes(self):
        return self.image.tobytes()


def seeded_code(rng):
    body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
    return body + codes.check_character(body)


def _noise_tile(seed):
    """A tile of N(0, 1) samples, cropped at a new place for every frame (fast and seeded)."""
    rng = random.Random(seed)
    values = array("f", (rng.gauss(0.0, 1.0) for _ in range(NOISE_TILE * NOISE_TILE)))
    return Image.frombytes("F", (NOISE_TILE, NOISE_TILE), values.tobytes())


def _background(rng):
    """A grey wall or table with a gradient and a few objects: edges that are not a code."""
    w, h = SIZE[0] * SUPERSAMPLE, SIZE[1] * SUPERSAMPLE
    base = rng.uniform(70, 170)
    gradient = Image.linear_gradient("L").resize((w, h)).rotate(rng.uniform(0, 360))
    scene = Image.new("L", (w, h), int(base))
    scene = Image.blend(scene, gradient, rng.uniform(0.1, 0.3))
    draw = ImageDraw.Draw(scene)
    for _ in range(rng.randint(3, 8)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        dx, dy = rng.uniform(40, 400), rng.uniform(20, 300)
        draw.rectangle([x, y, x + dx, y + dy], fill=int(rng.uniform(30, 230)))
    for _ in range(rng.randint(0, 4)):
        y = rng.uniform(0, h)
        draw.line([0, y, w, y + rng.uniform(-200, 200)], fill=int(rng.uniform(20, 240)), width=rng.randint(2, 12))
    return scene


def _card_corners(rng, side):
    """Where the card's four corners land in the frame: turned, tilted, off-centre."""
    cx = SIZE[0] / 2 + rng.uniform(-90, 90)
    cy = SIZE[1] / 2 + rng.uniform(-60, 60)
    angle = rng.uniform(0, 2 * math.pi)
    tilt = rng.uniform(0.0, 0.25)          # foreshortening along one axis
    tilt_axis = rng.uniform(0, math.pi)
    corners = []
    for ux, uy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = ux * side / 2, uy * side / 2
        # perspective: the far edge shrinks
        along = x * math.cos(tilt_axis) + y * math.sin(tilt_axis)
        shrink = 1 - tilt * along / side
        x, y = x * shrink, y * shrink
        x, y = x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle)
        corners.append((cx + x, cy + y))
    return corners


def _symbol_in_frame(corners, inset, border=6):
    """Whether the symbol with its quiet zone (the card less its paper margin) is all in view:
    a volunteer moves a card whose code is cut off, and no decoder could read it."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = corners
    for u in (inset, 1 - inset):
        for v in (inset, 1 - inset):
            x = (ax * (1 - u) + bx * u) * (1 - v) + (dx * (1 - u) + cx * u) * v
            y = (ay * (1 - u) + by * u) * (1 - v) + (dy * (1 - u) + cy * u) * v
            if not (border <= x <= SIZE[0] - border and border <= y <= SIZE[1] - border):
                return False
    return True


def _perspective_coefficients(source, target):
    """PIL's PERSPECTIVE data: maps target (frame) points back to source (card) points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(target, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return _solve(rows, rhs)


def _solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def _draw_card(scene, rng, code, contrast):
    """Paste the printed card (QR with its quiet zone, plus a paper margin) into the scene."""
    rows = qr.matrix(code)
    n = len(rows)                      # 33 for version 2 with the quiet zone
    light = rng.uniform(170, 235)      # paper under the hall's light
    dark = light * (1 - contrast)
    margin = 3                         # paper around the quiet zone, in modules
    cells = n + 2 * margin
    card = Image.new("L", (cells, cells), int(light))
    card.putdata([int(dark) if 0 <= y - margin < n and 0 <= x - margin < n and rows[y - margin][x - margin]
                  else int(light) for y in range(cells) for x in range(cells)])
    module = rng.uniform(*MODULE)      # pixels per module in the frame
    for attempt in range(1, 1000):
        corners = _card_corners(rng, cells * module)
        if _symbol_in_frame(corners, margin / cells):
            break
        if attempt % 20 == 0:          # a big card turned by 45° does not fit: hold it farther
            module *= 0.95
    side = cells * module * SUPERSAMPLE
    target = [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in corners]
    source = [(0, 0), (cells, 0), (cells, cells), (0, cells)]
    coefficients = _perspective_coefficients(source, target)
    big = scene.size
    warped = card.transform(big, Image.PERSPECTIVE, coefficients, Image.NEAREST, fillcolor=0)
    mask = Image.new("L", (cells, cells), 255).transform(big, Image.PERSPECTIVE, coefficients,
                                                          Image.NEAREST, fillcolor=0)
    scene.paste(warped, (0, 0), mask)
    return {"module_px": round(module, 2), "light": round(light), "dark": round(dark), "side_px": round(side / SUPERSAMPLE)}


def _motion_blur(image, rng, length):
    """Average of the image shifted along a random direction over `length` pixels."""
    angle = rng.uniform(0, math.pi)
    steps = max(2, int(math.ceil(length)) + 1)
    dx, dy = math.cos(angle), math.sin(angle)
    source = image.convert("F")
    total = None
    for i in range(steps):
        t = (i / (steps - 1) - 0.5) * length
        shifted = source.transform(source.size, Image.AFFINE, (1, 0, t * dx, 0, 1, t * dy), Image.BILINEAR)
        total = shifted if total is None else ImageMath.lambda_eval(lambda a: a["a"] + a["b"], a=total, b=shifted)
    return ImageMath.lambda_eval(lambda a: a["t"] / steps, t=total), round(math.degrees(angle))


def _scene(seed, category, code=None):
    """The frame before the sensor: card, background, lens and motion blur (float image)."""
    rng = random.Random(seed)
    harms = CATEGORIES.get(category, {})
    if category.startswith(NEGATIVE):
        harms = NEGATIVE_HARMS[category]
    scene = _background(rng)
    params = {}
    code = ""
    if not category.startswith(NEGATIVE):
        code = code or seeded_code(rng)
        contrast = rng.uniform(*harms["contrast"]) if "contrast" in harms else rng.uniform(0.55, 0.85)
        params.update(_draw_card(scene, rng, code, contrast), contrast=round(contrast, 3))
    image = scene.resize(SIZE, Image.BOX).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    floating = image.convert("F")
    if "blur" in harms:
        length = rng.uniform(*harms["blur"])
        floating, angle = _motion_blur(image, rng, length)
        params.update(blur_px=round(length, 1), blur_deg=angle)
    sigma = rng.uniform(*harms["noise"]) if "noise" in harms else rng.uniform(3, 8)
    params["noise_sigma"] = round(sigma, 1)
    return code, floating, params


def _expose(floating, sigma, tile, rng):
    """Add the sensor's noise (a fresh crop of the noise tile) and clip to 8 bits."""
    ox, oy = rng.randrange(NOISE_TILE - SIZE[0]), rng.randrange(NOISE_TILE - SIZE[1])
    noise = tile.crop((ox, oy, ox + SIZE[0], oy + SIZE[1]))
    if rng.random() < 0.5:
        noise = noise.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        noise = noise.transpose(Image.FLIP_TOP_BOTTOM)
    noisy = ImageMath.lambda_eval(lambda a: a["f"] + a["n"] * sigma, f=floating, n=noise)
    return ImageMath.lambda_eval(lambda a: a["min"](a["max"](a["f"], 0), 255), f=noisy).convert("L")


NEGATIVE_HARMS = {"no-code": {}, "no-code+noise": {"noise": NOISE}, "no-code+blur": {"blur": BLUR},
                  "no-code+blur+noise": {"blur": BLUR, "noise": NOISE}}


def plan(seed=SEED, per_category=20, negatives=12):
    """(name, category, scene seed) of every frame, in a fixed order."""
    rng = random.Random(seed)
    rows = [(name, rng.getrandbits(32)) for name in CATEGORIES for _ in range(per_category)]
    names = list(NEGATIVE_HARMS)
    rows += [(names[i % len(names)], rng.getrandbits(32)) for i in range(negatives)]
    return [(f"{i:03d}-{category}", category, scene_seed) for i, (category, scene_seed) in enumerate(rows)]


_TILES = {}


def _tile(seed):
    if seed not in _TILES:
        _TILES[seed] = _noise_tile(seed)
    return _TILES[seed]


def hard_frames(seed=SEED, per_category=20, negatives=12, exposures=1):
    """The frames: `per_category` of each category, then the negatives. With `exposures` > 1,
    each scene comes `exposures` times in a row with fresh noise, as successive camera frames
    of a card held in view give (the blur stays: the hand keeps moving the same way)."""
    tile = _tile(seed)
    frames = []
    for name, category, scene_seed in plan(seed, per_category, negatives):
        code, floating, params = _scene(scene_seed, category)
        noise_rng = random.Random(scene_seed ^ 0x5EED)
        for exposure in range(exposures):
            image = _expose(floating, params["noise_sigma"], tile, noise_rng)
            suffix = f"#{exposure}" if exposures > 1 else ""
            frames.append(HardFrame(name + suffix, category, code, image, dict(params, exposure=exposure)))
    return frames


def frames_of(code, category, seed=SEED, count=1):
    """`count` exposures of one scene of `category` showing `code` (e.g. a registered one, for
    the fake camera)."""
    _code, floating, params = _scene(seed, category, code)
    noise_rng = random.Random(seed ^ 0x5EED)
    return [_expose(floating, params["noise_sigma"], _tile(SEED), noise_rng) for _ in range(count)]


if __name__ == "__main__":
    import json

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "qr-hard")
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for frame in hard_frames():
        frame.image.save(out / f"{frame.name}.png")
        manifest.append({"file": f"{frame.name}.png", "text": frame.code, "category": frame.category, **frame.params})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    print(f"{len(manifest)} frames in {out}")
