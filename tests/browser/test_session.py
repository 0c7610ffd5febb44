"""Sign-in, an expired session and signing out never lose a queued check-in."""
from playwright.sync_api import expect

from .pages import expect_pending, open_activity, scan_by_hand, sign_in

AUTH = "import('/static/app/store.js').then((store) => store.getMeta('auth'))"


def test_login_form_speaks_chinese_first_and_suits_password_managers(live_server, launch, new_context):
    page = new_context(launch(), locale="zh-CN").new_page()
    page.goto("/app/")
    expect(page.locator("#username")).to_have_attribute("autocomplete", "username")
    expect(page.locator("#password")).to_have_attribute("autocomplete", "current-password")
    expect(page.locator("#login button[type=submit]")).to_have_text("登录")
    page.click("button.lang")
    expect(page.locator("#login button[type=submit]")).to_have_text("Sign in")
    page.reload()  # the choice is remembered
    expect(page.locator("#login button[type=submit]")).to_have_text("Sign in")

    page.fill("#username", "volunteer1")
    page.fill("#password", "wrong password")
    page.click("#login button[type=submit]")
    expect(page.locator("#login .error")).to_have_text("Wrong username or password.")


def test_expired_token_keeps_the_queue_and_asks_to_sign_in_again(live_server, launch, new_context):
    activity = live_server.new_activity()
    first, second = live_server.api.new_code(), live_server.api.new_code()
    page = new_context(launch()).new_page()
    sign_in(page, path=f"/app/?activity={activity['id']}")  # a shared activity link
    expect(page.locator("#feedback")).to_be_visible()
    # The code filter first: once the token is revoked the phone cannot fetch it, and a code it
    # cannot check is amber, not the green these scans must get.
    expect(page.locator("#viewfinder")).to_have_attribute("data-filter", "ready")

    token = page.evaluate(AUTH)["token"]
    assert live_server.api.call("DELETE", "/auth/token", token=token)[0] in (200, 204)
    scan_by_hand(page, first)
    expect(page.locator("#session")).to_contain_text("登录已过期")
    expect_pending(page, 1)
    scan_by_hand(page, second)  # scanning goes on meanwhile
    expect_pending(page, 2)

    page.click("#session button")
    expect(page.locator("#session")).to_be_hidden()
    expect(page.locator("#login")).to_contain_text("2")
    page.fill("#password", "correct-horse-battery-1")
    page.click("#login button[type=submit]")
    expect(page.locator("#feedback")).to_be_visible()  # back on the same activity
    expect_pending(page, 0)
    assert live_server.stats(activity["id"])["attendance"] == 2


def test_signing_out_warns_while_unsynced_and_never_deletes(live_server, launch, new_context):
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    context = new_context(launch())
    page = context.new_page()
    sign_in(page)
    open_activity(page, activity["id"])
    context.set_offline(True)
    scan_by_hand(page, code)
    expect_pending(page, 1)
    page.click("#back")

    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as warning:
        page.click("#sign-out")
    assert "1" in warning.value.message
    expect(page.locator("#activities")).to_be_visible()  # stayed signed in
    assert page.evaluate(AUTH)["token"]

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_event("dialog"):
        page.click("#sign-out")
    expect(page.locator("#login")).to_be_visible()
    expect_pending(page, 1)
    assert page.evaluate(AUTH) is None

    context.set_offline(False)
    sign_in(page)
    expect_pending(page, 0)
    assert live_server.stats(activity["id"])["attendance"] == 1
