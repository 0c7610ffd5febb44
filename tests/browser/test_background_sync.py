"""A tab closed with check-ins queued: the service worker sends them on Background Sync.

Chromium decides itself when to fire `sync` (it ignores Playwright's emulated offline mode), so
the test fires the event the way the browser would, through DevTools, once no page is open.
"""
import time

from .pages import expect_pending, open_activity, scan_by_hand, sign_in, wait_for_service_worker


def test_queue_of_a_closed_tab_is_sent_by_background_sync(live_server, launch, new_context):
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    context = new_context(launch())
    page = context.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    open_activity(page, activity["id"])
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => 'sync' in r)")

    context.route("**/api/v1/sync", lambda route: route.abort("internetdisconnected"))
    scan_by_hand(page, code)
    expect_pending(page, 1)
    page.close()  # no page left to sync
    context.unroute("**/api/v1/sync")
    assert live_server.stats(activity["id"])["attendance"] == 0

    blank = context.new_page()  # about:blank: not a client of the app, only a DevTools handle
    devtools = context.new_cdp_session(blank)
    registrations = []
    devtools.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    devtools.send("ServiceWorker.enable")
    deadline = time.monotonic() + 30
    while not any(r["scopeURL"].endswith("/app/") for r in registrations) and time.monotonic() < deadline:
        blank.wait_for_timeout(100)  # DevTools reports the registrations as events
    registration = next(r for r in registrations if r["scopeURL"].endswith("/app/"))
    devtools.send("ServiceWorker.dispatchSyncEvent", {
        "origin": live_server.url, "registrationId": registration["registrationId"],
        "tag": "lwpwa-outbox", "lastChance": False,
    })
    while live_server.stats(activity["id"])["attendance"] == 0 and time.monotonic() < deadline + 30:
        time.sleep(0.2)  # the server is outside the browser: nothing to await but its answer
    assert live_server.stats(activity["id"])["attendance"] == 1
