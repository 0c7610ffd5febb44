"""What a volunteer does in the app, as steps the browser tests share."""
from playwright.sync_api import expect

from .helpers import PASSWORD


CONTROLLED = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
  }
  return true;
}"""


def sign_in(page, username="volunteer1", password=PASSWORD, path="/app/"):
    page.goto(path)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login button[type=submit]")


def wait_for_service_worker(page):
    """Until the service worker controls the page (so the app is precached and works offline)."""
    # An awaited promise, not wait_for_function: polling a string would need 'unsafe-eval',
    # which the app's Content-Security-Policy rightly forbids.
    page.evaluate(CONTROLLED)


def open_activity(page, activity_id, filter="ready"):
    """Open the activity's scan screen and, unless `filter` is None, wait until the phone holds
    its campaign's code filter: a test that goes offline or revokes the token before the
    filter's fetch is answered would see amber ("cannot check this code") instead of green."""
    page.click(f"[data-activity-id='{activity_id}']")
    expect(page.locator("#feedback")).to_be_visible()
    if filter is not None:
        expect(page.locator("#viewfinder")).to_have_attribute("data-filter", filter)


def pending(page):
    return page.locator("#status")


def expect_pending(page, n):
    expect(page.locator("#status")).to_have_attribute("data-pending", str(n))


def feedback(page):
    return page.locator("#feedback")


def scan_by_hand(page, code, state="ok"):
    """Type a code and press Enter; wait for the answer to *this* code (a new feedback)."""
    seq = page.locator("#feedback").get_attribute("data-seq")
    page.fill("#manual-code", code)
    page.press("#manual-code", "Enter")
    expect(page.locator("#feedback")).not_to_have_attribute("data-seq", seq)
    expect(page.locator("#feedback")).to_have_attribute("data-state", state)
