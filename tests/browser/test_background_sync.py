"""A tab closed while offline: the service worker sends the queue when the network returns."""
import time

from .pages import expect_pending, open_activity, sign_in, wait_for_service_worker


def test_queue_of_a_closed_tab_is_sent_by_background_sync(live_server, launch, new_context):
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    context = new_context(launch())
    context.grant_permissions(["camera", "background-sync"])
    page = context.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    open_activity(page, activity["id"])

    context.set_offline(True)
    page.fill("#manual-code", code)
    page.press("#manual-code", "Enter")
    expect_pending(page, 1)
    page.close()  # no page left to sync

    context.set_offline(False)
    deadline = time.monotonic() + 60
    while live_server.stats(activity["id"])["attendance"] == 0 and time.monotonic() < deadline:
        time.sleep(0.5)  # the server is outside the browser: nothing to await but its answer
    assert live_server.stats(activity["id"])["attendance"] == 1
