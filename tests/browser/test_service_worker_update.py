"""A new version of the service worker takes over while check-ins are queued: nothing is lost."""
from playwright.sync_api import expect

from .pages import expect_pending, open_activity, scan_by_hand, sign_in, wait_for_service_worker

VERSION = "navigator.serviceWorker.controller && new Promise((resolve) => {" \
          "" \
          " navigator.serviceWorker.addEventListener('message', (e) => e.data.type === 'VERSION' && resolve(e.data.version), {once: true});" \
          " navigator.serviceWorker.controller.postMessage({type: 'VERSION'}); })"


def test_new_version_takes_over_without_losing_queued_checkins(live_server, launch, new_context):
    activity = live_server.new_activity()
    codes = [live_server.api.new_code() for _ in range(3)]
    context = new_context(launch())
    page = context.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    old_version = page.evaluate(VERSION)
    open_activity(page, activity["id"])

    # The server is down (503) while three people are scanned: they stay queued.
    page.route("**/api/v1/sync", lambda route: route.fulfill(status=503, body="down"))
    for code in codes:
        scan_by_hand(page, code)
    page.click("#sync-now")
    expect_pending(page, 3)

    # A deployment: the browser finds a new /sw.js, installs it and offers a reload.
    live_server.new_version("v2-test")
    page.evaluate("navigator.serviceWorker.getRegistration('/app/').then((r) => r.update())")
    expect(page.locator("#reload-update")).to_be_visible()
    expect_pending(page, 3)
    with page.expect_navigation():
        page.click("#reload-update")
    expect(page.locator("#feedback")).to_be_visible()
    wait_for_service_worker(page)
    new_version = page.evaluate(VERSION)
    assert new_version != old_version
    assert page.evaluate("caches.keys()") == [f"lwpwa-{new_version}"]  # old cache removed
    expect_pending(page, 3)
    expect(page.locator("#count-scanned")).to_have_text("3")

    page.unroute("**/api/v1/sync")
    page.click("#sync-now")
    expect_pending(page, 0)
    assert live_server.stats(activity["id"])["attendance"] == 3


def test_an_update_and_an_expired_sign_in_are_both_shown(live_server, launch, new_context):
    """Each has its own banner: the update offer stays while the volunteer is told to sign in."""
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    page = new_context(launch()).new_page()
    sign_in(page)
    wait_for_service_worker(page)
    open_activity(page, activity["id"])
    live_server.new_version("v3-test")
    page.evaluate("navigator.serviceWorker.getRegistration('/app/').then((r) => r.update())")
    expect(page.locator("#reload-update")).to_be_visible()

    token = page.evaluate("import('/static/app/store.js').then((store) => store.getMeta('auth'))")["token"]
    assert live_server.api.call("DELETE", "/auth/token", token=token)[0] in (200, 204)
    scan_by_hand(page, code)
    expect(page.locator("#session")).to_contain_text("登录已过期")
    expect(page.locator("#reload-update")).to_be_visible()
    expect_pending(page, 1)
