"""Corrections and writes under real concurrency: 8 clients at the same moment against a real
gunicorn with 4 workers, on a fresh database per engine (SQLite file, PostgreSQL).

- 8 phones of one volunteer undo the same check-ins at once (each its own undo of a scan, and
  one undo id of a tally sent by all), and 8 site-lead clients void another check-in through the
  API at once: every count changes by exactly what one void takes off.
- 8 phones count the same 200 people, each under ids of its own, in its own order: each person
  counts once and PostgreSQL detects no deadlock (the batch's rows are inserted in the order of
  the one-count-per-person index's key, so every writer takes those keys in one order).
"""
import random
import threading
import uuid
from datetime import datetime

import pytest
import requests
from conftest import ENGINES, ZONE, Factory, base_config, checkin, counts_table, drop_database_url, \
    fresh_database_url, recount, sync_body
from flask_migrate import upgrade
from servers import gunicorn, log_tail, pg_deadlocks
from sqlalchemy import create_engine, text

from lwpwa import create_app
from lwpwa.extensions import db
from lwpwa.reference import load_reference_data

CLIENTS = 8
PEOPLE = 200
REQUEST_TIMEOUT_S = 120


@pytest.fixture(params=ENGINES)
def fresh_url(request, tmp_path):
    url = fresh_database_url(request.param, tmp_path)
    yield url
    drop_database_url(url)


def seed(database_url, people=3):
    """One unit, an activity happening now, one volunteer and one site lead with a token per
    client each (a shared token would serialize the requests on its last-use mark), people."""
    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        make = Factory(app)
        campaign, org = make.campaign(), make.org()
        volunteer, lead = make.user("volunteer", org=org), make.user("site_lead", org=org)
        world = {
            "volunteer": [make.token(volunteer) for _ in range(CLIENTS)],
            "lead": [make.token(lead) for _ in range(CLIENTS)],
            "volunteers": [make.token(make.user("volunteer", org=org)) for _ in range(CLIENTS)],
            "activity_id": make.activity(org, campaign).id,
            "codes": [make.resident()[1] for _ in range(people)],
        }
        db.session.remove()
        db.engine.dispose()
    return world


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def race(base, requests_by_client):
    """Send each client's (path, headers, body) at the same moment; returns the responses."""
    barrier = threading.Barrier(len(requests_by_client))
    answers = [None] * len(requests_by_client)
    errors = []

    def client(number):
        path, headers, body = requests_by_client[number]
        try:
            with requests.Session() as session:
                session.get(base + "/healthz", timeout=10)  # connected before the start line
                barrier.wait(timeout=60)
                answers[number] = session.post(base + path, json=body, headers=headers, timeout=REQUEST_TIMEOUT_S)
        except BaseException as exc:  # noqa: BLE001 - reported below, with every client's error
            errors.append((number, repr(exc)))
            barrier.abort()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(requests_by_client))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S + 60)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    assert not errors, errors
    return answers


