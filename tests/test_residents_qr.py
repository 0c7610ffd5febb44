"""QR images made by the server: PNG and SVG, level Q, a 4-module quiet zone; each decodes back
to its code, also after damage."""
import io

import pytest
from PIL import Image, ImageDraw
from qr_images import decode_png, quiet_zone, rasterize_svg, svg_modules

from lwpwa.residents import codes, qr

# Fixed codes, so that the damage test is the same on every run.
FIXED = [body + codes.check_character(body) for body in
         ("0123456789ABCDEF", "ZZZZZZZZZZZZZZZZ", "0000000000000000", "KM7Q2XRT9VHN4W8P")]


def me(resident):
    return {"Authorization": f"Resident {resident.key}"}


def test_every_png_and_svg_decodes_back_to_its_code_at_level_q():
    for code in FIXED + [codes.new_code() for _ in range(20)]:
        assert decode_png(qr.png(code)) == [(code, "Q")]
        assert decode_png(rasterize_svg(qr.svg(code))) == [(code, "Q")]


@pytest.mark.parametrize("code", FIXED)
def test_png_and_svg_draw_the_same_modules_with_a_quiet_zone_of_4(code):
    grid = svg_modules(qr.svg(code))
    assert grid == qr.matrix(code)
    assert quiet_zone(grid) == qr.QUIET_ZONE == 4
    # At most version 2 (25 × 25): 17 alphanumeric characters at level Q; large modules.
    assert len(grid) <= 25 + 2 * 4
    image = Image.open(io.BytesIO(qr.png(code, size=330)))
    scale = image.width // len(grid)
    assert image.size == (len(grid) * scale, len(grid) * scale) and scale == 330 // len(grid)
    pixels = image.load()
    for y, row in enumerate(grid):
        for x, dark in enumerate(row):
            assert (pixels[x * scale + scale // 2, y * scale + scale // 2] == 0) == dark


@pytest.mark.parametrize("code", FIXED)
def test_a_code_survives_a_scratch_across_the_symbol(code):
    """Level Q: a crack or a stain over part of the data still decodes."""
    image = Image.open(io.BytesIO(qr.png(code, size=330))).convert("L")
    module = image.width // len(qr.matrix(code))
    draw = ImageDraw.Draw(image)
    # A band one module high through the middle of the symbol, clear of the finder patterns.
    top = image.height // 2
    draw.rectangle([12 * module, top, 21 * module, top + module - 1], fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert decode_png(out.getvalue()) == [(code, "Q")]


def test_the_svg_label_is_escaped_and_the_size_is_optional():
    markup = qr.svg(FIXED[0], size=300, label='<a&"b>')
    assert 'width="300" height="300"' in markup
    assert "<title>&lt;a&amp;&quot;b&gt;</title>" in markup
    assert "width=" not in qr.svg(FIXED[0]).split("<rect")[0]


def test_my_qr_png_and_svg_hold_my_code(client, make):
    resident, code = make.resident(display_name="王五")
    response = client.get("/api/v1/residents/me/qr.png", headers=me(resident))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert decode_png(response.data) == [(code, "Q")]
    assert Image.open(io.BytesIO(response.data)).width <= qr.DEFAULT_SIZE
    response = client.get("/api/v1/residents/me/qr.svg", headers=me(resident))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert decode_png(rasterize_svg(response.get_data(as_text=True))) == [(code, "Q")]
    assert codes.grouped(code) in response.get_data(as_text=True)  # the accessible name


@pytest.mark.parametrize("size, width", [("100", 99), ("2000", 1980), ("660", 660)])
def test_the_size_is_bounded(client, make, size, width):
    resident, code = make.resident()
    response = client.get(f"/api/v1/residents/me/qr.png?size={size}", headers=me(resident))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).width == width
    assert decode_png(response.data) == [(code, "Q")]


@pytest.mark.parametrize("size", ["99", "2001", "0", "-5", "big", "", "1e3"])
def test_a_size_out_of_bounds_is_a_400(client, make, size):
    resident, _code = make.resident()
    for path in ("qr.png", "qr.svg"):
        response = client.get(f"/api/v1/residents/me/{path}?size={size}", headers=me(resident))
        assert response.status_code == 400
        error = response.get_json()["error"]
        assert error["code"] == "validation_error" and "size" in error["fields"]


def test_qr_images_need_the_resident_key(client, make):
    make.resident()
    for path in ("qr.png", "qr.svg"):
        for headers in ({}, {"Authorization": "Resident wrong"}, {"Authorization": "Bearer x"}):
            response = client.get(f"/api/v1/residents/me/{path}", headers=headers)
            assert response.status_code == 401
            assert response.get_json()["error"]["code"] == "invalid_resident_key"


@pytest.mark.parametrize("query", ["size=300&size=300", "size=%C2%B2", "size=%EF%BC%93%EF%BC%90%EF%BC%90"])
def test_a_size_given_twice_or_in_other_digits_is_a_400(client, make, query):
    resident, _code = make.resident()
    for path in ("qr.png", "qr.svg"):
        response = client.get(f"/api/v1/residents/me/{path}?{query}", headers=me(resident))
        assert response.status_code == 400
        assert set(response.get_json()["error"]["fields"]) == {"size"}


def test_without_a_size_the_svg_scales_to_its_container(client, make):
    resident, _code = make.resident()
    svg = client.get("/api/v1/residents/me/qr.svg", headers=me(resident)).get_data(as_text=True)
    assert "width=" not in svg.split("<rect")[0]
    sized = client.get("/api/v1/residents/me/qr.svg?size=300", headers=me(resident)).get_data(as_text=True)
    assert 'width="300" height="300"' in sized
