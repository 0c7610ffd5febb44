"""The decoder, in Chromium, on the shared camera-like frames of ../shared/qr-samples/."""
import base64
import json

import pytest

DECODE = """async ({png}) => {
  const { decodeImageData } = await import('/static/app/decoder.js');
  const { parse } = await import('/static/app/code.js');
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const texts = await decodeImageData(context.getImageData(0, 0, bitmap.width, bitmap.height));
  return { texts, codes: texts.map(parse).filter(Boolean) };
}"""


@pytest.fixture(scope="module")
def decoder_page(playwright_instance, live_server):
    from .conftest import CHROMIUM, CHROMIUM_ARGS

    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(base_url=live_server.url)
    page.goto("/app/")
    yield page
    browser.close()


def cases(samples):
    return json.loads((samples / "manifest.json").read_text(encoding="utf-8"))["cases"]


def decode(page, path):
    return page.evaluate(DECODE, {"png": base64.b64encode(path.read_bytes()).decode()})


def test_every_positive_frame_is_read(decoder_page, qr_samples):
    misses = []
    positives = [case for case in cases(qr_samples) if case["text"]]
    assert len(positives) >= 20
    for case in positives:
        found = decode(decoder_page, qr_samples / case["file"])["texts"]
        if not set(found) & set(case["text"].split("|")):
            misses.append((case["file"], case["condition"], found))
    assert misses == []


def test_nothing_is_found_in_negative_frames(decoder_page, qr_samples):
    for case in cases(qr_samples):
        if not case["text"]:
            assert decode(decoder_page, qr_samples / case["file"]) == {"texts": [], "codes": []}, case["file"]


@pytest.mark.parametrize("name", ["url-payload.png", "foreign-text.png"])
def test_qr_codes_that_are_not_sign_in_codes_are_refused(decoder_page, qr_samples, name):
    result = decode(decoder_page, qr_samples / name)
    assert result["texts"], "the QR code itself must be read"
    assert result["codes"] == []


def test_no_sample_placeholder_passes_as_a_sign_in_code(decoder_page, qr_samples):
    """The samples hold LW1… placeholders, not the project's format: none may validate."""
    for case in cases(qr_samples):
        if case["text"]:
            assert decode(decoder_page, qr_samples / case["file"])["codes"] == [], case["file"]
