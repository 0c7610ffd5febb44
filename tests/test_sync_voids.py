"""The phone's undo: a sync item of kind `void` undoes an earlier check-in or tally of the same
user, made at most 15 minutes before, exactly once (API.md "Corrections"). After every step the
counts table equals the recount from checkins, and `flask recount` exits 0."""
import random
import uuid
from datetime import datetime, timedelta

import pytest
from conftest import ZONE, assert_counts_exact, checkin, sync_body
from sqlalchemy import select
from test_workspace_support import sign_in

from lwpwa.checkins import voids
from lwpwa.checkins.models import Checkin, Correction
from lwpwa.extensions import db


def post(client, headers, items, **kwargs):
    response = client.post("/api/v1/sync", json=sync_body(items, **kwargs), headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def answers(body):
    return [(r["status"], r["reason"]) for r in body["results"]]


def undo(target, at=None, id=None):
    """An undo as the phone makes it, `at` the phone's clock (default: now)."""
    return {"id": id or str(uuid.uuid4()), "kind": "void", "voids": target["id"],
            "scanned_at": (at or datetime.now(ZONE)).isoformat()}


def stats(client, headers, activity_id):
    return client.get(f"/api/v1/activities/{activity_id}/stats", headers=headers).get_json()


def status_of(client_id):
    return db.session.scalar(select(Checkin.status).where(Checkin.client_id == client_id))


def exact(runner):
    table = assert_counts_exact()
    result = runner.invoke(args=["recount"])
    assert result.exit_code == 0, result.output
    return table


def test_an_undo_in_a_later_batch_voids_its_target_once_and_every_answer_stays(client, unit, make, runner):
    _r, code = make.resident()
    scan, tally = checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=4)
    assert answers(post(client, unit.headers, [scan, tally])) == [("accepted", None)] * 2
    day = datetime.now(ZONE).date().isoformat()
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 4)}

    undo_scan, undo_tally = undo(scan), undo(tally)
    body = post(client, unit.headers, [undo_scan])
    assert answers(body) == [("accepted", None)]
    assert body["summary"] == {"accepted": 1, "duplicate": 0, "held": 0, "rejected": 0}
    assert exact(runner) == {(unit.activity.id, "attendee", day): (0, 4)}
    assert post(client, unit.headers, [undo_tally])["results"][0]["status"] == "accepted"
    # The counter row came back to nothing: it is gone, as the recount has no row either.
    assert exact(runner) == {}
    figures = stats(client, unit.headers, unit.activity.id)
    assert (figures["attendance"], figures["scanned"], figures["headcount"]) == (0, 0, 0)

    # Resends, from any device, in any order: the undos answer as before, the check-ins
    # answer `voided`, nothing moves.
    for device in ("phone-1", "phone-2"):
        batch = [scan, tally, undo_scan, undo_tally, scan]
        random.Random(device).shuffle(batch)
        body = post(client, unit.headers, batch, device_id=device)
        expected = {scan["id"]: "voided", tally["id"]: "voided", undo_scan["id"]: "accepted",
                    undo_tally["id"]: "accepted"}
        assert [(r["status"], r["reason"]) for r in body["results"]] == \
               [(expected[item["id"]], None) for item in batch]
        assert body["summary"]["voided"] == 3
        assert exact(runner) == {}
    # Another undo of the same check-in: the target was voided already.
    assert answers(post(client, unit.headers, [undo(scan)])) == [("duplicate", None)]
    assert exact(runner) == {}

    # The undo is stored as a correction pointing at what it undid; the check-in only changed status.
    correction = db.session.scalars(select(Correction).where(Correction.client_id == undo_scan["id"])).one()
    target = db.session.scalars(select(Checkin).where(Checkin.client_id == scan["id"])).one()
    assert (correction.checkin_id, correction.by_id, correction.source, correction.status) == \
           (target.id, unit.volunteer.id, "phone", "accepted")
    assert target.status == "voided" and target.resident_id is not None and target.day is not None


def test_an_undo_in_the_batch_of_its_target_after_it_counts_nothing(client, unit, make, runner):
    _r, code = make.resident()
    scan, tally = checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=3)
    batch = [scan, tally, undo(scan), undo(tally), scan]
    body = post(client, unit.headers, batch)
    # Decided in the order given: each check-in was counted at its turn, then undone; its id
    # coming again after the undo answers `voided`.
    assert answers(body) == [("accepted", None), ("accepted", None), ("accepted", None),
                             ("accepted", None), ("voided", None)]
    assert exact(runner) == {}
    assert status_of(scan["id"]) == status_of(tally["id"]) == "voided"
    assert db.session.query(Correction).filter_by(status="accepted").count() == 2
    # The same batch again, shuffled, from another device: every answer as stored, no count.
    shuffled = batch[:]
    random.Random(3).shuffle(shuffled)
    body = post(client, unit.headers, shuffled, device_id="phone-2")
    stored = {scan["id"]: "voided", tally["id"]: "voided", batch[2]["id"]: "accepted", batch[3]["id"]: "accepted"}
    assert answers(body) == [(stored[item["id"]], None) for item in shuffled]
    assert exact(runner) == {}


