"""Two app servers on one PostgreSQL and one Redis, behind nginx, as docs/deploy.md lays out:
separate gunicorn processes on separate ports, the load balancer Debian's nginx (tests/nginx.py).

- The 8-client race on the same ids, split across both servers, counts each person once.
- Rate limits hold across both servers (counted in the one Redis).
- Killing one server while phones sync loses nothing: nginx sends the rest to the other, and a
  phone that got an error sends its batch again; every id is stored once; `recount` is exact.
"""
import os
import random
import subprocess
import sys
import threading
import uuid
from datetime import datetime

import pytest
import requests
from conftest import ENGINES, ZONE, checkin, drop_database_url, fresh_database_url, sync_body
from nginx import nginx
from servers import ROOT, gunicorn, kill_group, log_tail
from sqlalchemy import create_engine, text
from test_rate_limits_shared import redis_url  # noqa: F401 - the fixture (Redis, or fail in CI)
from test_sync_gunicorn import CLIENTS, RESIDENTS, seed

WORKERS_PER_SERVER = 2
POSTGRES = [engine for engine in ENGINES if engine == "postgresql"]

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("engine", POSTGRES)]


@pytest.fixture
def cluster(engine, tmp_path, redis_url):  # noqa: F811 - the fixture imported above
    """A fresh PostgreSQL database seeded like the one-server race, two gunicorns on it and on
    one Redis (a key prefix of this test's own), nginx in front. Yields (nginx URL, servers,
    tokens, activity id, codes, database URL)."""
    url = fresh_database_url(engine, tmp_path)
    try:
        tokens, activity_id, codes = seed(url)
        env = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
               "TRUSTED_PROXIES": "1"}
        with gunicorn(url, tmp_path / "a.log", workers=WORKERS_PER_SERVER, env=env) as a, \
                gunicorn(url, tmp_path / "b.log", workers=WORKERS_PER_SERVER, env=env) as b:
            upstreams = [server.removeprefix("http://") for server in (a, b)]
            with nginx(tmp_path / "nginx", upstreams) as base:
                yield base, (a, b), tokens, activity_id, codes, url
    finally:
        drop_database_url(url)


def stored(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT client_id, status FROM checkins")).all()
    finally:
        engine.dispose()


def recount_exit_code(url):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "x" * 48}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "recount"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_the_same_batch_raced_through_both_servers_counts_once(cluster):
    base, servers, tokens, activity_id, codes, url = cluster
    now = datetime.now(ZONE)
    items = [checkin(activity_id, code=code, scanned_at=now) for code in codes]
    items += [checkin(activity_id, code=code, scanned_at=now) for code in codes[: RESIDENTS // 2]]
    barrier = threading.Barrier(CLIENTS)
    answers, upstreams, errors = [None] * CLIENTS, [None] * CLIENTS, []

    def phone(number):
        batch = items[:]
        random.Random(number).shuffle(batch)
        try:
            with requests.Session() as session:
                session.get(base + "/healthz", timeout=10)
                barrier.wait(timeout=60)
                response = session.post(base + "/api/v1/sync", json=sync_body(batch, device_id=f"device-{number}"),
                                        headers={"Authorization": f"Bearer {tokens[number]}"}, timeout=120)
            assert response.status_code == 200, response.text[:500]
            answers[number] = {r["id"]: (r["status"], r["reason"]) for r in response.json()["results"]}
            upstreams[number] = response.headers["X-Upstream"]
        except BaseException as exc:  # noqa: BLE001 - reported below with every phone's error
            errors.append((number, repr(exc)))
            barrier.abort()

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    # nginx spread the eight phones over both servers.
    assert {upstream for upstream in upstreams} == {server.removeprefix("http://") for server in servers}
    assert all(answer == answers[0] for answer in answers[1:])
    by_code = {}
    for item in items:
        by_code.setdefault(item["code"], []).append(answers[0][item["id"]][0])
    assert all(sorted(statuses) == ["accepted"] + ["duplicate"] * (len(statuses) - 1) for statuses in by_code.values())
    figures = requests.get(f"{base}/api/v1/activities/{activity_id}/stats",
                           headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=30).json()
    assert figures["attendance"] == RESIDENTS
    rows = stored(url)
    assert len(rows) == len(items) and sum(row.status == "accepted" for row in rows) == RESIDENTS
    assert recount_exit_code(url)[0] == 0


def test_rate_limits_hold_across_both_servers(cluster):
    base, servers, _tokens, _activity_id, _codes, url = cluster
    engine = create_engine(url)
    with engine.connect() as connection:
        username = connection.execute(text("SELECT username FROM users ORDER BY id LIMIT 1")).scalar_one()
    engine.dispose()
    statuses, upstreams = [], set()
    for _ in range(11):
        response = requests.post(base + "/api/v1/auth/token", timeout=30, headers={"Connection": "close"},
                                 json={"username": username, "password": "wrong password"})
        statuses.append(response.status_code)
        upstreams.add(response.headers["X-Upstream"])
    assert upstreams == {server.removeprefix("http://") for server in servers}  # both counted
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    assert "Retry-After" in response.headers


def test_killing_one_server_mid_stream_loses_nothing(cluster, tmp_path):
    base, servers, tokens, activity_id, codes, url = cluster
    phones, batches_each, batch_size = 6, 12, 40
    killed = threading.Event()
    sent_ids, errors, answered = set(), [], {"a": 0, "b": 0}
    lock = threading.Lock()

    def post_until_answered(session, body, token):
        """A phone's sync: on any error (the dying server's 502, a dropped connection) it waits
        a moment and sends the same batch again, as the PWA's queue does."""
        for attempt in range(20):
            try:
                response = session.post(base + "/api/v1/sync", json=body, timeout=60,
                                        headers={"Authorization": f"Bearer {token}"})
                if response.status_code == 200:
                    return response
            except requests.RequestException:
                pass
            killed.wait(timeout=0.2 * (attempt + 1))
        raise AssertionError("a batch was never answered")

    def phone(number):
        rng = random.Random(number)
        try:
            with requests.Session() as session:
                for batch in range(batches_each):
                    items = [checkin(activity_id, code=rng.choice(codes), scanned_at=datetime.now(ZONE))
                             for _ in range(batch_size)]
                    with lock:
                        sent_ids.update(item["id"] for item in items)
                    response = post_until_answered(session, sync_body(items, device_id=f"phone-{number}"),
                                                   tokens[number])
                    assert {r["id"] for r in response.json()["results"]} == {item["id"] for item in items}
                    with lock:
                        answered["a" if servers[0].removeprefix("http://") in response.headers["X-Upstream"]
                                 else "b"] += 1
                        total = sum(answered.values())
                    if number == 0 and total >= phones * batches_each // 3 and not killed.is_set():
                        kill_group(servers[0].process)  # SIGKILL: master and workers, mid-stream
                        killed.set()
        except BaseException as exc:  # noqa: BLE001
            errors.append((number, repr(exc)))

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, f"{errors}\n{log_tail(tmp_path / 'nginx' / 'error.log')}"
    assert killed.is_set() and servers[0].process.wait(timeout=10) is not None
    assert answered["a"] > 0 and answered["b"] > answered["a"]  # b carried the rest
    rows = stored(url)
    assert {row.client_id for row in rows} == sent_ids and len(rows) == len(sent_ids)  # nothing lost, nothing twice
    code, output = recount_exit_code(url)
    assert code == 0, output
    figures = requests.get(f"{base}/api/v1/activities/{activity_id}/stats",
                           headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=30).json()
    assert figures["attendance"] == sum(row.status == "accepted" for row in rows)
