"""Undo the last one (issue 13, API.md "Corrections"): offline, a void item queued after the scan;
after the sync the server counts the activity right, and a resend changes nothing."""
from playwright.sync_api import expect

from .helpers import PASSWORD
from .pages import expect_pending, open_activity, scan_by_hand, sign_in, wait_for_service_worker
from .test_accessibility import web_sign_in


def test_undo_offline_reaches_the_server_once(live_server, launch, new_context):
    activity = live_server.new_activity("撤销测试")
    kept, undone = live_server.api.new_code(), live_server.api.new_code()
    context = new_context(launch())
    page = context.new_page()
    sign_in(page)
    wait_for_service_worker(page)
    open_activity(page, activity["id"])
    expect(page.locator("#viewfinder")).to_have_attribute("data-filter", "ready")
    expect(page.locator("#undo")).to_be_disabled()

    context.set_offline(True)
    scan_by_hand(page, kept)
    scan_by_hand(page, undone)
    page.click("#tally-1")
    expect(page.locator("#count-walkins")).to_have_text("1")
    page.click("#undo")  # the tally
    expect(page.locator("#count-walkins")).to_have_text("0")
    expect(page.locator("#undo .detail")).to_contain_text(undone[:4])
    page.click("#undo")  # the second code
    expect(page.locator("#feedback")).to_contain_text("已撤销上一条")
    expect(page.locator("#count-scanned")).to_have_text("1")
    expect_pending(page, 5)  # 3 check-ins, 2 voids

    context.set_offline(False)
    page.click("#sync-now")
    expect_pending(page, 0)
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "1")
    expect(page.locator("#refused")).to_be_hidden()  # every void was accepted
    stats = live_server.stats(activity["id"])
    assert (stats["attendance"], stats["scanned"], stats["headcount"]) == (1, 1, 0)
    # The site lead's corrections page and the city bureau's corrections list name both undos
    # (the tally and the code) and who made them.
    from lwpwa.accounts.service import create_user
    from lwpwa.extensions import db
    with live_server.app.app_context():
        create_user("taiyuanundo", PASSWORD, "bureau", region_code="140100")
        db.session.commit()
    for username, url, rows in (
            ("lead1", f"/unit/activities/{activity['id']}/corrections", "#corrections-list tbody tr"),
            ("taiyuanundo", f"/region/140100/corrections?campaign={live_server.campaign_id}", "#corrections tbody tr")):
        web = new_context(launch()).new_page()
        web_sign_in(web, username)
        web.goto(url)
        expect(web.locator(rows)).to_have_count(2)
        expect(web.locator(rows).first).to_contain_text("volunteer1")
        web.context.close()
    # Undone on the phone, the person can be scanned again and counts once.
    scan_by_hand(page, undone)
    page.click("#sync-now")
    expect(page.locator("#receipt")).to_have_attribute("data-accepted", "2")
    assert live_server.stats(activity["id"])["attendance"] == 2
