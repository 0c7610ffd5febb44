"""Corrections on the web pages: the site lead voids a counted check-in or tally with a reason
(/unit/activities/<id>/corrections), the bureau sees who, when and why (/region/<code>/corrections);
approving a held check-in is refused while the table is accepted."""
from datetime import datetime, timedelta

from conftest import ZONE, assert_counts_exact, checkin, sync_body
from sqlalchemy import select
from test_workspace_support import csrf_token, lead, other, post, sign_in  # noqa: F401 (fixtures)

from lwpwa.checkins import voids
from lwpwa.checkins.models import Checkin, Correction
from lwpwa.extensions import db
from lwpwa.workspace import corrections as corrections_page
from lwpwa.workspace import review


def synced(client, unit, items):
    body = client.post("/api/v1/sync", headers=unit.headers, json=sync_body(items)).get_json()
    return [result["status"] for result in body["results"]]


def stored(item):
    return db.session.scalar(select(Checkin).where(Checkin.client_id == item["id"]))


def today():
    return datetime.now(ZONE).date().isoformat()


def test_the_site_lead_voids_a_scan_and_a_tally_with_a_reason(lead, make, unit, runner):
    _r, code = make.resident(display_name="欧阳娜娜")
    scan, tally = checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=10)
    assert synced(lead, unit, [scan, tally]) == ["accepted", "accepted"]
    assert unit.activity.name in lead.get(f"/unit/activities/{unit.activity.id}").get_data(as_text=True)
    assert f"/unit/activities/{unit.activity.id}/corrections" in \
        lead.get(f"/unit/activities/{unit.activity.id}").get_data(as_text=True)
    page = lead.get(f"/unit/activities/{unit.activity.id}/corrections").get_data(as_text=True)
    assert "欧***" in page and "欧阳娜娜" not in page and "10" in page
    assert "作废" in page

    response = post(lead, f"/unit/checkins/{stored(tally).id}/void", {"reason": "误点了 +10"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/unit/activities/{unit.activity.id}/corrections")
    assert stored(tally).status == "voided"
    assert assert_counts_exact() == {(unit.activity.id, "attendee", today()): (1, 0)}
    assert runner.invoke(args=["recount"]).exit_code == 0
    page = lead.get(f"/unit/activities/{unit.activity.id}/corrections").get_data(as_text=True)
    assert "误点了 +10" in page and unit.lead.username in page
    # Voided once: a second void of it changes nothing.
    again = post(lead, f"/unit/checkins/{stored(tally).id}/void", {"reason": "再来一次"}, follow_redirects=True)
    assert "未作任何更改" in again.get_data(as_text=True)
    assert db.session.query(Correction).count() == 1


def test_a_void_needs_a_clean_reason_and_its_csrf_token(lead, make, unit):
    _r, code = make.resident()
    scan = checkin(unit.activity.id, code=code)
    synced(lead, unit, [scan])
    url = f"/unit/checkins/{stored(scan).id}/void"
    for reason in ("", "   ", "x" * 201, "bad\x07bell", "\u202eevil"):
        response = post(lead, url, {"reason": reason})
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert lead.post(url, data={"reason": "没有令牌"}).status_code == 400
    assert stored(scan).status == "accepted"
    assert db.session.query(Correction).count() == 0


def test_another_units_check_ins_and_pages_are_not_found(lead, make, unit, other):
    other_volunteer = make.auth(other.volunteer)
    item = checkin(other.activity.id, headcount=2)
    lead.post("/api/v1/sync", headers=other_volunteer, json=sync_body([item]))
    assert stored(item).status == "accepted"
    assert post(lead, f"/unit/checkins/{stored(item).id}/void", {"reason": "不是我们的"}).status_code == 404
    assert lead.get(f"/unit/activities/{other.activity.id}/corrections").status_code == 404
    assert stored(item).status == "accepted"


def test_no_void_and_no_approval_while_the_bureau_has_accepted_the_table(lead, make, unit, monkeypatch):
    _r, code = make.resident()
    scan = checkin(unit.activity.id, code=code)
    late = checkin(unit.activity.id, headcount=3, scanned_at=datetime.now(ZONE) + timedelta(days=3))
    assert synced(lead, unit, [scan, late]) == ["accepted", "held"]
    accepted = lambda org_id, campaign_id: (org_id, campaign_id) == (unit.org.id, unit.campaign.id)  # noqa: E731
    for module in (voids, corrections_page, review):
        monkeypatch.setattr(module, "table_accepted", accepted)
    page = lead.get(f"/unit/activities/{unit.activity.id}/corrections").get_data(as_text=True)
    assert "disabled" in page
    response = post(lead, f"/unit/checkins/{stored(scan).id}/void", {"reason": "已经验收"}, follow_redirects=True)
    assert "验收" in response.get_data(as_text=True)
    assert stored(scan).status == "accepted"
    # Approving the held tally would change a figure of the accepted table: refused, clearly.
    response = post(lead, f"/unit/review/{stored(late).id}", {"decision": "approve", "note": "手机时间不准"},
                    follow_redirects=True)
    assert "验收" in response.get_data(as_text=True)
    assert (stored(late).status, stored(late).resolved_at) == ("held", None)
    response = post(lead, f"/unit/review/activities/{unit.activity.id}", {"decision": "approve", "note": "全部"},
                    follow_redirects=True)
    assert stored(late).resolved_at is None
    # Rejecting changes no figure: still possible.
    post(lead, f"/unit/review/{stored(late).id}", {"decision": "reject", "note": "不是本活动"})
    assert stored(late).resolved_at is not None
    assert assert_counts_exact() == {(unit.activity.id, "attendee", today()): (1, 0)}


def test_the_bureau_sees_who_voided_what_when_and_why(client, lead, make, unit, other):
    _r, code = make.resident(display_name="欧阳娜娜")
    scan, tally = checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=4)
    synced(lead, unit, [scan, tally])
    undo = {"id": "0190a000-0000-7000-8000-0000000000aa", "kind": "void", "voids": scan["id"],
            "scanned_at": datetime.now(ZONE).isoformat()}
    synced(lead, unit, [undo])
    post(lead, f"/unit/checkins/{stored(tally).id}/void", {"reason": "重复计数"})

    city = sign_in(client.application.test_client(), make.user("bureau", region_code="140100"))
    dashboard = city.get(f"/region/140100/?campaign={unit.campaign.id}").get_data(as_text=True)
    assert f"/region/140100/corrections?campaign={unit.campaign.id}" in dashboard
    page = city.get(f"/region/140100/corrections?campaign={unit.campaign.id}&org={unit.org.id}").get_data(as_text=True)
    assert "重复计数" in page and unit.lead.username in page and unit.volunteer.username in page
    assert "欧阳娜娜" not in page and "欧***" not in page
    assert unit.org.name in city.get(f"/region/140100/corrections?campaign={unit.campaign.id}").get_data(as_text=True)
    # A unit outside the region, and another region, are not found.
    assert city.get(f"/region/140100/corrections?campaign={unit.campaign.id}&org={other.org.id}").status_code == 404
    assert city.get(f"/region/140200/corrections?campaign={unit.campaign.id}").status_code == 404
    datong = sign_in(client.application.test_client(), make.user("bureau", region_code="140200"))
    assert "重复计数" not in datong.get(f"/region/140200/corrections?campaign={unit.campaign.id}").get_data(as_text=True)


def test_the_pages_in_english(lead, make, unit):
    _r, code = make.resident()
    scan = checkin(unit.activity.id, code=code)
    synced(lead, unit, [scan, checkin(unit.activity.id, headcount=2)])
    post(lead, f"/unit/checkins/{stored(scan).id}/void", {"reason": "wrong activity"})
    lead.get("/lang/en")
    page = lead.get(f"/unit/activities/{unit.activity.id}/corrections").get_data(as_text=True)
    assert "Corrections done" in page and "Why is it voided?" in page and "wrong activity" in page
