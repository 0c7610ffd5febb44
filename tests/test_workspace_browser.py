"""The workspace in a real browser (Chromium through Playwright, against the live server of
tests/browser): the statistics table page and its A4 landscape print view, and pairing: the QR
code Chromium draws on the site lead's page decodes to a code that signs a device in once.

tests/browser keeps one Playwright for the whole session, and a second sync Playwright cannot run
in the same thread: each test here drives its own Chromium from a thread of its own."""
import io
import re
import threading
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from browser.conftest import CHROMIUM, CHROMIUM_ARGS, _missing, live_server  # noqa: F401 (fixture)
from browser.helpers import PASSWORD, ZONE

TIMEOUT_S = 180


@pytest.fixture
def in_browser(live_server):
    """in_browser(body): run body(page), page signed in as the site lead, in a thread of its own."""
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")

    def run(body):
        outcome = {}

        def drive():
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    try:
                        body(signed_in_page(browser, live_server))
                    finally:
                        browser.close()
            except BaseException as error:  # noqa: B036 - handed to the test's thread
                outcome["error"] = error

        thread = threading.Thread(target=drive, daemon=True)
        thread.start()
        thread.join(TIMEOUT_S)
        assert not thread.is_alive(), "the browser did not finish in time"
        if "error" in outcome:
            raise outcome["error"]

    return run


def signed_in_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id=str(ZONE))
    context.set_default_timeout(15000)
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/login")
    page.fill("#username", "lead1")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".who")).to_have_text("lead1")
    return page


def test_the_table_page_and_its_a4_landscape_print_view(live_server, in_browser, tmp_path):
    api = live_server.api
    activity = live_server.new_activity(name=f"浏览器读书会{uuid.uuid4().hex[:4]}")
    volunteer = api.token("volunteer1")
    items = [{"id": str(uuid.uuid4()), "activity_id": activity["id"], "kind": "attendee", "code": api.new_code(),
              "scanned_at": datetime.now(ZONE).isoformat()} for _ in range(3)]
    status, body = api.call("POST", "/sync", {"device_id": "browser", "sent_at": datetime.now(ZONE).isoformat(),
                                              "checkins": items}, token=volunteer)
    assert status == 200 and body["summary"]["accepted"] == 3
    stats = live_server.stats(activity["id"])

    def body(page):
        page.goto(f"/unit/table?campaign={live_server.campaign_id}")
        table = page.locator(".stat-table")
        expect(table.locator("thead th").first).to_have_text("活动主题")
        expect(table.locator("thead th").last).to_have_text("合计")
        expect(table.locator("tbody tr").nth(1).locator("td").filter(has_text=activity["name"])).to_have_count(1)
        names = table.locator("tbody tr").nth(1).locator("td").all_inner_texts()
        counts = table.locator("tbody tr").nth(3).locator("td").all_inner_texts()
        assert int(counts[names.index(activity["name"])]) == stats["attendance"] == 3
        page.screenshot(path=str(tmp_path / "workspace-table.png"), full_page=True)
        # Scrolled to 合计 on a screen narrower than the table, the row labels stay in view (a
        # sticky column), as they do at 1280 px with a unit's dozen activities.
        page.set_viewport_size({"width": 900, "height": 900})
        scroller = page.locator(".table-scroll")
        assert scroller.evaluate("box => { box.scrollLeft = box.scrollWidth; return box.scrollLeft; }") > 100
        label = table.locator("tbody th").nth(3).bounding_box()
        assert abs(label["x"] - scroller.bounding_box()["x"]) < 2
        total = table.locator("thead th").last.bounding_box()
        assert total["x"] + total["width"] <= scroller.bounding_box()["x"] + scroller.bounding_box()["width"] + 2

        page.goto(f"/unit/table/print?campaign={live_server.campaign_id}")
        expect(page.locator(".print-table").first).to_be_visible()  # page-sized parts
        page.emulate_media(media="print")
        expect(page.locator(".print-toolbar")).to_be_hidden()
        page.screenshot(path=str(tmp_path / "workspace-table-print.png"), full_page=True)
        pdf = page.pdf(prefer_css_page_size=True)
        width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
        assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
        assert page.csp_violations == []

    in_browser(body)
    print(f"screenshots of the table page and its print view: {tmp_path}/workspace-table*.png")


def test_the_pairing_qr_signs_a_device_in_once(live_server, in_browser):
    scanned = {}

    def show_the_code(page):
        page.goto("/unit/volunteers")
        card = page.locator(".volunteer").filter(has_text="volunteer2")
        card.locator("button", has_text="配对手机").click()
        qr = page.locator(".pair-qr svg")
        expect(qr).to_be_visible()
        image = Image.open(io.BytesIO(qr.screenshot()))
        texts = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
        assert len(texts) == 1 and texts[0].startswith("LWPAIR:")
        assert page.locator(".code-text code").text_content() == texts[0]  # typed by hand if need be
        scanned["code"] = texts[0]
        assert page.csp_violations == []

    in_browser(show_the_code)
    status, body = live_server.api.call("POST", "/auth/pair", {"code": scanned["code"], "device_name": "浏览器测试手机"})
    assert status == 201 and body["user"]["username"] == "volunteer2"
    status, me = live_server.api.call("GET", "/me", token=body["token"])
    assert status == 200 and me["username"] == "volunteer2"
    status, again = live_server.api.call("POST", "/auth/pair", {"code": scanned["code"]})
    assert status == 401 and again["error"]["code"] == "invalid_pairing_code"

    def see_the_device(page):
        page.goto("/unit/volunteers")
        expect(page.locator(".device-list")).to_contain_text("浏览器测试手机")

    in_browser(see_the_device)


def test_the_activity_qr_opens_the_scanner_on_that_activity(live_server, in_browser):
    activity = live_server.new_activity(name="扫码链接测试")

    def body(page):
        page.goto(f"/unit/activities/{activity['id']}")
        image = Image.open(io.BytesIO(page.locator(".share-qr svg").screenshot()))
        texts = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
        assert texts == [f"{live_server.url}/app/?activity={activity['id']}"]
        assert page.csp_violations == []

    in_browser(body)


def test_the_dashboard_counts_follow_new_check_ins_without_a_reload(live_server, in_browser):
    api = live_server.api
    activity = live_server.new_activity(name="实时人数测试")
    volunteer = api.token("volunteer1")

    def body(page):
        page.goto(f"/unit/?campaign={live_server.campaign_id}")
        cell = page.locator(f'[data-activity="{activity["id"]}"][data-kind="attendance"]')
        expect(cell).to_have_text("0")
        items = [{"id": str(uuid.uuid4()), "activity_id": activity["id"], "kind": "attendee",
                  "code": api.new_code(), "scanned_at": datetime.now(ZONE).isoformat()} for _ in range(2)]
        status, _body = api.call("POST", "/sync", {"device_id": "live", "sent_at": datetime.now(ZONE).isoformat(),
                                                   "checkins": items}, token=volunteer)
        assert status == 200
        # What a tab coming back to the front does; the script also polls every 30 s.
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(cell).to_have_text("2")
        assert page.csp_violations == []

    in_browser(body)
