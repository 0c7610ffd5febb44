"""Printed cards in a real browser: the sheet prints on A4 at 8 cards a page, and every QR code
Chromium draws from the page's inline SVG decodes back to its card's code."""
import io
import re

import zxingcpp
import pytest
from PIL import Image
from playwright.sync_api import expect

from .helpers import PASSWORD


def sign_in_to_the_web(page, username="lead1"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".who")).to_have_text(username)


@pytest.mark.parametrize("n, pages", [(10, 2), (16, 2)])
def test_a_printed_sheet_of_n_cards_holds_n_decodable_codes(live_server, launch, n, pages):
    browser = launch()
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", device_scale_factor=2)
    context.set_default_timeout(15000)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in_to_the_web(page)
    page.goto("/org/cards")
    page.fill("#count", str(n))
    page.click(".cards-form button[type=submit]")
    cards = page.locator(".print-card")
    expect(cards).to_have_count(n)
    codes = {cards.nth(i).get_attribute("data-code") for i in range(n)}
    assert len(codes) == n
    expect(page.locator("[data-print]")).to_be_visible()  # the print button's script ran

    # 8 cards to an A4 page, and no blank page after the last.
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == pages

    # What the printer gets: the print stylesheet, the browser's own rendering of each SVG.
    page.emulate_media(media="print")
    expect(page.locator(".cards-form")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    found = set()
    for i in range(n):
        shot = Image.open(io.BytesIO(cards.nth(i).screenshot()))
        found.update(r.text for r in zxingcpp.read_barcodes(shot)
                     if r.format == zxingcpp.BarcodeFormat.QRCode)
    assert found == codes
    assert violations == []
    context.close()
