"""Helpers of the browser tests: the public JSON API of API.md, QR frames and Y4M camera files."""
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import qrcode
from PIL import Image

ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery-1"


class Api:
    """A small client of /api/v1, as the city bureau's scripts would use it."""

    def __init__(self, base_url):
        self.base_url = base_url

    def call(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + "/api/v1" + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def token(self, username, password=PASSWORD):
        status, body = self.call("POST", "/auth/token", {"username": username, "password": password})
        assert status == 201, body
        return body["token"]

    def new_code(self):
        status, body = self.call("POST", "/residents", {"consent": True})
        assert status == 201, body
        return body["code"]

    def create_activity(self, token, campaign_id, org_id, name="读书沙龙"):
        now = datetime.now(ZONE).replace(microsecond=0)
        status, body = self.call("POST", "/activities", {
            "campaign_id": campaign_id, "org_id": org_id, "theme": "reading", "name": name,
            "content": "共读一本书", "form": "reading_salon", "mode": "offline", "venue": "社区图书馆",
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=6)).isoformat(),
            "news_links": [], "courses": [],
        }, token=token)
        assert status == 201, body
        return body

    def stats(self, token, activity_id):
        status, body = self.call("GET", f"/activities/{activity_id}/stats", token=token)
        assert status == 200, body
        return body


def qr_frame(text, size=(640, 480), box=8, invert=False):
    """A camera-like frame: the QR code of `text`, centred on a light background."""
    frame = Image.new("RGB", size, (235, 235, 230))
    if text:
        code = qrcode.QRCode(border=4, box_size=box, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(text)
        image = code.make_image(fill_color="black", back_color="white").convert("RGB")
        if invert:
            image = Image.eval(image, lambda v: 255 - v)
        frame.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return frame


def write_y4m(path, frames, fps=10):
    """Frames (PIL images, all the same size) as a YUV 4:2:0 Y4M file for Chromium's fake camera."""
    width, height = frames[0].size
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            y, u, v = frame.convert("YCbCr").split()
            half = (width // 2, height // 2)
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(u.resize(half, Image.BILINEAR).tobytes())
            out.write(v.resize(half, Image.BILINEAR).tobytes())
    return path


def camera_file(path, texts, frames_per_code=6, blank_frames=4, fps=10, inverted=()):
    """A Y4M that shows each text in turn, with empty frames between them (looped by Chromium);
    texts in `inverted` are shown light-on-dark, like a phone in dark mode."""
    frames = []
    for text in texts:
        frames += [qr_frame(text, invert=text in inverted)] * frames_per_code
        frames += [qr_frame(None)] * blank_frames
    return write_y4m(path, frames, fps)


def changed_one_character(code):
    """The same code with its 5th character replaced: the check character must catch it."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    replacement = alphabet[(alphabet.index(code[4]) + 7) % len(alphabet)]
    return code[:4] + replacement + code[5:]
