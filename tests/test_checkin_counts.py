"""checkin_counts: kept exactly in step with checkins by sync, read by the stats, checked and
mended by `flask --app wsgi recount`. After every write, the table must equal the recount from
checkins by definition (conftest.recount), and the figures expected here."""
import random
from datetime import datetime, timedelta

from conftest import ZONE, assert_counts_exact, checkin, counts_table, recount, sync_body
from sqlalchemy import distinct, func, select, text

from lwpwa.checkins import sync as sync_module
from lwpwa.checkins.models import Checkin
from lwpwa.checkins.stats import activity_stats, stats_document
from lwpwa.extensions import db


def post_sync(client, headers, items, **kwargs):
    response = client.post("/api/v1/sync", json=sync_body(items, **kwargs), headers=headers)
    assert response.status_code == 200, response.get_json()
    return [(r["status"], r["reason"]) for r in response.get_json()["results"]]


def today():
    return datetime.now(ZONE).date().isoformat()


def test_only_what_sync_inserts_as_accepted_is_counted(client, unit, make):
    foreign = make.activity(make.org(name="别的单位"), unit.campaign)
    codes = [make.resident()[1] for _ in range(3)]
    early = unit.activity.starts_at - timedelta(hours=8)
    a = unit.activity.id
    items = [
        checkin(a, code=codes[0]),                          # accepted
        checkin(a, code=codes[0]),                          # duplicate within the batch
        checkin(a, code=codes[1]),                          # accepted
        checkin(a, code=codes[1], kind="volunteer"),        # accepted, as volunteer
        checkin(a, headcount=3),                            # an accepted tally
        checkin(a, headcount=2, kind="volunteer"),          # an accepted volunteer tally
        checkin(a, code=codes[2], scanned_at=early),        # held
        checkin(a, headcount=5, scanned_at=early),          # held tally
        checkin(foreign.id, code=codes[2]),                 # rejected: another unit's
        checkin(999999, headcount=4),                       # rejected: no such activity
        "not a check-in",                                   # rejected: invalid
    ]
    assert post_sync(client, unit.headers, items) == [
        ("accepted", None), ("duplicate", None), ("accepted", None), ("accepted", None),
        ("accepted", None), ("accepted", None), ("held", None), ("held", None),
        ("rejected", "forbidden_activity"), ("rejected", "forbidden_activity"), ("rejected", "invalid")]
    assert assert_counts_exact() == {(a, "attendee", today()): (2, 3), (a, "volunteer", today()): (1, 2)}

    # A later batch: a person already counted (the insert loses on the one-count index and is
    # stored as a duplicate: it must not count), a new person, a tally.
    assert post_sync(client, unit.headers, [checkin(a, code=codes[0]), checkin(a, code=codes[2]),
                                            checkin(a, headcount=1)]) == [
        ("duplicate", None), ("accepted", None), ("accepted", None)]
    assert assert_counts_exact() == {(a, "attendee", today()): (3, 4), (a, "volunteer", today()): (1, 2)}


def test_a_batch_resent_shuffled_split_and_from_other_devices_counts_once(client, unit, make):
    codes = [make.resident()[1] for _ in range(5)]
    a = unit.activity.id
    items = [checkin(a, code=code) for code in codes] + [checkin(a, code=codes[0]), checkin(a, headcount=4),
                                                         checkin(a, code=codes[1], kind="volunteer")]
    post_sync(client, unit.headers, items)
    expected = {(a, "attendee", today()): (5, 4), (a, "volunteer", today()): (1, 0)}
    assert assert_counts_exact() == expected
    for attempt in range(3):
        shuffled = items[:]
        random.Random(attempt).shuffle(shuffled)
        post_sync(client, unit.headers, shuffled + shuffled[:2], device_id=f"phone-{attempt}")
        assert assert_counts_exact() == expected
    for index, item in enumerate(reversed(items)):
        post_sync(client, unit.headers, [item], device_id=f"phone-{index % 2}")
    assert assert_counts_exact() == expected


def test_an_id_stored_by_another_worker_meanwhile_answers_stored_and_adds_nothing(client, unit, make, monkeypatch):
    """The race of two workers with one id: this request looked the ids up before the other
    stored them, so its insert loses to the same id and it answers the stored status. Made
    here by hiding the stored ids from the first look-up."""
    _resident, code = make.resident()
    a = unit.activity.id
    items = [checkin(a, code=code), checkin(a, headcount=2)]
    assert post_sync(client, unit.headers, items) == [("accepted", None)] * 2
    assert assert_counts_exact() == {(a, "attendee", today()): (1, 2)}
    monkeypatch.setattr(sync_module, "stored_answers", lambda client_ids: {})
    assert post_sync(client, unit.headers, items, device_id="other-phone") == [("accepted", None)] * 2
    assert assert_counts_exact() == {(a, "attendee", today()): (1, 2)}
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 2


