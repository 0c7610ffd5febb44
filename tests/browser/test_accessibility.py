"""axe-core (npm, package.json) on every screen of the PWA and every page of the workspace and
the bureau, in zh_Hans and in English: zero violations (issue 13)."""
from datetime import datetime

import pytest
from playwright.sync_api import expect

from .conftest import ROOT
from .helpers import PASSWORD, ZONE
from .pages import open_activity, sign_in

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""
LOCALES = [("zh_Hans", "zh-CN"), ("en", "en-GB")]


def violations(page):
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci`", pytrace=False)
    # Evaluated through the DevTools protocol, so the page's CSP stays as strict as ever.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    return page.evaluate(RUN_AXE)


def check(page, what, found):
    problems = violations(page)
    if problems:
        found.append(f"{what} ({page.url}):\n    " + "\n    ".join(problems))


@pytest.fixture(scope="module")
def people(live_server):
    """A province bureau (also the administration pages), the national account, and data for
    every page to show."""
    from lwpwa.accounts.service import create_user
    from lwpwa.extensions import db
    with live_server.app.app_context():
        create_user("shanxi", PASSWORD, "bureau", region_code="140000")
        create_user("nation", PASSWORD, "bureau", region_code="000000")
        db.session.commit()
    activity = live_server.new_activity("无障碍检查读书会")
    code = live_server.api.new_code()
    token = live_server.api.token("volunteer1")
    now = datetime.now(ZONE).replace(microsecond=0).isoformat()
    status, body = live_server.api.call("POST", "/sync", {"device_id": "axe-phone", "sent_at": now, "checkins": [
        {"id": "0190c0de-0000-7000-8000-00000000a11e", "activity_id": activity["id"], "kind": "attendee",
         "code": code, "headcount": None, "scanned_at": now}]}, token=token)
    assert status == 200, body
    return {"activity": activity, "code": code}


@pytest.mark.parametrize("locale, browser_locale", LOCALES)
def test_every_pwa_screen_has_no_axe_violations(live_server, launch, new_context, people, locale, browser_locale):
    page = new_context(launch(), locale=browser_locale).new_page()
    found = []
    page.goto("/app/")
    expect(page.locator("#login")).to_be_visible()
    check(page, "sign-in", found)
    page.click("#open-mycode")
    expect(page.locator("h1")).to_be_visible()
    check(page, "my sign-in code", found)
    sign_in(page)
    expect(page.locator("#activities")).to_be_visible()
    check(page, "activities", found)
    open_activity(page, people["activity"]["id"])
    page.fill("#manual-code", "NOT-A-CODE-AT-ALL")
    page.press("#manual-code", "Enter")
    expect(page.locator("#feedback")).to_have_attribute("data-state", "bad")
    check(page, "scan screen", found)
    page.click("#back")
    page.click("#open-volunteer-code")
    expect(page.locator("#volunteer-code-text")).to_be_visible()
    check(page, "my volunteer code", found)
    assert not found, "\n".join(found)


WORKSPACE = ["/unit/", "/unit/activities/new", "/unit/activities/{activity}", "/unit/activities/{activity}/edit",
             "/unit/activities/{activity}/sign-in-sheet", "/unit/table", "/unit/table/print", "/unit/review",
             "/unit/volunteers", "/unit/import", "/org/cards", "/"]
BUREAU = ["/region/", "/region/140000/", "/region/140100/", "/region/140000/table", "/region/140000/table?print=1",
          "/region/140000/anomalies", "/region/activities/{activity}", "/region/140000/devices/axe-phone",
          "/region/tokens/", "/admin/", "/admin/campaigns/new", "/admin/units/new", "/admin/accounts/new"]
NATIONAL = ["/region/000000/", "/region/000000/?basis=live", "/region/000000/anomalies", "/region/000000/corrections"]


def web_sign_in(page, username):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale, browser_locale", LOCALES)
def test_every_workspace_and_bureau_page_has_no_axe_violations(live_server, launch, new_context, people, locale,
                                                                 browser_locale):
    browser = launch()
    found = []
    for username, paths in (("lead1", WORKSPACE), ("shanxi", BUREAU), ("nation", NATIONAL)):
        page = new_context(browser, locale=browser_locale).new_page()
        page.goto(f"/login?lang={locale}")
        check(page, "login", found)
        web_sign_in(page, username)
        for path in paths:
            url = path.format(activity=people["activity"]["id"])
            response = page.goto(url + ("&" if "?" in url else "?") + f"lang={locale}")
            if response.status >= 400:
                found.append(f"{url}: HTTP {response.status}")
                continue
            check(page, url, found)
    assert not found, "\n".join(found)
