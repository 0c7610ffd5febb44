"""POST /api/v1/sync: every status and reason, idempotency, clock errors, bad input."""
import random
import uuid
from datetime import datetime, timedelta

from conftest import ZONE, checkin, sync_body

from lwpwa.checkins.models import Checkin
from lwpwa.extensions import db
from lwpwa.residents import service as residents
from lwpwa.residents.models import Resident


def post_sync(client, headers, items, **kwargs):
    response = client.post("/api/v1/sync", json=sync_body(items, **kwargs), headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def stats(client, headers, activity_id):
    response = client.get(f"/api/v1/activities/{activity_id}/stats", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def statuses(body):
    return [(r["status"], r["reason"]) for r in body["results"]]


def test_an_accepted_scan_counts_once_and_answers_in_the_documented_shape(client, unit, make):
    _resident, code = make.resident()
    item = checkin(unit.activity.id, code=code)
    body = post_sync(client, unit.headers, [item])
    assert body["results"] == [{"id": item["id"], "status": "accepted", "reason": None}]
    assert body["summary"] == {"accepted": 1, "duplicate": 0, "held": 0, "rejected": 0}
    assert datetime.fromisoformat(body["server_time"]).tzinfo is not None
    figures = stats(client, unit.headers, unit.activity.id)
    assert figures["attendance"] == 1 and figures["scanned"] == 1 and figures["headcount"] == 0
    assert figures["by_day"] == [{"date": datetime.now(ZONE).date().isoformat(), "attendance": 1,
                                  "volunteers": 0, "scanned": 1, "headcount": 0}]


def test_the_same_person_twice_a_day_is_a_duplicate_stored_but_not_counted(client, unit, make):
    _resident, code = make.resident()
    body = post_sync(client, unit.headers, [checkin(unit.activity.id, code=code),
                                            checkin(unit.activity.id, code=code)])
    assert statuses(body) == [("accepted", None), ("duplicate", None)]
    later = post_sync(client, unit.headers, [checkin(unit.activity.id, code=code)])
    assert statuses(later) == [("duplicate", None)]
    assert stats(client, unit.headers, unit.activity.id)["attendance"] == 1
    assert db.session.query(Checkin).filter_by(status="duplicate").count() == 2


def test_a_code_counts_as_attendee_and_as_volunteer_separately(client, unit, make):
    _resident, code = make.resident()
    body = post_sync(client, unit.headers, [checkin(unit.activity.id, code=code),
                                            checkin(unit.activity.id, code=code, kind="volunteer")])
    assert statuses(body) == [("accepted", None), ("accepted", None)]
    figures = stats(client, unit.headers, unit.activity.id)
    assert (figures["attendance"], figures["volunteers"]) == (1, 1)


def test_tallies_count_their_headcount_apart_from_scans(client, unit, make):
    _resident, code = make.resident()
    post_sync(client, unit.headers, [checkin(unit.activity.id, code=code),
                                     checkin(unit.activity.id, headcount=3),
                                     checkin(unit.activity.id, headcount=2),
                                     checkin(unit.activity.id, headcount=1, kind="volunteer")])
    figures = stats(client, unit.headers, unit.activity.id)
    assert figures["attendance"] == 6 and figures["scanned"] == 1 and figures["headcount"] == 5
    assert figures["volunteers"] == 1


def test_the_same_resident_on_two_days_counts_twice(client, make):
    campaign = make.campaign()
    org = make.org()
    volunteer = make.user("volunteer", org=org)
    start = datetime.now(ZONE).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)
    activity = make.activity(org, campaign, starts_at=start, hours=36)
    _resident, code = make.resident()
    headers = make.auth(volunteer)
    body = post_sync(client, headers, [checkin(activity.id, code=code, scanned_at=start + timedelta(hours=1)),
                                       checkin(activity.id, code=code, scanned_at=start + timedelta(hours=25))])
    assert statuses(body) == [("accepted", None), ("accepted", None)]
    figures = stats(client, headers, activity.id)
    assert figures["attendance"] == 2
    assert [d["attendance"] for d in figures["by_day"]] == [1, 1]


def test_every_rejection_reason(client, unit, make):
    other_org = make.org(name="别的单位")
    foreign = make.activity(other_org, unit.campaign)
    resident, revoked_code = make.resident()
    residents.replace_code(resident)
    db.session.commit()
    _r, good = make.resident()
    unknown = "0123456789ABCDEF8"  # well-formed, check character right, never issued
    mistyped = good[:-2] + ("X" if good[-2] != "X" else "Y") + good[-1]
    items = [
        checkin(unit.activity.id, code=mistyped),
        checkin(unit.activity.id, code=unknown),
        checkin(unit.activity.id, code=revoked_code),
        checkin(999999, code=good),
        checkin(foreign.id, code=good),
    ]
    body = post_sync(client, unit.headers, items)
    assert statuses(body) == [("rejected", "invalid"), ("rejected", "unknown_code"),
                              ("rejected", "revoked_code"), ("rejected", "forbidden_activity"),
                              ("rejected", "forbidden_activity")]  # no such activity, not ours: alike
    assert body["summary"]["rejected"] == 5
    # Rejected items are kept for audit, with what the device sent.
    kept = db.session.query(Checkin).filter_by(status="rejected").all()
    assert len(kept) == 5 and all(row.raw for row in kept)
    assert stats(client, unit.headers, unit.activity.id)["attendance"] == 0


def test_malformed_items_are_rejected_one_by_one_without_failing_the_batch(client, unit, make):
    _r, code = make.resident()
    good = checkin(unit.activity.id, code=code)
    bad_items = [
        "not an object",
        {"id": "not-a-uuid", "activity_id": unit.activity.id, "kind": "attendee", "code": code,
         "scanned_at": datetime.now(ZONE).isoformat()},
        {**checkin(unit.activity.id, code=code), "kind": "speaker"},
        {**checkin(unit.activity.id, code=code), "headcount": 2},  # both code and headcount
        checkin(unit.activity.id),  # neither
        checkin(unit.activity.id, headcount=0),
        checkin(unit.activity.id, headcount=True),
        {**checkin(unit.activity.id, headcount=1), "activity_id": "12"},
        {**checkin(unit.activity.id, code=code), "scanned_at": "2022-12-15T09:31:02"},  # no offset
        {**checkin(unit.activity.id, code=code), "scanned_at": 1671067862},
        {**checkin(unit.activity.id), "code": "A" * 100_000},
        {**checkin(unit.activity.id), "code": ["list"]},
        None,
    ]
    body = post_sync(client, unit.headers, bad_items + [good])
    assert statuses(body)[:-1] == [("rejected", "invalid")] * len(bad_items)
    assert statuses(body)[-1] == ("accepted", None)
    assert body["results"][1]["id"] == "not-a-uuid"
    assert body["results"][-2]["id"] is None  # an item that is not even an object has no id
    assert db.session.query(Checkin).filter_by(status="rejected").count() == len(bad_items)
    assert all(len(row.raw) <= 500 for row in db.session.query(Checkin).filter_by(status="rejected"))


def test_scans_far_outside_the_activity_time_are_held_and_not_counted(client, unit, make):
    _r, code = make.resident()
    _r2, code2 = make.resident()
    start = unit.activity.starts_at
    body = post_sync(client, unit.headers, [
        checkin(unit.activity.id, code=code, scanned_at=start - timedelta(hours=7)),
        checkin(unit.activity.id, code=code2, scanned_at=unit.activity.ends_at + timedelta(hours=6, minutes=1)),
        checkin(unit.activity.id, headcount=4, scanned_at=start - timedelta(hours=5, minutes=59)),
    ])
    assert statuses(body) == [("held", None), ("held", None), ("accepted", None)]
    figures = stats(client, unit.headers, unit.activity.id)
    assert figures["held"] == 2 and figures["attendance"] == 4


def test_a_held_scan_does_not_block_the_same_person_counting_in_time(client, unit, make):
    _r, code = make.resident()
    body = post_sync(client, unit.headers, [
        checkin(unit.activity.id, code=code, scanned_at=unit.activity.starts_at - timedelta(hours=8)),
        checkin(unit.activity.id, code=code),
    ])
    assert statuses(body) == [("held", None), ("accepted", None)]


def test_resending_answers_the_first_status_and_never_counts_twice(client, unit, make):
    codes = [make.resident()[1] for _ in range(6)]
    items = [checkin(unit.activity.id, code=c) for c in codes]
    items += [checkin(unit.activity.id, code=codes[0]), checkin(unit.activity.id, headcount=2),
              checkin(999999, code=codes[1]),
              checkin(unit.activity.id, code=codes[2], scanned_at=unit.activity.starts_at - timedelta(days=1))]
    first = {r["id"]: (r["status"], r["reason"]) for r in post_sync(client, unit.headers, items)["results"]}
    expected_attendance = stats(client, unit.headers, unit.activity.id)["attendance"]
    assert expected_attendance == 8
    for attempt in range(3):
        shuffled = items[:]
        random.Random(attempt).shuffle(shuffled)
        again = post_sync(client, unit.headers, shuffled, device_id=f"device-{attempt}")
        assert {r["id"]: (r["status"], r["reason"]) for r in again["results"]} == first
    # Split across batches and devices, in reverse order.
    for index, item in enumerate(reversed(items)):
        again = post_sync(client, unit.headers, [item], device_id=f"phone-{index % 3}")
        assert (again["results"][0]["status"], again["results"][0]["reason"]) == first[item["id"]]
    assert stats(client, unit.headers, unit.activity.id)["attendance"] == expected_attendance
    assert db.session.query(Checkin).count() == len(items)


def test_the_same_id_twice_in_one_batch_gets_one_decision(client, unit, make):
    _r, code = make.resident()
    item = checkin(unit.activity.id, code=code)
    tally = checkin(unit.activity.id, headcount=5)
    body = post_sync(client, unit.headers, [item, tally, item, tally])
    assert statuses(body) == [("accepted", None)] * 4
    assert stats(client, unit.headers, unit.activity.id)["attendance"] == 6


def test_ids_are_shared_across_units_and_answer_as_first_decided(client, unit, make):
    """An id another device already used answers its stored status, whoever sends it."""
    _r, code = make.resident()
    item = checkin(unit.activity.id, code=code)
    post_sync(client, unit.headers, [item])
    other_volunteer = make.user("volunteer", org=make.org(name="另一个单位"))
    body = post_sync(client, make.auth(other_volunteer), [item])
    assert statuses(body) == [("accepted", None)]
    assert stats(client, unit.headers, unit.activity.id)["attendance"] == 1


def test_the_device_clock_error_is_corrected_before_the_day_is_decided(client, make):
    """A phone one day behind: its scan belongs to the server's today, not yesterday."""
    campaign = make.campaign()
    org = make.org()
    volunteer = make.user("volunteer", org=org)
    headers = make.auth(volunteer)
    now = datetime.now(ZONE)
    activity = make.activity(org, campaign, starts_at=now - timedelta(hours=1), hours=2)
    _r, code = make.resident()
    wrong_clock = now - timedelta(days=1)
    body = post_sync(client, headers, [checkin(activity.id, code=code, scanned_at=wrong_clock - timedelta(minutes=5))],
                     sent_at=wrong_clock)
    assert statuses(body) == [("accepted", None)]
    row = db.session.query(Checkin).one()
    scanned = now - timedelta(minutes=5)  # the server's day of the corrected time (yesterday just after midnight)
    assert row.day == scanned.date()
    assert abs(row.scanned_at - scanned) < timedelta(seconds=30)
    assert abs(row.device_scanned_at - (wrong_clock - timedelta(minutes=5))) < timedelta(seconds=1)
    assert row.received_at - row.scanned_at > timedelta(minutes=4)
    # The same scan with the same wrong clock but no correction would be held (a day early).
    assert stats(client, headers, activity.id)["by_day"][0]["date"] == scanned.date().isoformat()


def test_a_phone_ahead_by_a_day_is_corrected_too(client, unit, make):
    _r, code = make.resident()
    ahead = datetime.now(ZONE) + timedelta(days=1)
    body = post_sync(client, unit.headers, [checkin(unit.activity.id, code=code, scanned_at=ahead)], sent_at=ahead)
    assert statuses(body) == [("accepted", None)]


def test_a_resident_deleted_later_keeps_every_count(client, unit, make):
    resident, code = make.resident(display_name="张三", age_group="60_plus")
    post_sync(client, unit.headers, [checkin(unit.activity.id, code=code)])
    before = stats(client, unit.headers, unit.activity.id)
    response = client.delete("/api/v1/residents/me", headers={"Authorization": f"Resident {resident.key}"})
    assert response.status_code == 204
    assert stats(client, unit.headers, unit.activity.id) == before
    # Their code no longer signs anyone in.
    body = post_sync(client, unit.headers, [checkin(unit.activity.id, code=code)])
    assert statuses(body) == [("rejected", "revoked_code")]


def test_a_volunteer_of_unit_a_cannot_record_into_unit_b(client, unit, make):
    other = make.org(region_code="140200", name="大同的单位")
    b_activity = make.activity(other, unit.campaign)
    _r, code = make.resident()
    body = post_sync(client, unit.headers, [checkin(b_activity.id, code=code)])
    assert statuses(body) == [("rejected", "forbidden_activity")]
    b_lead = make.user("site_lead", org=other)
    assert stats(client, make.auth(b_lead), b_activity.id)["attendance"] == 0


def test_a_users_own_code_records_them_as_volunteer_on_duty(client, unit, make):
    person = db.session.get(Resident, unit.volunteer.resident_id)
    own = residents.active_code(person).code
    body = post_sync(client, unit.headers, [checkin(unit.activity.id, code=own, kind="volunteer")])
    assert statuses(body) == [("accepted", None)]
    assert stats(client, unit.headers, unit.activity.id)["volunteers"] == 1


def test_who_may_sync(client, unit, make):
    bureau = make.user("bureau", region_code="140100")
    item = checkin(unit.activity.id, headcount=1)
    assert client.post("/api/v1/sync", json=sync_body([item]), headers=make.auth(bureau)).status_code == 403
    assert client.post("/api/v1/sync", json=sync_body([item])).status_code == 401
    response = client.post("/api/v1/sync", json=sync_body([item]), headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"
    assert "WWW-Authenticate" in response.headers


def test_bad_bodies_answer_clear_errors_and_store_nothing(client, unit):
    cases = [
        (b"not json at all", 400, "invalid_json"),
        (b"[1, 2, 3]", 400, "invalid_json"),
        (b'{"device_id": 5, "sent_at": "yesterday", "checkins": {}}', 400, "validation_error"),
        (b'{"device_id": "d", "checkins": []}', 400, "validation_error"),
    ]
    for raw, status, code in cases:
        response = client.post("/api/v1/sync", data=raw, headers={**unit.headers, "Content-Type": "application/json"})
        assert response.status_code == status, raw
        assert response.get_json()["error"]["code"] == code
    response = client.post("/api/v1/sync", data=b'{"device_id": 5, "sent_at": "x", "checkins": {}}',
                           headers={**unit.headers, "Content-Type": "application/json"})
    assert set(response.get_json()["error"]["fields"]) == {"device_id", "sent_at", "checkins"}
    assert db.session.query(Checkin).count() == 0


def test_at_most_1000_items_per_request(client, unit):
    items = [checkin(unit.activity.id, headcount=1) for _ in range(1001)]
    response = client.post("/api/v1/sync", json=sync_body(items), headers=unit.headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "batch_too_large"
    assert db.session.query(Checkin).count() == 0
    body = post_sync(client, unit.headers, items[:1000])
    assert body["summary"]["accepted"] == 1000


def test_a_body_larger_than_the_server_accepts_is_413_not_500(client, unit):
    huge = b'{"device_id": "d", "sent_at": "2022-12-15T10:00:05+08:00", "checkins": ["' + b"x" * (5 * 1024 * 1024) + b'"]}'
    response = client.post("/api/v1/sync", data=huge, headers={**unit.headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_an_empty_batch_is_fine(client, unit):
    body = post_sync(client, unit.headers, [])
    assert body["results"] == [] and body["summary"]["accepted"] == 0


def test_the_id_is_canonicalised_so_case_does_not_make_a_second_count(client, unit):
    tally = checkin(unit.activity.id, headcount=3)
    post_sync(client, unit.headers, [tally])
    upper = {**tally, "id": tally["id"].upper()}
    body = post_sync(client, unit.headers, [upper])
    assert statuses(body) == [("accepted", None)]
    assert body["results"][0]["id"] == upper["id"]  # the answer names the id as the phone spelt it
    assert stats(client, unit.headers, unit.activity.id)["attendance"] == 3
    assert str(uuid.UUID(tally["id"])) == tally["id"]


def test_an_absurd_device_clock_rejects_its_items_but_never_fails_the_batch(client, unit, make):
    _r, code = make.resident()
    # A phone thinking it is year 1 moves its scan some 2,000 years ahead: far outside the
    # activity, held. One thinking it is year 9999 moves it before year 1: no such time, invalid.
    for sent_at, expected in (("0001-01-01T00:00:00+00:00", ("held", None)),
                              ("9999-12-31T23:59:59+00:00", ("rejected", "invalid"))):
        body = {"device_id": "d", "sent_at": sent_at,
                "checkins": [checkin(unit.activity.id, code=code, scanned_at=datetime.now(ZONE))]}
        response = client.post("/api/v1/sync", json=body, headers=unit.headers)
        assert response.status_code == 200, response.get_json()
        assert statuses(response.get_json()) == [expected]
    assert stats(client, unit.headers, unit.activity.id)["attendance"] == 0


def test_activities_at_the_edges_of_the_calendar_never_fail_a_batch(client, unit, make):
    """An activity dated in year 9999 (or year 1) is nonsense, but a scan into it must get an
    answer, not a 500: a scan time with no local day in the campaign's zone cannot be counted."""
    from datetime import timezone

    _r, code = make.resident()
    late = make.activity(unit.org, unit.campaign, starts_at=datetime(9999, 12, 31, 12, tzinfo=timezone.utc), hours=6)
    early = make.activity(unit.org, unit.campaign, starts_at=datetime(1, 1, 1, 1, tzinfo=timezone.utc), hours=6)
    at_the_end = datetime(9999, 12, 31, 17, 30, tzinfo=timezone.utc)  # no local day at +08:00
    at_the_start = datetime(1, 1, 1, 2, tzinfo=timezone.utc)
    # The device's clock is right (sent_at is now), so the scan times stay as given. At the end
    # of year 9999 UTC it is already year 10000 in Shanghai: no day, held. Early on 1 January
    # of year 1 UTC it is a real day in Shanghai: counted as any other.
    for activity, scanned_at, expected, attendance in ((late, at_the_end, "held", 0),
                                                        (early, at_the_start, "accepted", 4)):
        body = {"device_id": "d", "sent_at": datetime.now(timezone.utc).isoformat(),
                "checkins": [checkin(activity.id, code=code, scanned_at=scanned_at),
                             checkin(activity.id, headcount=3, scanned_at=scanned_at)]}
        response = client.post("/api/v1/sync", json=body, headers=unit.headers)
        assert response.status_code == 200, response.get_json()
        assert statuses(response.get_json()) == [(expected, None)] * 2
        assert stats(client, unit.headers, activity.id)["attendance"] == attendance
