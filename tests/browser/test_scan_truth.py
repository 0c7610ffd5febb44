"""Green means counted, as far as the phone can know (issue 13), offline too: the campaign's code
filter makes unregistered and withdrawn codes red, an ended activity's scans amber and held;
after a sync, what the server did not count is named in an alert; the receipt counts people;
"last sync" moves only when the server answered."""
from datetime import datetime, timedelta

from playwright.sync_api import expect

from lwpwa.residents.codes import grouped, new_code

from .helpers import ZONE
from .pages import expect_pending, open_activity, scan_by_hand, sign_in, wait_for_service_worker

LAST_SYNC = "import('/static/app/store.js').then(async (s) => (await s.getMeta('last_sync'))?.ok_at || null)"


def resident(api):
    status, body = api.call("POST", "/residents", {"consent": True})
    assert status == 201, body
    return body


def replace_code(api, key):
    """The resident asks for a new code: the old one is revoked."""
    import json
    import urllib.request
    request = urllib.request.Request(api.base_url + "/api/v1/residents/me/code", data=b"", method="POST",
                                     headers={"Authorization": f"Resident {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())["code"]


def activity_at(live_server, name, starts, ends):
    status, body = live_server.api.call("POST", "/activities", {
        "campaign_id": live_server.campaign_id, "org_id": live_server.org_id, "theme": "reading", "name": name,
        "content": "共读", "form": "reading_salon", "mode": "offline", "venue": "社区图书馆",
        "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "news_links": [], "courses": [],
    }, token=live_server.lead_token)
    assert status == 201, body
    return body


def filter_ready(page):
    expect(page.locator("#viewfinder")).to_have_attribute("data-filter", "ready")


def test_offline_the_phone_tells_what_will_not_count_and_the_alert_names_what_did_not(live_server, launch, new_context):
    api = live_server.api
    activity = live_server.new_activity("核对读书会")
    now = datetime.now(ZONE).replace(microsecond=0)
    # Ended 8 hours ago, beyond the server's 6-hour margin (held), and today or yesterday, the
    # days the phone lists at any hour (not "yesterday evening": before 06:00 that is two days back).
    ended = activity_at(live_server, "早些时候的讲座", now - timedelta(hours=10), now - timedelta(hours=8))
    good, other_phone, later_revoked = api.new_code(), api.new_code(), resident(api)
    withdrawn = resident(api)
    replace_code(api, withdrawn["resident_key"])  # revoked before the phone's filter
    unregistered = new_code()

    context = new_context(launch())
    page = context.new_page()
    sign_in(page)
    expect(page.locator(f"[data-activity-id='{activity['id']}'] .phase")).to_have_text("进行中")
    wait_for_service_worker(page)
    open_activity(page, activity["id"])
    filter_ready(page)
    page.click("#sync-now")
    expect(page.locator("#status .last-sync")).to_contain_text("上次同步")
    last_sync = page.evaluate(LAST_SYNC)
    assert last_sync

    context.set_offline(True)
    # Revoked while the phone is offline: the phone cannot know, shows it green; the server refuses.
    replace_code(api, later_revoked["resident_key"])
    # Another phone counts this person first: this phone's green becomes a duplicate.
    token2 = api.token("volunteer2")
    status, body = api.call("POST", "/sync", {"device_id": "other-phone", "sent_at": now.isoformat(), "checkins": [
        {"id": "0190c0de-0000-7000-8000-000000000001", "activity_id": activity["id"], "kind": "attendee",
         "code": other_phone, "headcount": None, "scanned_at": now.isoformat()}]}, token=token2)
    assert status == 200 and body["summary"]["accepted"] == 1, body

    scan_by_hand(page, unregistered, "bad")
    expect(page.locator("#feedback")).to_contain_text("此签到码未登记")
    scan_by_hand(page, withdrawn["code"], "bad")
    expect(page.locator("#feedback")).to_contain_text("此签到码已作废")
    expect_pending(page, 0)  # nothing of either was queued
    scan_by_hand(page, good)
    scan_by_hand(page, other_phone)
    scan_by_hand(page, later_revoked["code"])
    expect(page.locator("#feedback")).to_contain_text("签到成功")
    page.fill("#tally-n", "3")
    page.click("#tally-add")
    expect(page.locator("#count-walkins")).to_have_text("3")
    expect(page.locator(".counts")).to_contain_text("本机")
    expect_pending(page, 4)

    # "Last sync" does not move while nobody answers.
    page.click("#sync-now")
    expect(page.locator("#status")).to_have_attribute("data-online", "false")
    assert page.evaluate(LAST_SYNC) == last_sync

    # The activity that ended hours ago: amber, queued, held by the server.
    page.click("#back")
    expect(page.locator(f"[data-activity-id='{ended['id']}'] .phase")).to_have_text("已结束")
    open_activity(page, ended["id"])
    scan_by_hand(page, good, "warn")
    expect(page.locator("#feedback")).to_contain_text("活动已结束，将交负责人核实")
    expect_pending(page, 5)
    page.click("#back")
    open_activity(page, activity["id"])

    context.set_offline(False)
    page.click("#sync-now")
    expect_pending(page, 0)
    alert = page.locator("[role=alert]#refused")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("2 条签到未被计入")
    expect(alert).to_contain_text(grouped(later_revoked["code"]))
    expect(alert).to_contain_text("此签到码已作废")
    expect(alert).to_contain_text(grouped(other_phone))
    expect(alert).to_contain_text("今天已计入过")
    assert page.evaluate(LAST_SYNC) != last_sync

    receipt = page.locator("#receipt")
    expect(receipt).to_have_attribute("data-accepted", "4")  # people: one code and a tally of 3
    expect(receipt).to_contain_text("已计入：4 人次")
    expect(page.locator("#server-attendance")).to_contain_text("5")  # with the other phone's
    stats = live_server.stats(activity["id"])
    assert (stats["attendance"], stats["scanned"], stats["headcount"]) == (5, 2, 3)
    assert live_server.stats(ended["id"])["held"] == 1

    # Until dismissed, also after a reload; then gone.
    page.reload()
    expect(page.locator("#refused")).to_contain_text("2 条签到未被计入")
    page.click("#refused-dismiss")
    expect(page.locator("#refused")).to_be_hidden()
    page.reload()
    filter_ready(page)
    expect(page.locator("#refused")).to_be_hidden()
