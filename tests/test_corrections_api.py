"""A site lead's void (POST /api/v1/checkins/<id>/void) and the list of an activity's corrections
(GET /api/v1/activities/<id>/corrections): who may, what it answers, the counts after it."""
import json
from datetime import datetime, timedelta

import pytest
from conftest import ZONE, assert_counts_exact, checkin, sync_body
from test_openapi import Api, doc  # noqa: F401 (fixture)

from lwpwa.checkins import voids
from lwpwa.checkins.models import Checkin, Correction
from lwpwa.extensions import db

VOID = "/api/v1/checkins/{client_id}/void"
CORRECTIONS = "/api/v1/activities/{activity_id}/corrections"


@pytest.fixture
def api(client, doc):  # noqa: F811
    return Api(client, doc)


def synced(client, headers, items):
    response = client.post("/api/v1/sync", json=sync_body(items), headers=headers)
    assert response.status_code == 200
    return [(r["status"], r["reason"]) for r in response.get_json()["results"]]


def today():
    return datetime.now(ZONE).date().isoformat()


def test_a_site_lead_voids_a_counted_scan_and_a_tally_and_the_counts_drop(api, client, unit, make, runner):
    resident, code = make.resident(display_name="张三丰")
    scan, tally = checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=5)
    synced(client, unit.headers, [scan, tally])
    assert assert_counts_exact() == {(unit.activity.id, "attendee", today()): (1, 5)}

    body = api.call("post", VOID, 200, path=VOID.format(client_id=scan["id"]), headers=unit.lead_headers,
                    json={"reason": "扫错了活动"})
    assert (body["id"], body["status"], body["kind"], body["headcount"]) == (scan["id"], "voided", "attendee", None)
    assert body["recorded_by"] == unit.volunteer.username
    assert assert_counts_exact() == {(unit.activity.id, "attendee", today()): (0, 5)}
    api.call("post", VOID, 200, path=VOID.format(client_id=tally["id"]), headers=unit.lead_headers,
             json={"reason": "多点了一次 +5"})
    assert assert_counts_exact() == {}
    assert runner.invoke(args=["recount"]).exit_code == 0
    stats = client.get(f"/api/v1/activities/{unit.activity.id}/stats", headers=unit.headers).get_json()
    assert (stats["attendance"], stats["scanned"], stats["headcount"]) == (0, 0, 0)

    # Voided wherever it is answered: a resend of the check-in's id says so, and counts nothing.
    assert synced(client, unit.headers, [scan, tally]) == [("voided", None), ("voided", None)]
    # Voiding it again: not counted any more.
    again = api.call("post", VOID, 409, path=VOID.format(client_id=scan["id"]), headers=unit.lead_headers,
                     json={"reason": "再来一次"})
    assert again["error"]["code"] == "not_counted"
    # The same person can be counted again that day by a later scan.
    assert synced(client, unit.headers, [checkin(unit.activity.id, code=code)]) == [("accepted", None)]
    assert assert_counts_exact() == {(unit.activity.id, "attendee", today()): (1, 0)}

    # Every correction is listed, newest first, with who, when and why; never the resident.
    listing = api.call("get", CORRECTIONS, 200, path=CORRECTIONS.format(activity_id=unit.activity.id),
                       headers=unit.headers)
    assert [(c["checkin_id"], c["by"], c["reason"], c["kind"], c["headcount"], c["source"]) for c in listing] == [
        (tally["id"], unit.lead.username, "多点了一次 +5", "attendee", 5, "site_lead"),
        (scan["id"], unit.lead.username, "扫错了活动", "attendee", None, "site_lead")]
    assert "张三丰" not in json.dumps(listing, ensure_ascii=False) and code not in json.dumps(listing)
    corrections = db.session.query(Correction).all()
    assert {c.checkin_id for c in corrections} == set(
        db.session.scalars(db.select(Checkin.id).where(Checkin.status == "voided")))