def test_two_days_and_tallies_are_counted_per_day(client, make):
    campaign = make.campaign()
    org = make.org()
    headers = make.auth(make.user("volunteer", org=org))
    start = datetime.now(ZONE).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)
    activity = make.activity(org, campaign, starts_at=start, hours=36)
    codes = [make.resident()[1] for _ in range(2)]
    first, second = start + timedelta(hours=1), start + timedelta(hours=25)
    a = activity.id
    post_sync(client, headers, [checkin(a, code=codes[0], scanned_at=first),
                                checkin(a, code=codes[0], scanned_at=second),
                                checkin(a, code=codes[1], scanned_at=second),
                                checkin(a, code=codes[1], scanned_at=second + timedelta(minutes=5)),
                                checkin(a, headcount=7, scanned_at=first),
                                checkin(a, headcount=2, scanned_at=second),
                                checkin(a, headcount=1, scanned_at=second, kind="volunteer")])
    day1, day2 = first.date().isoformat(), second.date().isoformat()
    assert assert_counts_exact() == {(a, "attendee", day1): (1, 7), (a, "attendee", day2): (2, 2),
                                     (a, "volunteer", day2): (0, 1)}
    stats = client.get(f"/api/v1/activities/{a}/stats", headers=headers).get_json()
    assert stats == stats_from_checkins(a)
    assert stats["by_day"] == [
        {"date": day1, "attendance": 8, "volunteers": 0, "scanned": 1, "headcount": 7},
        {"date": day2, "attendance": 4, "volunteers": 1, "scanned": 2, "headcount": 2}]


def stats_from_checkins(activity_id):
    """GET …/stats as it was computed before checkin_counts: aggregated from checkins."""
    per_day = db.session.execute(
        select(Checkin.kind, Checkin.day, func.count(distinct(Checkin.resident_id)),
               func.coalesce(func.sum(Checkin.headcount), 0))
        .where(Checkin.activity_id == activity_id, Checkin.status == "accepted")
        .group_by(Checkin.kind, Checkin.day)).all()
    held = db.session.scalar(select(func.count()).where(Checkin.activity_id == activity_id,
                                                        Checkin.status == "held"))
    return stats_document(activity_id, per_day, held)


def test_the_stats_are_read_from_the_table(client, unit, make):
    """Not from checkins: a figure changed in the table shows in the stats."""
    _resident, code = make.resident()
    a = unit.activity.id
    post_sync(client, unit.headers, [checkin(a, code=code), checkin(a, headcount=2)])
    assert activity_stats(a) == stats_from_checkins(a)
    db.session.execute(text("UPDATE checkin_counts SET headcount = headcount + 40"))
    figures = activity_stats(a)
    assert (figures["attendance"], figures["headcount"]) == (43, 42)
    db.session.rollback()


def corrupt():
    """Three kinds of damage: a wrong figure, a missing row, a row for nothing."""
    rows = sorted(counts_table())
    (a, kind, day), missing = rows[0], rows[1]
    db.session.execute(text("UPDATE checkin_counts SET scanned = scanned + 1 WHERE activity_id = :a"
                            " AND kind = :k AND day = :d"), {"a": a, "k": kind, "d": day})
    db.session.execute(text("DELETE FROM checkin_counts WHERE activity_id = :a AND kind = :k AND day = :d"),
                       {"a": missing[0], "k": missing[1], "d": missing[2]})
    db.session.execute(text("INSERT INTO checkin_counts (activity_id, kind, day, scanned, headcount)"
                            " VALUES (:a, 'attendee', :d, 0, 9)"), {"a": a, "d": "2001-01-01"})
    db.session.commit()
    return (a, kind, day), missing


def test_recount_finds_every_difference_and_fix_mends_them(client, unit, make, runner):
    codes = [make.resident()[1] for _ in range(2)]
    a = unit.activity.id
    post_sync(client, unit.headers, [checkin(a, code=codes[0]), checkin(a, code=codes[1], kind="volunteer"),
                                     checkin(a, headcount=3)])
    good = assert_counts_exact()
    result = runner.invoke(args=["recount"])
    assert result.exit_code == 0, result.output
    assert "checkin_counts agrees with checkins" in result.output

    wrong, missing = corrupt()
    assert counts_table() != recount()
    result = runner.invoke(args=["recount"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert f"activity {a} attendee 2001-01-01: checkin_counts scanned=0 headcount=9, checkins no row" in lines
    table, truth = good[wrong], good[missing]
    assert (f"activity {wrong[0]} {wrong[1]} {wrong[2]}: checkin_counts scanned={table[0] + 1} "
            f"headcount={table[1]}, checkins scanned={table[0]} headcount={table[1]}") in lines
    assert (f"activity {missing[0]} {missing[1]} {missing[2]}: checkin_counts no row, "
            f"checkins scanned={truth[0]} headcount={truth[1]}") in lines
    assert lines[-1].startswith("3 differences")
    db.session.rollback()
    assert counts_table() != good  # the check changed nothing

    check = runner.invoke(args=["check"])
    assert "FAIL  counts table: 3 rows differ from checkins" in check.output and check.exit_code == 1

    result = runner.invoke(args=["recount", "--fix"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "3 differences mended: checkin_counts rebuilt from checkins"
    db.session.rollback()
    assert assert_counts_exact() == good
    assert runner.invoke(args=["recount"]).exit_code == 0
    assert "ok    counts table: agrees with checkins" in runner.invoke(args=["check"]).output
    # Sync goes on adding to the rebuilt rows.
    post_sync(client, unit.headers, [checkin(a, headcount=1)])
    assert assert_counts_exact()[(a, "attendee", today())] == (good[(a, "attendee", today())][0],
                                                              good[(a, "attendee", today())][1] + 1)
