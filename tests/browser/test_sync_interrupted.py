"""A sync cut off half-way loses nothing and counts nothing twice: the server has decided the
batch but the phone never hears back (the network drops, or the tab is closed); the phone keeps
its queue, sends it again, and the server answers with what it decided the first time."""
from playwright.sync_api import expect

from .pages import expect_pending, open_activity, scan_by_hand, sign_in, wait_for_service_worker


def scan_three_offline(live_server, context, name):
    activity = live_server.new_activity(name)
    codes = [live_server.api.new_code() for _ in range(3)]
    page = context.new_page()
    sign_in(page)
    expect(page.locator(f"[data-activity-id='{activity['id']}']")).to_be_visible()
    wait_for_service_worker(page)
    open_activity(page, activity["id"])
    # The campaign's code filter is on the phone before the network goes: offline, a code it
    # cannot check would be amber, not the green these scans must get.
    expect(page.locator("#viewfinder")).to_have_attribute("data-filter", "ready")
    context.set_offline(True)
    for code in codes:
        scan_by_hand(page, code)
    expect_pending(page, 3)
    return activity, page


def test_the_network_drops_after_the_server_decided(live_server, launch, new_context):
    context = new_context(launch())
    activity, page = scan_three_offline(live_server, context, "断网的读书会")
    delivered = []

    def lose_the_answer(route):
        if not delivered:
            delivered.append(route.fetch().status)  # the server decides and commits the batch …
            route.abort("connectionreset")  # … and the phone never hears back
        else:
            route.continue_()

    page.route("**/api/v1/sync", lose_the_answer)
    with page.expect_event("requestfailed", lambda request: "/api/v1/sync" in request.url):
        context.set_offline(False)
    assert delivered == [200]
    assert live_server.stats(activity["id"])["attendance"] == 3
    expect_pending(page, 3)  # no answer, nothing leaves the queue

    page.click("#sync-now")
    expect_pending(page, 0)
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "3")
    assert live_server.stats(activity["id"])["attendance"] == 3


def test_the_tab_is_closed_while_its_sync_is_on_the_way(live_server, launch, new_context):
    context = new_context(launch())
    activity, page = scan_three_offline(live_server, context, "关掉页面的讲座")
    held_back = []

    def decide_then_close_the_tab(route):
        held_back.append(route.fetch().status)  # decided on the server …
        page.close()  # … and the tab is gone before the answer arrives

    page.route("**/api/v1/sync", decide_then_close_the_tab)
    with page.expect_event("close"):
        context.set_offline(False)
    assert held_back == [200]
    assert live_server.stats(activity["id"])["attendance"] == 3

    page = context.new_page()  # the volunteer opens the app again: it syncs what is queued
    page.goto(f"/app/?activity={activity['id']}")
    expect_pending(page, 0)
    assert live_server.stats(activity["id"])["attendance"] == 3