def test_an_undo_before_its_target_in_a_batch_is_refused_and_the_target_counts(client, unit, make, runner):
    _r, code = make.resident()
    scan = checkin(unit.activity.id, code=code)
    early_undo = undo(scan)
    assert answers(post(client, unit.headers, [early_undo, scan])) == [
        ("rejected", "void_not_allowed"), ("accepted", None)]
    day = datetime.now(ZONE).date().isoformat()
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}
    # Refused once, refused for ever: the same undo resent answers as stored.
    assert answers(post(client, unit.headers, [early_undo])) == [("rejected", "void_not_allowed")]
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}


def test_after_an_undo_the_same_person_can_be_counted_again_that_day(client, unit, make, runner):
    _r, code = make.resident()
    day = datetime.now(ZONE).date().isoformat()
    first, second, third = (checkin(unit.activity.id, code=code) for _ in range(3))
    post(client, unit.headers, [first])
    # Undo and a new scan of the same person in one later batch: the new scan counts.
    assert answers(post(client, unit.headers, [undo(first), second])) == [("accepted", None)] * 2
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}
    # In one batch with its target: scan, undo, scan again.
    assert answers(post(client, unit.headers, [undo(second), third])) == [("accepted", None)] * 2
    fourth, fifth = checkin(unit.activity.id, code=code), checkin(unit.activity.id, code=code)
    body = post(client, unit.headers, [undo(third), fourth, undo(fourth), fifth])
    assert answers(body) == [("accepted", None)] * 4
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}
    assert status_of(fifth["id"]) == "accepted"
    # A scan of an already counted person is a duplicate, whose undo is refused: never counted.
    sixth = checkin(unit.activity.id, code=code)
    assert answers(post(client, unit.headers, [sixth, undo(sixth)])) == [
        ("duplicate", None), ("rejected", "void_not_allowed")]
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}


def test_another_users_item_is_not_the_phones_to_undo(client, unit, make, runner):
    _r, code = make.resident()
    scan = checkin(unit.activity.id, code=code)
    post(client, unit.headers, [scan])
    colleague = make.auth(make.user("volunteer", org=unit.org))
    # Not a colleague's, not even the site lead's (who voids on the web page, with a reason).
    assert answers(post(client, colleague, [undo(scan)])) == [("rejected", "void_not_allowed")]
    assert answers(post(client, unit.lead_headers, [undo(scan)])) == [("rejected", "void_not_allowed")]
    assert status_of(scan["id"]) == "accepted"
    assert sum(exact(runner).values(), ())[0] == 1


def test_an_undo_more_than_15_minutes_after_its_target_is_refused(client, unit, make, runner):
    codes = [make.resident()[1] for _ in range(3)]
    start = datetime.now(ZONE) - timedelta(minutes=40)
    scans = [checkin(unit.activity.id, code=code, scanned_at=start) for code in codes]
    post(client, unit.headers, scans)
    late, in_time = undo(scans[0], at=start + timedelta(minutes=16)), undo(scans[1], at=start + timedelta(minutes=14))
    assert answers(post(client, unit.headers, [late, in_time])) == [
        ("rejected", "void_not_allowed"), ("accepted", None)]
    day = start.date().isoformat()  # the scans' day (yesterday, in the first 40 minutes after midnight)
    assert exact(runner)[(unit.activity.id, "attendee", day)] == (2, 0)


def test_the_window_is_measured_on_corrected_times(client, unit, make, runner):
    """A phone whose clock is an hour slow: both the scan and the undo are corrected by it."""
    _r, code = make.resident()
    slow = timedelta(hours=-1)
    now = datetime.now(ZONE)
    scan = checkin(unit.activity.id, code=code, scanned_at=now - timedelta(minutes=10) + slow)
    assert answers(post(client, unit.headers, [scan], sent_at=now + slow)) == [("accepted", None)]
    # Taken as it is, the undo's time would be 50 minutes before the scan's corrected time.
    assert answers(post(client, unit.headers, [undo(scan, at=now + slow)], sent_at=now + slow)) == [
        ("accepted", None)]
    assert exact(runner) == {}