def database_rows(url, sql):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).all(), counts_table(connection), recount(connection)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_eight_clients_voiding_the_same_check_ins_at_once_change_the_counts_by_exactly_one_void(fresh_url, tmp_path):
    world = seed(fresh_url)
    activity_id, (scan_code, lead_code, _spare) = world["activity_id"], world["codes"]
    now = datetime.now(ZONE)
    scan, tally = checkin(activity_id, code=scan_code, scanned_at=now), checkin(activity_id, headcount=7, scanned_at=now)
    by_lead = checkin(activity_id, code=lead_code, scanned_at=now)
    shared_undo = {"id": str(uuid.uuid4()), "kind": "void", "voids": tally["id"], "scanned_at": now.isoformat()}
    undos = [{"id": str(uuid.uuid4()), "kind": "void", "voids": scan["id"], "scanned_at": now.isoformat()}
             for _ in range(CLIENTS)]
    log = tmp_path / "gunicorn.log"
    with gunicorn(fresh_url, log) as base:
        first = requests.post(base + "/api/v1/sync", json=sync_body([scan, tally, by_lead]),
                              headers=bearer(world["volunteer"][0]), timeout=30)
        assert [r["status"] for r in first.json()["results"]] == ["accepted"] * 3
        phones = race(base, [("/api/v1/sync", bearer(world["volunteer"][n]),
                              sync_body([undos[n], shared_undo], device_id=f"phone-{n}")) for n in range(CLIENTS)])
        leads = race(base, [(f"/api/v1/checkins/{by_lead['id']}/void", bearer(world["lead"][n]),
                             {"reason": f"第{n}个客户端"}) for n in range(CLIENTS)])
        figures = requests.get(f"{base}/api/v1/activities/{activity_id}/stats",
                               headers=bearer(world["volunteer"][0]), timeout=30).json()
        assert all(response.status_code == 200 for response in phones), log_tail(log)

    results = [[(r["status"], r["reason"]) for r in response.json()["results"]] for response in phones]
    # Of 8 undos of one scan, exactly one voided it; the others found it voided. The one undo
    # sent by all 8 answers as the one that took effect.
    assert sorted(answer[0] for answer in results) == [("accepted", None)] + [("duplicate", None)] * (CLIENTS - 1)
    assert all(answer[1] == ("accepted", None) for answer in results)
    assert sorted(response.status_code for response in leads) == [200] + [409] * (CLIENTS - 1), log_tail(log)
    assert {response.json()["error"]["code"] for response in leads if response.status_code == 409} == {"not_counted"}
    assert (figures["attendance"], figures["scanned"], figures["headcount"]) == (0, 0, 0)

    rows, counts, recounted = database_rows(
        fresh_url, "SELECT c.client_id, c.status, k.client_id FROM corrections c"
                   " JOIN checkins k ON k.id = c.checkin_id ORDER BY c.id")
    assert counts == recounted == {}
    effective = [(target, status) for _undo, status, target in rows if status == "accepted"]
    assert sorted(effective) == sorted([(scan["id"], "accepted"), (tally["id"], "accepted"),
                                        (by_lead["id"], "accepted")])
    assert len(rows) == CLIENTS + 2  # 8 undos of the scan, the shared one, the lead's one void


@pytest.mark.slow
def test_eight_clients_counting_the_same_people_under_their_own_ids_count_each_once_without_deadlock(
        fresh_url, tmp_path):
    world = seed(fresh_url, people=PEOPLE)
    activity_id, codes = world["activity_id"], world["codes"]
    now = datetime.now(ZONE)
    batches = []
    for number in range(CLIENTS):
        items = [checkin(activity_id, code=code, scanned_at=now) for code in codes]
        random.Random(number).shuffle(items)
        batches.append(("/api/v1/sync", bearer(world["volunteers"][number]),
                        sync_body(items, device_id=f"phone-{number}")))
    postgresql = fresh_url.startswith("postgresql")
    before = pg_deadlocks(fresh_url) if postgresql else None
    log = tmp_path / "gunicorn.log"
    with gunicorn(fresh_url, log) as base:
        answers = race(base, batches)
        assert all(response.status_code == 200 for response in answers), log_tail(log)
    # The server has stopped: its connections ended and reported their statistics.
    statuses = [r["status"] for response in answers for r in response.json()["results"]]
    assert statuses.count("accepted") == PEOPLE
    assert statuses.count("duplicate") == PEOPLE * (CLIENTS - 1)
    rows, counts, recounted = database_rows(fresh_url, "SELECT count(*) FROM checkins")
    assert rows[0][0] == PEOPLE * CLIENTS
    assert counts == recounted == {(activity_id, "attendee", now.date().isoformat()): (PEOPLE, 0)}
    if postgresql:
        assert pg_deadlocks(fresh_url) == before, log_tail(log)
