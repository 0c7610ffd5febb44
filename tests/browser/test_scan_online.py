"""Online: a volunteer signs in, picks an activity, the camera sees real codes → counted."""
from playwright.sync_api import expect

from .helpers import camera_file
from .pages import expect_pending, open_activity, sign_in


def test_codes_in_front_of_the_camera_are_counted_on_the_server(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity("智慧助老手机课")
    code, dark_mode = live_server.api.new_code(), live_server.api.new_code()
    before = live_server.stats(activity["id"])
    camera = camera_file(tmp_path / "two-codes.y4m", [code, dark_mode], inverted={dark_mode})

    page = new_context(launch(camera)).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page)
    open_activity(page, activity["id"])

    expect(page.locator("#feedback")).to_have_attribute("data-state", "ok")
    expect(page.locator("#count-scanned")).to_have_text("2")  # the dark-mode (inverted) one too
    expect_pending(page, 0)  # sent shortly after the scan
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "2")

    after = live_server.stats(activity["id"])
    assert after["attendance"] == before["attendance"] + 2
    assert after["scanned"] == before["scanned"] + 2
    # Camera frame to stored check-in, as measured by the app itself (bench/pwa.py: the median).
    assert len(page.evaluate("lwpwa.metrics.frameToStored")) >= 2
    assert errors == []


def test_the_camera_comes_back_after_the_phone_ended_it(live_server, launch, new_context, tmp_path):
    """Phones end the camera when the app goes to the background; back in front, it scans again."""
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    camera = camera_file(tmp_path / "card.y4m", [code], frames_per_code=5, blank_frames=20)
    page = new_context(launch(camera)).new_page()
    sign_in(page)
    open_activity(page, activity["id"])
    expect(page.locator("#count-scanned")).to_have_text("1")

    page.evaluate("document.querySelector('#camera').srcObject.getVideoTracks()[0].stop()")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    state = page.evaluate("""() => new Promise((resolve) => {
      const video = document.querySelector('#camera');
      const giveUp = performance.now() + 10000;
      const check = () => {
        const state = video.srcObject?.getVideoTracks()[0]?.readyState || 'none';
        if (state === 'live' || performance.now() > giveUp) resolve(state);
        else setTimeout(check, 50);
      };
      check();
    })""")
    assert state == "live"
    # Decoding again: the card comes back into view → "already signed in today", still one.
    expect(page.locator("#feedback")).to_have_attribute("data-state", "warn")
    expect(page.locator("#count-scanned")).to_have_text("1")