def test_only_a_counted_target_can_be_undone(client, unit, make, runner):
    _r, code = make.resident()
    _r, revoked = make.resident()
    early = unit.activity.starts_at - timedelta(hours=8)
    held = checkin(unit.activity.id, code=code, scanned_at=early)
    refused = checkin(unit.activity.id, code="0123456789ABCDEF8")
    counted = checkin(unit.activity.id, code=code)
    duplicate = checkin(unit.activity.id, code=code)
    post(client, unit.headers, [held, refused, counted, duplicate])
    never_sent = {"id": str(uuid.uuid4())}
    undo_of_undo = undo(counted)
    items = [undo(held, at=early + timedelta(minutes=1)), undo(refused), undo(duplicate), undo(never_sent),
             undo_of_undo, undo(undo_of_undo)]
    assert answers(post(client, unit.headers, items)) == [
        ("rejected", "void_not_allowed"), ("rejected", "void_not_allowed"), ("rejected", "void_not_allowed"),
        ("rejected", "void_not_allowed"), ("accepted", None), ("rejected", "void_not_allowed")]
    assert exact(runner) == {}


def test_no_undo_once_the_bureau_accepted_the_table(client, unit, make, runner, monkeypatch):
    _r, code = make.resident()
    scan, later = checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=2)
    post(client, unit.headers, [scan])
    asked = []

    def accepted(org_id, campaign_id):
        asked.append((org_id, campaign_id))
        return True

    monkeypatch.setattr(voids, "table_accepted", accepted)
    assert answers(post(client, unit.headers, [undo(scan), later, undo(later)])) == [
        ("rejected", "void_not_allowed"), ("accepted", None), ("rejected", "void_not_allowed")]
    assert set(asked) == {(unit.org.id, unit.campaign.id)}
    day = datetime.now(ZONE).date().isoformat()
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 2)}


@pytest.mark.parametrize("bad", [
    {"voids": None}, {"voids": "not-a-uuid"}, {"scanned_at": "yesterday"}, {"scanned_at": None}, "same id",
])
def test_an_undo_that_does_not_fit_is_rejected_invalid_and_kept(client, unit, make, bad):
    _r, code = make.resident()
    scan = checkin(unit.activity.id, code=code)
    post(client, unit.headers, [scan])
    item = undo(scan)
    if bad == "same id":
        item["voids"] = item["id"]
    else:
        item.update(bad)
    assert answers(post(client, unit.headers, [item])) == [("rejected", "invalid")]
    assert status_of(scan["id"]) == "accepted"
    kept = db.session.scalars(select(Checkin).where(Checkin.status == "rejected")).one()
    assert '"void"' in kept.raw


def test_two_devices_sending_one_undo_and_two_undos_of_one_check_in_count_once(client, unit, make, runner):
    codes = [make.resident()[1] for _ in range(4)]
    scans = [checkin(unit.activity.id, code=code) for code in codes]
    post(client, unit.headers, scans, device_id="phone-1")
    first_undos = [undo(scan) for scan in scans]
    second_undos = [undo(scan) for scan in scans]  # the user tapped undo again on another phone
    body = post(client, unit.headers, first_undos + second_undos, device_id="phone-2")
    assert answers(body) == [("accepted", None)] * 4 + [("duplicate", None)] * 4
    for device in ("phone-1", "phone-3"):
        batch = first_undos + second_undos
        random.Random(device).shuffle(batch)
        again = post(client, unit.headers, batch, device_id=device)
        expected = {item["id"]: "accepted" for item in first_undos} | {item["id"]: "duplicate" for item in second_undos}
        assert answers(again) == [(expected[item["id"]], None) for item in batch]
    assert exact(runner) == {}
    assert db.session.query(Correction).count() == 8
    assert db.session.query(Correction).filter_by(status="accepted").count() == 4


def test_refused_activities_are_kept_under_the_sender_and_answer_alike(client, unit, make):
    """Another unit's activity and one that does not exist: the same answer, and the row is the
    sender's unit's to audit, not the other unit's (issue 15)."""
    other = make.org(name="别家单位")
    other_lead = make.user("site_lead", org=other)
    foreign = make.activity(other, unit.campaign)
    items = [checkin(foreign.id, headcount=1), checkin(foreign.id + 1000, headcount=1)]
    assert answers(post(client, unit.headers, items, device_id="INJECTED-TEXT")) == [
        ("rejected", "forbidden_activity")] * 2
    rows = db.session.scalars(select(Checkin).where(Checkin.status == "rejected")).all()
    assert [row.activity_id for row in rows] == [None, None]
    assert all(str(foreign.id) in row.raw or str(foreign.id + 1000) in row.raw for row in rows)

    def review_page(user):
        return sign_in(client.application.test_client(), user).get("/unit/review").get_data(as_text=True)

    assert "INJECTED-TEXT" not in review_page(other_lead)
    assert review_page(unit.lead).count("INJECTED-TEXT") == 2  # the sender's unit audits its own
    # An admin may record into any activity: only it learns that an id does not exist.
    admin = make.auth(make.user("admin"))
    assert answers(post(client, admin, [checkin(foreign.id + 1000, headcount=1)])) == [
        ("rejected", "unknown_activity")]


