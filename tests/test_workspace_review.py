"""Review: held check-ins approved or rejected with a reason; the audit list of rejected scans."""
from datetime import datetime, timedelta

from conftest import ZONE, assert_counts_exact, checkin, sync_body
from sqlalchemy import select
from test_workspace_support import lead, other, post  # noqa: F401 (fixtures)

from lwpwa.checkins.models import Checkin
from lwpwa.extensions import db


def held_scan(client, unit, code, days=3, headers=None):
    """A scan three days after the activity: held for the site lead."""
    item = checkin(unit.activity.id, code=code, scanned_at=datetime.now(ZONE) + timedelta(days=days))
    result = client.post("/api/v1/sync", headers=headers or unit.headers, json=sync_body([item])).get_json()
    assert result["results"][0]["status"] == "held"
    return db.session.scalar(select(Checkin).where(Checkin.client_id == item["id"]))


def activity_stats(client, unit):
    return client.get(f"/api/v1/activities/{unit.activity.id}/stats", headers=unit.lead_headers).get_json()


def attendance(client, unit):
    return activity_stats(client, unit)["attendance"]


def test_held_check_ins_are_listed_with_masked_names(lead, make, unit):
    _resident, code = make.resident(display_name="欧阳娜娜")
    held_scan(lead, unit, code)
    html = lead.get("/unit/review").get_data(as_text=True)
    assert "欧***" in html and "欧阳娜娜" not in html
    assert unit.activity.name in html


def test_approving_counts_it_once(lead, make, unit):
    _resident, code = make.resident()
    first = held_scan(lead, unit, code)
    second = held_scan(lead, unit, code)  # the same person, the same day
    assert attendance(lead, unit) == 0
    assert assert_counts_exact() == {}
    assert post(lead, f"/unit/review/{first.id}", {"decision": "approve", "note": "手机时间不准"}).status_code == 302
    assert attendance(lead, unit) == 1
    key = (unit.activity.id, "attendee", first.day.isoformat())
    assert assert_counts_exact() == {key: (1, 0)}
    assert post(lead, f"/unit/review/{second.id}", {"decision": "approve", "note": "同上"}).status_code == 302
    assert attendance(lead, unit) == 1
    assert assert_counts_exact() == {key: (1, 0)}  # approved as a duplicate: adds nothing
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert (first.resolved_by_id, first.resolution_note) == (unit.lead.id, "手机时间不准")
    html = lead.get("/unit/review").get_data(as_text=True)
    assert "没有等待审核的签到" in html and "手机时间不准" in html


def test_an_approved_tally_adds_its_headcount_and_a_rejected_one_nothing(lead, make, unit):
    late = datetime.now(ZONE) + timedelta(days=3)
    items = [checkin(unit.activity.id, headcount=6, scanned_at=late),
             checkin(unit.activity.id, headcount=4, scanned_at=late, kind="volunteer"),
             checkin(unit.activity.id, headcount=9, scanned_at=late)]
    lead.post("/api/v1/sync", headers=unit.headers, json=sync_body(items))
    rows = [db.session.scalar(select(Checkin).where(Checkin.client_id == item["id"])) for item in items]
    assert [row.status for row in rows] == ["held"] * 3
    post(lead, f"/unit/review/{rows[0].id}", {"decision": "approve", "note": "补录"})
    post(lead, f"/unit/review/{rows[1].id}", {"decision": "approve", "note": "补录"})
    post(lead, f"/unit/review/{rows[2].id}", {"decision": "reject", "note": "重复登记"})
    day = late.date().isoformat()
    assert assert_counts_exact() == {(unit.activity.id, "attendee", day): (0, 6),
                                     (unit.activity.id, "volunteer", day): (0, 4)}
    assert attendance(lead, unit) == 6


def test_a_held_scan_without_a_local_day_stays_uncounted_when_approved(lead, make, unit):
    """A scan in the last hour of year 9999 (UTC) has no date in Beijing: it is held, and it
    cannot count under any day, so approving it keeps it held."""
    _resident, code = make.resident()
    item = checkin(unit.activity.id, code=code)
    item["scanned_at"] = "9999-12-31T23:30:00+00:00"
    body = {"device_id": "d", "sent_at": datetime.now(ZONE).isoformat(), "checkins": [item]}
    assert lead.post("/api/v1/sync", headers=unit.headers, json=body).get_json()["results"][0]["status"] == "held"
    row = db.session.scalar(select(Checkin).where(Checkin.client_id == item["id"]))
    assert row.day is None
    response = post(lead, f"/unit/review/{row.id}", {"decision": "approve", "note": "试试"}, follow_redirects=True)
    assert "该签到不计入。" in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.status == "held" and row.resolved_at is not None
    assert assert_counts_exact() == {} and attendance(lead, unit) == 0


