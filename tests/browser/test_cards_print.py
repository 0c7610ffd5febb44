"""Printed cards in a real browser: the sheet prints on A4 at 8 cards a page, and every QR code
Chromium draws from the page's inline SVG decodes back to its card's code."""
import io

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from .helpers import PASSWORD


def sign_in_to_the_web(page, username="lead1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".who")).to_have_text(username)


def test_a_printed_sheet_of_n_cards_holds_n_decodable_codes(live_server, launch, tmp_path):
    browser = launch()
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", device_scale_factor=2)
    context.set_default_timeout(15000)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in_to_the_web(page)
    page.goto("/org/cards")
    page.fill("#count", "10")
    page.click(".cards-form button[type=submit]")
    cards = page.locator(".print-card")
    expect(cards).to_have_count(10)
    codes = {cards.nth(i).get_attribute("data-code") for i in range(10)}
    assert len(codes) == 10

    # Two A4 pages: 8 cards, then 2.
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (tmp_path / "cards.pdf").write_bytes(pdf)
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type /Page ") \
        - pdf.count(b"/Type /Pages") == 2

    # What the printer gets: the print stylesheet, the browser's own rendering of each SVG.
    page.emulate_media(media="print")
    expect(page.locator(".cards-form")).to_be_hidden()
    found = set()
    for i in range(10):
        shot = Image.open(io.BytesIO(cards.nth(i).screenshot()))
        found.update(r.text for r in zxingcpp.read_barcodes(shot)
                     if r.format == zxingcpp.BarcodeFormat.QRCode)
    assert found == codes
    assert violations == []
    context.close()
