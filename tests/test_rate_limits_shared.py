"""Rate limits hold across gunicorn workers because they are counted in one Redis."""
import os
import uuid

import pytest
import redis
import requests
from conftest import IN_CI, Factory, base_config, drop_database_url, fresh_database_url
from flask_migrate import upgrade
from servers import gunicorn

from lwpwa import create_app
from lwpwa.extensions import db
from lwpwa.reference import load_reference_data

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (CI needs it)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def database_with_user(tmp_path):
    url = fresh_database_url("sqlite", tmp_path)
    app = create_app(base_config(url))
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        username = Factory(app).user("admin").username
        db.session.remove()
        db.engine.dispose()
    yield url, username
    drop_database_url(url)


@pytest.mark.slow
def test_failed_logins_are_counted_across_four_workers(redis_url, database_with_user, tmp_path):
    url, username = database_with_user
    # A prefix of our own, so that runs never see each other's counters.
    prefix = f"test-{uuid.uuid4().hex}"
    env = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    with gunicorn(url, tmp_path / "gunicorn.log", workers=4, env=env) as base:
        statuses = []
        for _ in range(11):
            # A new connection each time, so the requests spread over the workers.
            response = requests.post(base + "/api/v1/auth/token", timeout=30,
                                     json={"username": username, "password": "wrong password"},
                                     headers={"Connection": "close"})
            statuses.append(response.status_code)
        assert statuses[:10] == [401] * 10
        assert statuses[10] == 429
        assert int(response.headers["Retry-After"]) > 0
    # The counts live in the one Redis every worker shares (with per-worker memory, 11 requests
    # that all happened to reach one worker would give a 429 too).
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"*{prefix}*")
    assert any(username.encode() in key for key in keys), keys
    store.delete(*keys)