def test_only_counted_check_ins_of_the_callers_unit_can_be_voided(api, client, unit, make):
    _r, code = make.resident()
    early = unit.activity.starts_at - timedelta(hours=8)
    held, counted, duplicate = (checkin(unit.activity.id, code=code, scanned_at=early),
                                checkin(unit.activity.id, code=code), checkin(unit.activity.id, code=code))
    synced(client, unit.headers, [held, counted, duplicate])
    reason = {"reason": "测试"}
    for item in (held, duplicate):
        body = api.call("post", VOID, 409, path=VOID.format(client_id=item["id"]), headers=unit.lead_headers,
                        json=reason)
        assert body["error"]["code"] == "not_counted"
    other_lead = make.auth(make.user("site_lead", org=make.org(name="别家")))
    for client_id in (counted["id"], "00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        api.call("post", VOID, 404, path=VOID.format(client_id=client_id), headers=other_lead, json=reason)
    api.call("post", VOID, 403, path=VOID.format(client_id=counted["id"]), headers=unit.headers, json=reason)
    bureau = make.auth(make.user("bureau", region_code="140100"))
    api.call("post", VOID, 403, path=VOID.format(client_id=counted["id"]), headers=bureau, json=reason)
    assert db.session.scalar(db.select(Checkin.status).where(Checkin.client_id == counted["id"])) == "accepted"
    admin = make.auth(make.user("admin"))
    assert api.call("post", VOID, 200, path=VOID.format(client_id=counted["id"]), headers=admin,
                    json=reason)["status"] == "voided"
    assert assert_counts_exact() == {}


@pytest.mark.parametrize("body", [{}, {"reason": None}, {"reason": "   "}, {"reason": 12}, {"reason": "x" * 201},
                                  {"reason": "bad\x07bell"}, {"reason": "a\nb"}, {"reason": "\u202eevil"},
                                  {"reason": "\ud800"}])
def test_a_void_needs_a_clean_reason(client, unit, make, body):
    _r, code = make.resident()
    item = checkin(unit.activity.id, code=code)
    synced(client, unit.headers, [item])
    response = client.post(VOID.format(client_id=item["id"]), headers=unit.lead_headers,
                           data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and "reason" in error["fields"]
    assert db.session.scalar(db.select(Checkin.status).where(Checkin.client_id == item["id"])) == "accepted"
    assert client.post(VOID.format(client_id=item["id"]), headers=unit.lead_headers, data="not json",
                       content_type="application/json").get_json()["error"]["code"] == "invalid_json"


def test_no_void_while_the_bureau_has_accepted_the_table(api, client, unit, make, monkeypatch):
    _r, code = make.resident()
    item = checkin(unit.activity.id, code=code)
    synced(client, unit.headers, [item])
    monkeypatch.setattr(voids, "table_accepted", lambda org_id, campaign_id: (org_id, campaign_id) == (
        unit.org.id, unit.campaign.id))
    body = api.call("post", VOID, 409, path=VOID.format(client_id=item["id"]), headers=unit.lead_headers,
                    json={"reason": "太晚了"})
    assert body["error"]["code"] == "table_accepted"
    assert assert_counts_exact() == {(unit.activity.id, "attendee", today()): (1, 0)}


def test_the_corrections_list_is_for_the_unit_and_its_bureaus(api, client, unit, make):
    _r, code = make.resident()
    item = checkin(unit.activity.id, code=code)
    synced(client, unit.headers, [item])
    undo = {"id": "0190a000-0000-7000-8000-000000000001", "kind": "void", "voids": item["id"],
            "scanned_at": datetime.now(ZONE).isoformat()}
    assert synced(client, unit.headers, [undo]) == [("accepted", None)]
    path = CORRECTIONS.format(activity_id=unit.activity.id)
    for headers in (unit.headers, unit.lead_headers, make.auth(make.user("bureau", region_code="140100")),
                    make.auth(make.user("bureau", region_code="140000")), make.auth(make.user("admin"))):
        listing = api.call("get", CORRECTIONS, 200, path=path, headers=headers)
        assert [(c["checkin_id"], c["by"], c["reason"], c["source"]) for c in listing] == [
            (item["id"], unit.volunteer.username, None, "phone")]
    for headers in (make.auth(make.user("site_lead", org=make.org(name="别家"))),
                    make.auth(make.user("bureau", region_code="140200"))):
        api.call("get", CORRECTIONS, 404, path=path, headers=headers)
