"""Corrections in a real browser (Chromium through Playwright, against the live server of
tests/browser): a volunteer's phone undoes a scan (the sync item the scanner sends), the site
lead voids a tally on the activity's corrections page, and the city bureau's corrections list
shows both, with who, when and why; no page breaks its Content-Security-Policy."""
import uuid
from datetime import datetime

from playwright.sync_api import expect
from test_workspace_browser import in_browser, live_server  # noqa: F401 (fixtures)

from browser.helpers import PASSWORD, ZONE
from lwpwa.accounts.service import create_user
from lwpwa.extensions import db


def test_an_undo_and_a_site_leads_void_are_shown_to_the_lead_and_the_bureau(live_server, in_browser):
    api = live_server.api
    activity = live_server.new_activity(name="更正测试")
    volunteer = api.token("volunteer1")
    now = datetime.now(ZONE).isoformat()
    scan = {"id": str(uuid.uuid4()), "activity_id": activity["id"], "kind": "attendee", "code": api.new_code(),
            "scanned_at": now}
    tally = {"id": str(uuid.uuid4()), "activity_id": activity["id"], "kind": "attendee", "headcount": 10,
             "scanned_at": now}
    undo = {"id": str(uuid.uuid4()), "kind": "void", "voids": scan["id"], "scanned_at": now}
    for items in ([scan, tally], [undo]):
        status, body = api.call("POST", "/sync", {"device_id": "phone-browser", "sent_at": now, "checkins": items},
                                token=volunteer)
        assert status == 200 and {r["status"] for r in body["results"]} == {"accepted"}, body
    bureau = f"city{uuid.uuid4().hex[:6]}"
    with live_server.app.app_context():
        create_user(bureau, PASSWORD, "bureau", region_code="140100")
        db.session.commit()

    def body(page):
        page.goto(f"/unit/activities/{activity['id']}")
        page.click(f"a[href='/unit/activities/{activity['id']}/corrections']")
        done = page.locator("#corrections-list")
        expect(done).to_contain_text("volunteer1")
        expect(done).to_contain_text("已在手机上撤销")
        row = page.locator("#counted-list tbody tr").filter(has_text="10")
        row.locator("input[name=reason]").fill("多点了一次 +10")
        row.locator("button[type=submit]").click()
        expect(page.locator("#corrections-list")).to_contain_text("多点了一次 +10")
        expect(page.locator("#counted-list")).to_have_count(0)
        assert api.stats(volunteer, activity["id"])["attendance"] == 0

        # The city bureau, in a browser of its own, sees the unit's corrections.
        context = page.context.browser.new_context(base_url=live_server.url, locale="zh-CN",
                                                   timezone_id=str(ZONE))
        other = context.new_page()
        other.csp_violations = []
        other.on("console", lambda message: other.csp_violations.append(message.text)
                 if "Content Security Policy" in message.text else None)
        other.goto("/login")
        other.fill("#username", bureau)
        other.fill("#password", PASSWORD)
        other.click("main button[type=submit]")
        other.goto(f"/region/140100/?campaign={live_server.campaign_id}")
        other.click(f"a[href='/region/140100/corrections?campaign={live_server.campaign_id}']")
        listing = other.locator("#corrections")
        expect(listing).to_contain_text("多点了一次 +10")
        expect(listing).to_contain_text("lead1")
        expect(listing).to_contain_text("已在手机上撤销")
        expect(listing).to_contain_text("更正测试")
        assert page.csp_violations == [] and other.csp_violations == []

    in_browser(body)
