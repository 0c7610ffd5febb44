"""Offline: after one online visit the app opens, scans and queues with no network; nothing is
lost by closing the page, and the server counts every person exactly once, however often it syncs."""
import json

from playwright.sync_api import expect

from .helpers import camera_file
from .pages import expect_pending, sign_in, wait_for_service_worker


def test_offline_scans_and_tally_reach_the_server_exactly_once(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity("离线读书会")
    codes = [live_server.api.new_code() for _ in range(3)]
    browser = launch(camera_file(tmp_path / "three.y4m", codes))
    context = new_context(browser)

    # One online visit: sign in, see today's activities; the service worker precaches the app.
    page = context.new_page()
    sign_in(page)
    expect(page.locator(f"[data-activity-id='{activity['id']}']")).to_be_visible()
    wait_for_service_worker(page)

    context.set_offline(True)
    page.goto(f"/app/?activity={activity['id']}")  # reload with no network: still works
    expect(page.locator("#status")).to_have_attribute("data-online", "false")
    expect(page.locator("#count-scanned")).to_have_text("3", timeout=20000)
    page.fill("#tally-n", "2")
    page.click("#tally-add")
    expect(page.locator("#count-walkins")).to_have_text("2")
    expect_pending(page, 4)  # three codes and one tally of 2

    # Rescue file of everything unsent (for the "another phone" step below).
    page.click("#back")
    with page.expect_download() as download:
        page.click("#export")
    rescue = tmp_path / "rescue.json"
    download.value.save_as(rescue)
    assert len(json.loads(rescue.read_text())["checkins"]) == 4
    page.close()

    # The volunteer closes the app and opens it again, still offline: the queue is all there.
    page = context.new_page()
    page.goto(f"/app/?activity={activity['id']}")
    expect(page.locator("#count-scanned")).to_have_text("3")
    expect(page.locator("#count-walkins")).to_have_text("2")
    expect_pending(page, 4)
    assert live_server.stats(activity["id"])["attendance"] == 0

    context.set_offline(False)  # the network returns: the app syncs by itself
    expect_pending(page, 0)
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "5")  # people: 3 codes + a tally of 2
    stats = live_server.stats(activity["id"])
    assert (stats["attendance"], stats["scanned"], stats["headcount"]) == (5, 3, 2)

    # Forced re-syncs, then the same check-ins imported and sent again from another phone.
    page.click("#sync-now")
    page.click("#sync-now")
    other = new_context(browser).new_page()
    sign_in(other, username="volunteer2")
    expect(other.locator("#import")).to_be_visible()
    other.set_input_files("#import-file", rescue)
    expect(other.locator("#rescue-message")).to_contain_text("4")
    expect_pending(other, 0)
    assert live_server.stats(activity["id"])["attendance"] == 5