def test_rejecting_keeps_it_uncounted_and_a_resend_still_answers_held(lead, make, unit):
    _resident, code = make.resident()
    held = held_scan(lead, unit, code)
    assert activity_stats(lead, unit)["held"] == 1
    assert post(lead, f"/unit/review/{held.id}", {"decision": "reject", "note": "选错了活动"}).status_code == 302
    assert activity_stats(lead, unit)["held"] == 0  # decided: no longer waiting for the lead
    db.session.refresh(held)
    assert held.status == "held" and held.resolved_at is not None and held.resolution_note == "选错了活动"
    assert attendance(lead, unit) == 0
    item = {"id": held.client_id, "activity_id": unit.activity.id, "kind": "attendee", "code": code,
            "scanned_at": datetime.now(ZONE).isoformat()}
    again = lead.post("/api/v1/sync", headers=unit.headers, json=sync_body([item])).get_json()
    assert again["results"][0]["status"] == "held"
    # A decision is final: deciding again changes nothing.
    post(lead, f"/unit/review/{held.id}", {"decision": "approve", "note": "改主意"})
    db.session.refresh(held)
    assert held.status == "held" and attendance(lead, unit) == 0


def test_a_decision_needs_a_reason_and_a_csrf_token(lead, make, unit):
    _resident, code = make.resident()
    held = held_scan(lead, unit, code)
    response = post(lead, f"/unit/review/{held.id}", {"decision": "approve", "note": "  "})
    assert response.status_code == 400 and 'class="field-error"' in response.get_data(as_text=True)
    response = post(lead, f"/unit/review/{held.id}", {"decision": "maybe", "note": "?"})
    assert response.status_code == 400
    assert lead.post(f"/unit/review/{held.id}", data={"decision": "approve", "note": "x"}).status_code == 400
    db.session.refresh(held)
    assert held.resolved_at is None and held.status == "held"


def test_rejected_scans_are_listed_for_audit(lead, make, unit, other):
    bad = checkin(unit.activity.id, code="0000000000000000Z")
    lead.post("/api/v1/sync", headers=unit.headers, json=sync_body([bad], device_id="phone-of-unit-a"))
    lead.post("/api/v1/sync", headers=make.auth(other.volunteer),
              json=sync_body([checkin(other.activity.id, code="1111111111111111Z")], device_id="phone-of-unit-b"))
    html = lead.get("/unit/review").get_data(as_text=True)
    assert "phone-of-unit-a" in html and "phone-of-unit-b" not in html


def test_another_units_check_ins_are_not_found(lead, make, unit, other):
    _resident, code = make.resident()
    theirs = checkin(other.activity.id, code=code, scanned_at=datetime.now(ZONE) + timedelta(days=3))
    lead.post("/api/v1/sync", headers=make.auth(other.volunteer), json=sync_body([theirs]))
    row = db.session.scalar(select(Checkin).where(Checkin.client_id == theirs["id"]))
    assert row.status == "held"
    assert post(lead, f"/unit/review/{row.id}", {"decision": "approve", "note": "x"}).status_code == 404
    db.session.refresh(row)
    assert row.status == "held" and row.resolved_at is None
    assert other.activity.name not in lead.get("/unit/review").get_data(as_text=True)


