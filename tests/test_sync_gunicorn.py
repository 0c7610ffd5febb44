"""Exactly once under real concurrency: 8 clients post the same batch at the same moment to a
real gunicorn with 4 workers, on a fresh database per engine (SQLite file, PostgreSQL)."""
import random
import sqlite3
import threading
import time
from datetime import datetime

import pytest
import requests
from conftest import ENGINES, ZONE, Factory, base_config, checkin, counts_table, drop_database_url, \
    fresh_database_url, recount, sync_body
from flask_migrate import upgrade
from servers import log_tail, gunicorn, pg_deadlocks
from sqlalchemy import create_engine, text

from lwpwa import create_app
from lwpwa.extensions import db
from lwpwa.reference import load_reference_data

CLIENTS = 8
RESIDENTS = 200
REQUEST_TIMEOUT_S = 120


def seed(database_url):
    """Migrate, load reference data, and make one unit with an activity happening now and
    RESIDENTS people, through the app's own services. Returns (tokens, activity_id, codes)."""
    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        make = Factory(app)
        campaign = make.campaign()
        org = make.org()
        # One volunteer and token per phone: a shared token would serialize the requests on
        # its last_used_at row, and hide the race this test is about.
        tokens = [make.token(make.user("volunteer", org=org)) for _ in range(CLIENTS)]
        activity = make.activity(org, campaign)
        codes = [make.resident()[1] for _ in range(RESIDENTS)]
        activity_id = activity.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens, activity_id, codes


@pytest.fixture(params=ENGINES)
def fresh_url(request, tmp_path):
    url = fresh_database_url(request.param, tmp_path)
    yield url
    drop_database_url(url)