def test_rows_go_in_by_the_persons_key_so_concurrent_writers_meet_in_one_order():
    """Two batches counting the same people under ids of their own: inserted in the order of
    the one-count index's key, both take the people's keys in one order (PostgreSQL waits
    instead of deadlocking); ids come second, so the same ids also meet in one order. Rows that
    take no person key (tallies, duplicates, refused items) go first, by id."""
    from datetime import date

    from lwpwa.checkins.store import COLUMNS, insert_order

    resident = COLUMNS.index("resident_id")

    def row(client_id, resident_id, status="accepted"):
        values = dict.fromkeys(COLUMNS)
        values.update(client_id=client_id, resident_id=resident_id, day=date(2026, 12, 1), kind="attendee",
                      activity_id=7, status=status)
        return tuple(values[name] for name in COLUMNS)

    people = list(range(1, 40))
    first = [row(str(uuid.uuid4()), person) for person in people]
    second = [row(str(uuid.uuid4()), person) for person in reversed(people)]
    tally, duplicate, no_id = row(str(uuid.uuid4()), None), row(str(uuid.uuid4()), 5, "duplicate"), row(None, None,
                                                                                                           "rejected")
    ordered = insert_order(first + [tally, duplicate, no_id])
    assert [r[resident] for r in ordered[3:]] == people
    assert set(ordered[:3]) == {tally, duplicate, no_id}
    assert [r[resident] for r in insert_order(second)] == people
    same_ids = first[:5]
    assert insert_order(same_ids) == insert_order(list(reversed(same_ids)))


def test_a_scan_before_the_undo_of_its_persons_check_in_is_a_duplicate_one_after_it_counts(client, unit, make,
                                                                                             runner):
    """Decided in the order given, also when the undone check-in was stored before the batch."""
    _r, code = make.resident()
    day = datetime.now(ZONE).date().isoformat()
    first = checkin(unit.activity.id, code=code)
    post(client, unit.headers, [first])
    before, after = checkin(unit.activity.id, code=code), checkin(unit.activity.id, code=code)
    assert answers(post(client, unit.headers, [before, undo(first), after])) == [
        ("duplicate", None), ("accepted", None), ("accepted", None)]
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}
    assert (status_of(before["id"]), status_of(first["id"]), status_of(after["id"])) == (
        "duplicate", "voided", "accepted")


def test_an_undo_stored_meanwhile_by_another_worker_answers_as_stored_and_rolls_its_void_back(
        client, unit, make, runner, monkeypatch):
    """The race of two workers with one undo id: this request looked the id up before the other
    stored it, so its correction row loses at the unique id; the void it made in the same
    savepoint is rolled back with it. Made here by hiding the stored undo from the look-up."""
    from lwpwa.checkins import sync as sync_module

    _r, code = make.resident()
    scan = checkin(unit.activity.id, code=code)
    early_undo = undo(scan)
    # Stored first as refused (it came before its target), then the target counts.
    assert answers(post(client, unit.headers, [early_undo, scan])) == [
        ("rejected", "void_not_allowed"), ("accepted", None)]
    hidden = {"on": True}
    real = voids.stored_void_answers

    def forgetful(client_ids):
        if hidden.pop("on", False):
            return {}
        return real(client_ids)

    monkeypatch.setattr(sync_module.voids, "stored_void_answers", forgetful)
    assert answers(post(client, unit.headers, [early_undo])) == [("rejected", "void_not_allowed")]
    assert status_of(scan["id"]) == "accepted"
    day = datetime.now(ZONE).date().isoformat()
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}
    # And an undo that voided its target, resent unseen: the stored answer, nothing moves.
    later = checkin(unit.activity.id, headcount=3)
    done = undo(later)
    assert answers(post(client, unit.headers, [later, done])) == [("accepted", None)] * 2
    hidden["on"] = True
    assert answers(post(client, unit.headers, [done])) == [("accepted", None)]
    assert exact(runner) == {(unit.activity.id, "attendee", day): (1, 0)}
    assert db.session.query(Correction).count() == 2