def upload_rescue(client, body):
    from io import BytesIO
    from json import dumps

    from test_workspace_support import csrf_token
    return client.post("/unit/review/rescue", data={"csrf_token": csrf_token(client, "/unit/review"),
                                                    "file": (BytesIO(dumps(body).encode()), "outbox.json")},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_phones_exported_file_is_rescued_exactly_once(lead, make, unit, other):
    codes = [make.resident()[1] for _ in range(3)]
    exported = [sync_body([checkin(unit.activity.id, code=codes[0]), checkin(unit.activity.id, headcount=2)],
                          device_id="broken-phone"),
                sync_body([checkin(unit.activity.id, code=codes[1]),
                           checkin(other.activity.id, code=codes[2]),  # another unit's: rejected
                           checkin(unit.activity.id, code=codes[2],
                                   scanned_at=datetime.now(ZONE) + timedelta(days=3))],  # held
                          device_id="broken-phone")]
    html = upload_rescue(lead, exported).get_data(as_text=True)
    assert "文件已读取：3 条计入，0 条此前已计入，1 条待审核，1 条被拒绝。 其中 0 条服务器上已有" in html
    assert attendance(lead, unit) == 4
    again = upload_rescue(lead, exported).get_data(as_text=True)
    assert "文件已读取：3 条计入，0 条此前已计入，1 条待审核，1 条被拒绝。 其中 5 条服务器上已有" in again
    assert attendance(lead, unit) == 4
    assert assert_counts_exact() == {(unit.activity.id, "attendee", datetime.now(ZONE).date().isoformat()): (2, 2)}
    rows = db.session.scalars(select(Checkin).where(Checkin.device_id == "broken-phone")).all()
    assert sorted(r.status for r in rows) == ["accepted", "accepted", "accepted", "held", "rejected"]
    assert other.activity.id not in {r.activity_id for r in rows if r.status == "accepted"}


def test_a_rescue_file_must_be_an_export_and_carry_a_csrf_token(lead, unit):
    html = upload_rescue(lead, {"not": "an export"}).get_data(as_text=True)
    assert "flash-error" in html
    from io import BytesIO
    response = lead.post("/unit/review/rescue", data={"file": (BytesIO(b"[]"), "x.json")},
                         content_type="multipart/form-data")
    assert response.status_code == 400


def test_all_held_check_ins_of_an_activity_are_decided_at_once(lead, make, unit):
    codes = [make.resident()[1] for _ in range(3)]
    held = [held_scan(lead, unit, code) for code in codes] + [held_scan(lead, unit, codes[0])]
    html = lead.get("/unit/review").get_data(as_text=True)
    assert f"一次处理“{unit.activity.name}”的全部 4 条待审核签到" in html
    assert post(lead, f"/unit/review/activities/{unit.activity.id}", {"decision": "approve", "note": ""}).status_code == 400
    response = post(lead, f"/unit/review/activities/{unit.activity.id}",
                    {"decision": "approve", "note": "整场选错了时间"}, follow_redirects=True)
    assert "4 条待审核签到已处理：3 条计入，1 条此前已计入，0 条不计入" in response.get_data(as_text=True)
    assert attendance(lead, unit) == 3
    for row in held:
        db.session.refresh(row)
    assert sorted(r.status for r in held) == ["accepted", "accepted", "accepted", "duplicate"]
    assert assert_counts_exact() == {(unit.activity.id, "attendee", held[0].day.isoformat()): (3, 0)}


def test_bulk_decisions_stay_in_the_own_unit(lead, make, unit, other):
    _resident, code = make.resident()
    theirs = checkin(other.activity.id, code=code, scanned_at=datetime.now(ZONE) + timedelta(days=3))
    lead.post("/api/v1/sync", headers=make.auth(other.volunteer), json=sync_body([theirs]))
    assert post(lead, f"/unit/review/activities/{other.activity.id}",
                {"decision": "approve", "note": "x"}).status_code == 404
    row = db.session.scalar(select(Checkin).where(Checkin.client_id == theirs["id"]))
    assert row.status == "held" and row.resolved_at is None


def test_a_long_queue_shows_the_first_200_and_offers_the_bulk_decision(lead, make, unit):
    _resident, code = make.resident()
    late = datetime.now(ZONE) + timedelta(days=3)
    items = [checkin(unit.activity.id, code=code, scanned_at=late) for _ in range(202)]
    summary = lead.post("/api/v1/sync", headers=unit.headers, json=sync_body(items)).get_json()["summary"]
    assert summary["held"] == 202
    html = lead.get("/unit/review").get_data(as_text=True)
    assert html.count('class="card held-item"') == 200
    assert "仅显示 202 条中的 200 条" in html and "全部 202 条待审核签到" in html


def test_the_scanner_apps_own_export_file_is_rescued(lead, make, unit):
    """The file the PWA's "Export unsent check-ins" writes (static/app/store.js exportPending)."""
    codes = [make.resident()[1] for _ in range(2)]
    items = [checkin(unit.activity.id, code=codes[0]), checkin(unit.activity.id, code=codes[1]),
             checkin(unit.activity.id, headcount=3)]
    exported = {"format": "lwpwa-outbox", "version": 1, "exported_at": datetime.now(ZONE).isoformat(),
                "device_id": "7d3f9a2e-broken-phone", "checkins": items}
    upload_rescue(lead, exported)
    assert attendance(lead, unit) == 5
    upload_rescue(lead, exported)
    assert attendance(lead, unit) == 5
    assert assert_counts_exact() == {(unit.activity.id, "attendee", datetime.now(ZONE).date().isoformat()): (2, 3)}