@pytest.mark.slow
def test_eight_clients_posting_the_same_batch_at_once_count_each_person_once(fresh_url, tmp_path):
    tokens, activity_id, codes = seed(fresh_url)
    now = datetime.now(ZONE)
    # One id per person, and a second id (another scan) for half of them: 300 ids, 200 people.
    items = [checkin(activity_id, code=code, scanned_at=now) for code in codes]
    items += [checkin(activity_id, code=code, scanned_at=now) for code in codes[: RESIDENTS // 2]]
    ids = {item["id"] for item in items}
    assert len(ids) == len(items) == RESIDENTS * 3 // 2
    headers = [{"Authorization": f"Bearer {token}"} for token in tokens]

    barrier = threading.Barrier(CLIENTS)
    answers = [None] * CLIENTS
    errors = []

    def client(number, base):
        batch = items[:]
        random.Random(number).shuffle(batch)
        body = sync_body(batch, device_id=f"device-{number}")
        try:
            with requests.Session() as session:
                session.get(base + "/healthz", timeout=10)  # connected before the start line
                barrier.wait(timeout=60)
                response = session.post(base + "/api/v1/sync", json=body, headers=headers[number],
                                        timeout=REQUEST_TIMEOUT_S)
            assert response.status_code == 200, response.text[:2000]
            answers[number] = response.json()
        except BaseException as exc:  # noqa: BLE001 - reported below, with every client's error
            errors.append((number, repr(exc)))
            barrier.abort()

    postgresql = fresh_url.startswith("postgresql")
    deadlocks_before = pg_deadlocks(fresh_url) if postgresql else None
    with gunicorn(fresh_url, tmp_path / "gunicorn.log") as base:
        threads = [threading.Thread(target=client, args=(n, base)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 60)
        assert not any(thread.is_alive() for thread in threads), "a client never finished"
        assert not errors, f"{errors}\n{log_tail(tmp_path / 'gunicorn.log')}"
        figures = requests.get(f"{base}/api/v1/activities/{activity_id}/stats", headers=headers[0],
                               timeout=30)
        assert figures.status_code == 200, figures.text
        figures = figures.json()

    # Every client got the same answer for every id, in the order it sent them.
    decided = []
    for number, body in enumerate(answers):
        results = body["results"]
        sent = items[:]
        random.Random(number).shuffle(sent)
        assert [r["id"] for r in results] == [item["id"] for item in sent]
        decided.append({r["id"]: (r["status"], r["reason"]) for r in results})
    assert all(answer == decided[0] for answer in decided[1:])
    # Each person counts once: one of their ids is accepted, any other is a duplicate.
    first = decided[0]
    by_code = {}
    for item in items:
        by_code.setdefault(item["code"], []).append(first[item["id"]])
    for code, statuses in by_code.items():
        assert sorted(statuses) == sorted([("accepted", None)] + [("duplicate", None)] * (len(statuses) - 1)), code
    assert figures["attendance"] == RESIDENTS and figures["scanned"] == RESIDENTS
    assert figures["held"] == 0

    # The table holds exactly one row per id, whatever the number of workers that raced.
    engine = create_engine(fresh_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT client_id, status FROM checkins")).all()
            counts, recounted = counts_table(connection), recount(connection)
    finally:
        engine.dispose()
    # The counts table, added to by every worker that inserted accepted rows, equals the recount.
    assert counts == recounted == {(activity_id, "attendee", now.date().isoformat()): (RESIDENTS, 0)}
    assert len(rows) == len(ids)
    assert {row.client_id for row in rows} == ids
    assert sum(row.status == "accepted" for row in rows) == RESIDENTS
    if postgresql:  # the server has stopped: its connections reported their statistics
        assert pg_deadlocks(fresh_url) == deadlocks_before, "PostgreSQL detected a deadlock"
    if fresh_url.startswith("sqlite"):
        path = fresh_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.close()



def wait_until_blocked_on_a_lock(url, deadline_s=30):
    """Until a backend of this database waits for a lock (request A behind B's row). Asked on a
    connection of its own: the test's connection holds B's row and must not commit."""
    import psycopg

    deadline = time.monotonic() + deadline_s
    with psycopg.connect(url, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'").fetchone()[0]
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("request A never waited for B's lock")


@pytest.mark.slow
@pytest.mark.parametrize("engine", [engine for engine in ENGINES if engine == "postgresql"])
def test_a_deadlock_between_two_writers_is_retried_and_decides_right(engine, tmp_path):
    """Request A inserts P then Q; another writer B holds Q, then inserts P: a cycle through the
    one-count-per-person index. PostgreSQL aborts A's insert (A waited first); A must try again
    from its savepoint and answer duplicate for both, not fail the batch."""
    import psycopg

    url = fresh_database_url(engine, tmp_path)
    try:
        tokens, activity_id, codes = seed(url)
        app = create_app(base_config(url))
        now = datetime.now(ZONE)
        raw = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        try:
            people = {code: raw.execute("SELECT id, resident_id FROM sign_in_codes WHERE code = %s",
                                        (code,)).fetchone() for code in codes[:2]}
            user_id = raw.execute("SELECT user_id FROM api_tokens LIMIT 1").fetchone()[0]
            raw.commit()

            def b_insert(client_id, code):
                code_id, resident_id = people[code]
                raw.execute(
                    "INSERT INTO checkins (client_id, recorded_by_id, activity_id, kind, code_id,"
                    " resident_id, received_at, day, status) VALUES (%s, %s, %s, 'attendee', %s, %s,"
                    " now(), %s, 'accepted')",
                    (client_id, user_id, activity_id, code_id, resident_id, now.date()))

            p_code, q_code = codes[0], codes[1]
            b_insert("10000000-0000-4000-8000-000000000000", q_code)  # B holds Q
            # A's ids sort P before Q, so A inserts P first, then waits for B's Q.
            items = [checkin(activity_id, code=p_code, id="00000000-0000-4000-8000-000000000001"),
                     checkin(activity_id, code=q_code, id="f0000000-0000-4000-8000-000000000002")]
            answer = {}

            def request_a():
                response = app.test_client().post("/api/v1/sync", json=sync_body(items),
                                                  headers={"Authorization": f"Bearer {tokens[0]}"})
                answer["a"] = (response.status_code, response.get_json())

            a = threading.Thread(target=request_a)
            a.start()
            # A has inserted P and now waits for B's Q.
            wait_until_blocked_on_a_lock(url.replace("postgresql+psycopg://", "postgresql://"))
            b = threading.Thread(target=b_insert, args=("20000000-0000-4000-8000-000000000000", p_code))
            b.start()
            b.join(timeout=30)
            assert not b.is_alive()
            raw.commit()
            a.join(timeout=30)
            assert not a.is_alive()
            status, body = answer["a"]
            assert status == 200, body
            assert [(r["status"], r["reason"]) for r in body["results"]] == [("duplicate", None)] * 2
            rows = dict(raw.execute("SELECT client_id, status FROM checkins").fetchall())
            assert sorted(rows.values()) == ["accepted", "accepted", "duplicate", "duplicate"]
        finally:
            raw.close()
            with app.app_context():
                db.engine.dispose()
    finally:
        drop_database_url(url)
