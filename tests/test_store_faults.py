"""Faults answered as faults (issue 15): a store that cannot be written answers 503
store_unavailable with Retry-After (never 500), /healthz says so, and the app recovers by itself
once the store is writable again, without a restart.

The store is made read-only the way it fails in production, per connection: SQLite opens a file
it cannot write read-only and that connection stays read-only for its whole life, even after the
file is writable again (the syncs kept failing until the workers were restarted). The tests run
as root, whom file modes do not stop, so a connection opened during the fault is made read-only
by SQLite's own `query_only` (PostgreSQL: `default_transaction_read_only`)."""
from contextlib import contextmanager

import pytest
from conftest import assert_counts_exact, checkin, sync_body
from sqlalchemy import event
from test_workspace_support import lead, post  # noqa: F401 (fixtures)

from lwpwa.extensions import db


@contextmanager
def read_only_store():
    """Every connection opened inside the block is read-only, and stays so afterwards."""
    engine = db.engine
    state = {"on": True}

    def on_connect(dbapi_connection, _record):
        if not state["on"]:
            return
        if engine.dialect.name == "sqlite":
            dbapi_connection.execute("PRAGMA query_only=ON")
        else:
            dbapi_connection.execute("SET default_transaction_read_only = on")
            dbapi_connection.commit()

    db.session.commit()
    engine.dispose()  # the connections opened before the fault were writable
    event.listen(engine, "connect", on_connect)
    try:
        yield
    finally:
        state["on"] = False
    # The listener stays: connections it made read-only are still in the pool, as in production.


def test_a_read_only_store_answers_503_and_recovers_without_a_restart(client, unit, make):
    _resident, code = make.resident()
    first, second = checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=2)
    with read_only_store():
        response = client.post("/api/v1/sync", json=sync_body([first]), headers=unit.headers)
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "store_unavailable"
        assert int(response.headers["Retry-After"]) > 0
        health = client.get("/healthz")
        assert health.status_code == 503 and "Retry-After" in health.headers
        registration = client.post("/api/v1/residents", json={"consent": True})
        assert registration.status_code == 503
    # Writable again: the next requests succeed, on whatever connection they get.
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    response = client.post("/api/v1/sync", json=sync_body([first, second]), headers=unit.headers)
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["accepted", "accepted"]
    assert client.post("/api/v1/residents", json={"consent": True}).status_code == 201
    assert assert_counts_exact() == {(unit.activity.id, "attendee", response.get_json()["results"] and
                                      first["scanned_at"][:10]): (1, 2)}


def test_a_page_that_cannot_be_stored_says_so_in_html(lead, unit):
    with read_only_store():
        response = post(lead, "/unit/volunteers", {"username": "new.one", "password": "eight chars"})
        assert response.status_code == 503
        assert response.mimetype == "text/html" and "Retry-After" in response.headers
    assert post(lead, "/unit/volunteers", {"username": "new.one", "password": "eight chars"}).status_code == 302


@pytest.mark.parametrize("status, code", [(400, "bad_request"), (431, "headers_too_large"), (500, "server_unavailable")])
def test_gunicorns_own_errors_are_in_the_json_envelope(status, code):
    import json

    from lwpwa.serving import json_error

    raw = json_error(status, "Reason", "Invalid header 'X'")
    head, _sep, body = raw.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in head
    answer = json.loads(body)
    assert answer["error"]["code"] == code and answer["error"]["fields"] == {}
    if status == 500:  # a worker stopped mid-request: retry, the ids make it count once
        assert head.startswith(b"HTTP/1.1 503") and b"Retry-After: 5" in head
    assert b"X" not in body  # the request's own text is not echoed
