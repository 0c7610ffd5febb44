"""SQLite's write path: its pragmas, the writers' queue (WriterQueue) and the sync's insert
without foreign-key checks, which must never leave a connection without them."""
import multiprocessing
import threading

import pytest
from conftest import TEST_SECRET, base_config, checkin, sync_body
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lwpwa import create_app, database
from lwpwa.checkins.models import Checkin
from lwpwa.checkins.store import Store
from lwpwa.database import WriterQueue, writer_queue
from lwpwa.extensions import db
from lwpwa.reference import load_reference_data


@pytest.fixture
def one_connection_app(tmp_path):
    """A SQLite app whose pool holds two connections (a request may use a second one for its
    token's last-use mark): what one request leaves on them, the next ones get."""
    config = base_config(f"sqlite:///{tmp_path}/writes.sqlite3")
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 2, "max_overflow": 0}
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_every_connection_gets_the_cache_and_checkpoint_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SQLITE_CACHE_MIB", "32")
    monkeypatch.setenv("SQLITE_WAL_AUTOCHECKPOINT", "5000")
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/pragmas.sqlite3"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA cache_size")).scalar() == -32 * 1024
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 5000
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    with app.app_context():
        db.engine.dispose()


def test_a_sync_skips_foreign_key_checks_and_the_connection_gets_them_back(one_connection_app, monkeypatch):
    from conftest import Factory

    make = Factory(one_connection_app)
    org, campaign = make.org(), make.campaign()
    activity_id = make.activity(org, campaign).id
    headers = make.auth(make.user("volunteer", org=org))
    _resident, code = make.resident()
    db.session.remove()
    seen = []
    insert = Store._sqlite_insert_chunk

    def looking(cursor, rows):
        seen.append((cursor.connection, cursor.connection.execute("PRAGMA foreign_keys").fetchone()[0]))
        return insert(cursor, rows)

    monkeypatch.setattr(Store, "_sqlite_insert_chunk", staticmethod(looking))
    response = one_connection_app.test_client().post(
        "/api/v1/sync", json=sync_body([checkin(activity_id, code=code)]), headers=headers)
    assert response.status_code == 200 and response.get_json()["summary"]["accepted"] == 1
    [(raw, checks)] = seen
    assert checks == 0  # the insert ran without the checks
    with db.engine.connect() as first, db.engine.connect() as second:  # the whole pool
        assert raw in (first.connection.dbapi_connection, second.connection.dbapi_connection)
        for connection in (first, second):
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            with pytest.raises(IntegrityError, match="FOREIGN KEY"):
                connection.execute(text("INSERT INTO checkins (client_id, activity_id, status, received_at) "
                                        "VALUES ('x', 999999, 'accepted', '2026-01-01')"))
            connection.rollback()
    assert db.session.query(Checkin).count() == 1


def _hold_queue(path, entered, release):
    queue = WriterQueue(path)
    queue.enter()
    entered.set()
    release.wait(30)
    queue.leave()


def test_writers_of_two_processes_take_turns(tmp_path):
    path = str(tmp_path / "db.sqlite3-writer.lock")
    context = multiprocessing.get_context("fork")
    entered, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_queue, args=(path, entered, release))
    holder.start()
    try:
        assert entered.wait(30)
        mine = WriterQueue(path)
        got_in = threading.Event()

        def wait_turn():
            mine.enter()
            got_in.set()
            mine.leave()

        waiter = threading.Thread(target=wait_turn)
        waiter.start()
        assert not got_in.wait(0.3), "entered while another process held the queue"
        release.set()
        assert got_in.wait(30)  # woken as soon as the holder left
        waiter.join(30)
    finally:
        release.set()
        holder.join(30)
    assert holder.exitcode == 0


def test_threads_of_one_process_take_turns(tmp_path):
    queue = WriterQueue(str(tmp_path / "threads.lock"))
    inside, most = [0], [0]
    guard = threading.Lock()

    def write():
        for _ in range(200):
            queue.enter()
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            with guard:
                inside[0] -= 1
            queue.leave()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert most[0] == 1


@pytest.mark.parametrize("body, status", [
    ({"device_id": "d", "sent_at": "2026-11-30T10:00:00+08:00", "checkins": []}, 200),
    ({"device_id": "d", "sent_at": "not a time", "checkins": []}, 400),
    ("not json", 400),
])
def test_every_request_leaves_the_queue_whatever_its_answer(one_connection_app, body, status):
    from conftest import Factory

    make = Factory(one_connection_app)
    headers = make.auth(make.user("volunteer", org=make.org()))
    db.session.remove()
    client = one_connection_app.test_client()
    if isinstance(body, str):
        response = client.post("/api/v1/sync", data=body, headers={**headers, "Content-Type": "application/json"})
    else:
        response = client.post("/api/v1/sync", json=body, headers=headers)
    assert response.status_code == status
    # A form post takes the queue before its view runs (and fails CSRF here): it leaves too.
    assert client.post("/login", data={"username": "x"}).status_code in (200, 400)
    assert getattr(database._held, "queue", None) is None
    url = one_connection_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = threading.Thread(target=lambda: (writer_queue(url).enter(), writer_queue(url).leave()))
    other.start()
    other.join(10)
    assert not other.is_alive(), "the queue was left held"


def test_writers_checkpoint_the_wal_after_their_response_at_most_once_an_interval(tmp_path, monkeypatch):
    monkeypatch.setenv("SQLITE_WAL_AUTOCHECKPOINT", "1000000")  # SQLite's own never runs here
    monkeypatch.setenv("SQLITE_CHECKPOINT_SECONDS", "3600")
    config = base_config(f"sqlite:///{tmp_path}/checkpoint.sqlite3")
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        from conftest import Factory

        make = Factory(app)
        org, campaign = make.org(), make.campaign()
        activity_id = make.activity(org, campaign).id
        headers = make.auth(make.user("volunteer", org=org))
        codes = [make.resident()[1] for _ in range(30)]
        db.session.remove()
        ran = []
        original = database._checkpoint
        monkeypatch.setattr(database, "_checkpoint", lambda engine: (ran.append(1), original(engine)))
        path = tmp_path / "checkpoint.sqlite3"
        before = path.stat().st_size
        client = app.test_client()
        for batch in (codes[:15], codes[15:]):
            response = client.post("/api/v1/sync", headers=headers,
                                   json=sync_body([checkin(activity_id, code=code) for code in batch]))
            assert response.status_code == 200
            response.close()
        assert ran == [1]  # the first writer of this worker checkpointed; the next, within the interval, did not
        assert path.stat().st_size > before  # the WAL's pages reached the database file
        db.engine.dispose()
