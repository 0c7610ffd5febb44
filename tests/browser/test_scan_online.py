"""Online: a volunteer signs in, picks an activity, the camera sees a real code → counted."""
from playwright.sync_api import expect

from .helpers import camera_file
from .pages import expect_pending, open_activity, sign_in


def test_a_code_in_front_of_the_camera_is_counted_on_the_server(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity("智慧助老手机课")
    code = live_server.api.new_code()
    before = live_server.stats(activity["id"])
    camera = camera_file(tmp_path / "one-code.y4m", [code])

    page = new_context(launch(camera)).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page)
    open_activity(page, activity["id"])

    expect(page.locator("#feedback")).to_have_attribute("data-state", "ok")
    expect(page.locator("#count-scanned")).to_have_text("1")
    expect_pending(page, 0)  # sent shortly after the scan
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "1")

    after = live_server.stats(activity["id"])
    assert after["attendance"] == before["attendance"] + 1
    assert after["scanned"] == before["scanned"] + 1
    assert errors == []
