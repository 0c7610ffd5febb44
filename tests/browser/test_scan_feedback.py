"""The same code twice → amber and counted once; one character changed → red, nothing queued."""
from playwright.sync_api import expect

from .helpers import camera_file, changed_one_character
from .pages import expect_pending, open_activity, scan_by_hand, sign_in


def test_same_code_twice_is_amber_and_counted_once(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    page = new_context(launch(camera_file(tmp_path / "code.y4m", [code], frames_per_code=5, blank_frames=20))).new_page()
    sign_in(page)
    open_activity(page, activity["id"])

    feedback = page.locator("#feedback")
    expect(feedback).to_have_attribute("data-state", "ok")
    # The video loops: the same card comes back into view after the pause → "already signed in".
    expect(feedback).to_have_attribute("data-state", "warn", timeout=10000)
    expect(page.locator("#count-scanned")).to_have_text("1")

    # The same code typed in, in lower case with dashes: still the same person, still amber.
    scan_by_hand(page, "-".join(code.lower()[i:i + 4] for i in range(0, 17, 4)), "warn")
    expect_pending(page, 0)
    page.click("#sync-now")
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "1")
    stats = live_server.stats(activity["id"])
    assert (stats["attendance"], stats["scanned"]) == (1, 1)


def test_a_code_with_one_character_changed_is_red_and_nothing_is_queued(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity()
    broken = changed_one_character(live_server.api.new_code())
    context = new_context(launch(camera_file(tmp_path / "broken.y4m", [broken])))
    context.set_offline(True)  # whatever happened would stay queued: nothing must be
    page = context.new_page()
    context.set_offline(False)
    sign_in(page)
    open_activity(page, activity["id"])
    context.set_offline(True)

    expect(page.locator("#feedback")).to_have_attribute("data-state", "bad")
    expect(page.locator("#feedback")).to_contain_text("无效")  # zh_Hans by default

    # Typed by hand and through a keyboard-wedge scanner: refused the same way.
    scan_by_hand(page, broken, "bad")
    expect(page.locator("#manual-code")).to_have_value(broken)  # kept, to be corrected
    page.locator("#feedback").click()
    seq = page.locator("#feedback").get_attribute("data-seq")
    page.keyboard.type(broken, delay=5)
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).not_to_have_attribute("data-seq", seq)
    expect(page.locator("#feedback")).to_have_attribute("data-state", "bad")

    expect_pending(page, 0)
    assert page.evaluate("lwpwa.app && import('/static/app/store.js').then(s => s.pendingCount())") == 0
    expect(page.locator("#count-scanned")).to_have_text("0")
    context.set_offline(False)
    assert live_server.stats(activity["id"])["attendance"] == 0


def test_a_keyboard_wedge_scanner_signs_in(live_server, launch, new_context):
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    page = new_context(launch()).new_page()
    sign_in(page)
    open_activity(page, activity["id"])
    page.locator("h1, .when").first.click()
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).to_have_attribute("data-state", "ok")
    expect(page.locator("#count-scanned")).to_have_text("1")
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "1")
    assert live_server.stats(activity["id"])["attendance"] == 1
