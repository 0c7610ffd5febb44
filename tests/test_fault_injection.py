"""Kill -9 in the middle of a sync, restart, resend: counts exact, nothing twice, database sound."""
import os
import signal
import sqlite3
import threading
from datetime import datetime

import pytest
import requests
from conftest import ENGINES, ZONE, Factory, base_config, checkin, counts_table, drop_database_url, \
    fresh_database_url, recount, sync_body
from flask_migrate import upgrade
from servers import free_port, gunicorn, kill_group, wait_for_file
from sqlalchemy import create_engine, text

from lwpwa import create_app
from lwpwa.extensions import db
from lwpwa.reference import load_reference_data

PEOPLE = 300


@pytest.fixture(params=ENGINES)
def world(request, tmp_path):
    url = fresh_database_url(request.param, tmp_path)
    app = create_app(base_config(url))
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        make = Factory(app)
        org = make.org()
        token = make.token(make.user("volunteer", org=org))
        activity_id = make.activity(org, make.campaign()).id
        codes = [make.resident()[1] for _ in range(PEOPLE)]
        db.session.remove()
        db.engine.dispose()
    now = datetime.now(ZONE)
    items = [checkin(activity_id, code=code, scanned_at=now) for code in codes]
    items += [checkin(activity_id, code=code, scanned_at=now) for code in codes[:50]]  # repeats
    items += [checkin(activity_id, headcount=3, scanned_at=now)]
    yield {"url": url, "headers": {"Authorization": f"Bearer {token}"}, "activity_id": activity_id,
           "body": sync_body(items), "ids": {item["id"] for item in items}}
    drop_database_url(url)


def post_in_background(server, world):
    outcome = {}

    def send():
        try:
            outcome["response"] = requests.post(server + "/api/v1/sync", json=world["body"],
                                                headers=world["headers"], timeout=120)
        except requests.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def resend_and_check(server, world, expected_statuses=None):
    response = requests.post(server + "/api/v1/sync", json=world["body"], headers=world["headers"], timeout=120)
    assert response.status_code == 200, response.text[:500]
    summary = response.json()["summary"]
    assert summary == {"accepted": PEOPLE + 1, "duplicate": 50, "held": 0, "rejected": 0}
    if expected_statuses is not None:
        assert {r["id"]: r["status"] for r in response.json()["results"]} == expected_statuses
    stats = requests.get(f"{server}/api/v1/activities/{world['activity_id']}/stats",
                         headers=world["headers"], timeout=30).json()
    assert stats["attendance"] == PEOPLE + 3 and stats["scanned"] == PEOPLE and stats["headcount"] == 3
    return response.json()


def check_database(world):
    engine = create_engine(world["url"])
    try:
        with engine.connect() as connection:
            ids = [row[0] for row in connection.execute(text("SELECT client_id FROM checkins"))]
            counts, recounted = counts_table(connection), recount(connection)
    finally:
        engine.dispose()
    assert len(ids) == len(set(ids)) == len(world["ids"]) and set(ids) == world["ids"]
    # The counts committed (or rolled back) with the check-ins: the table equals the recount.
    assert counts == recounted and counts
    if world["url"].startswith("sqlite"):
        connection = sqlite3.connect(world["url"].removeprefix("sqlite:///"))
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_a_worker_killed_mid_batch_loses_nothing_and_counts_nothing_twice(world, tmp_path, point):
    marker = tmp_path / f"{point}.pid"
    env = {"LWPWA_FAILPOINTS": f"{point}:/api/v1/sync={marker}"}
    with gunicorn(world["url"], tmp_path / "gunicorn.log", workers=2, env=env) as server:
        thread, outcome = post_in_background(server, world)
        os.kill(int(wait_for_file(marker)), signal.SIGKILL)
        thread.join(timeout=120)
        assert "error" in outcome, "the client should have lost its connection"
        # The master starts a new worker; the phone sends the same batch again.
        first = resend_and_check(server, world)
        again = resend_and_check(server, world, {r["id"]: r["status"] for r in first["results"]})
        assert again["summary"] == first["summary"]
    check_database(world)


@pytest.mark.slow
def test_the_whole_server_killed_mid_sync_then_restarted(world, tmp_path):
    marker = tmp_path / "server.pid"
    env = {"LWPWA_FAILPOINTS": f"before_commit:/api/v1/sync={marker}"}
    port = free_port()
    with gunicorn(world["url"], tmp_path / "first.log", workers=2, env=env, port=port) as server:
        thread, outcome = post_in_background(server, world)
        wait_for_file(marker)
        kill_group(server.process)  # master and workers, all at once
        thread.join(timeout=120)
        assert "error" in outcome
    with gunicorn(world["url"], tmp_path / "second.log", workers=2, port=port) as server:
        resend_and_check(server, world)
    check_database(world)
