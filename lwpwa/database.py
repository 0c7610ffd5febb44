"""Database plumbing shared by every feature: UTC datetimes, SQLite tuning, write transactions."""
import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from flask import g, has_request_context, request
from sqlalchemy import BigInteger, DateTime, Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

from .extensions import db
from .faults import failpoint

# The largest id a 32-bit INTEGER column holds (PostgreSQL's `integer`).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` in URLs: a number no id column can hold becomes 0, which no row has, so the
    view answers 404 instead of the database failing (and Werkzeug would answer 405 for a
    converter that refuses after the path matched)."""

    def to_python(self, value):
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


# Integer ids that are 64-bit on PostgreSQL but stay SQLite's ROWID alias (autoincrementing).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every engine and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL on SQLite
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc)


def sqlite_pragmas():
    """What every SQLite connection is set to, in order (bench/sync_ingest.py's floor uses the
    same). The busy timeout first: even switching to WAL needs a lock another process may hold.

    - WAL, synchronous=NORMAL: readers never wait for the writer; a commit appends to the WAL
      without fsync (a power cut may lose the last commits, never corrupt the file).
    - cache_size (SQLITE_CACHE_MIB, default 64 MiB per connection): the indexes of `checkins`
      outgrow SQLite's default 2 MiB at a few hundred thousand rows, and every sync then reads
      its pages back from the OS.
    - wal_autocheckpoint (SQLITE_WAL_AUTOCHECKPOINT pages, default 10,000 = 40 MiB): a checkpoint
      copies the WAL into the database and fsyncs both, inside the commit that crossed the
      mark, while that writer still holds the writers' queue. The app's writers checkpoint
      after their response instead (checkpoint_after), so this is only the backstop, for other
      programs and for a WAL that grows faster than those checkpoints copy. At SQLite's
      default of 1,000 pages almost every sync commit ran one.
    """
    cache_kib = int(os.environ.get("SQLITE_CACHE_MIB", "64")) * 1024
    autocheckpoint = int(os.environ.get("SQLITE_WAL_AUTOCHECKPOINT", "10000"))
    return ("busy_timeout=30000", "journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL",
            f"cache_size=-{cache_kib}", f"wal_autocheckpoint={autocheckpoint}")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is broken
    # for SAVEPOINT and cannot do BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in sqlite_pragmas():
        cursor.execute("PRAGMA " + pragma)
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    # A writer must hold the write lock from its first statement: a deferred transaction that
    # reads, then writes after another writer committed, fails at once with SQLITE_BUSY.
    options = conn.get_execution_options()
    if options.get("write_lock"):
        if options.get("references_checked"):
            # Only outside a transaction does this pragma take effect; the pool turns the
            # checks back on when the connection returns (_checks_back_on).
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.connection.info["foreign_keys_off"] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


# Recovery after the store failed (read-only files, a full disk, a restarted server): a
# connection opened while it failed may stay broken after the store is back (SQLite opens a
# file it cannot write read-only, for that connection's life). So from the first store error
# until the next write commits, each checkout gets a connection that has not served a request
# yet: a used one is discarded (the pool then opens a fresh one, as for a failed pre-ping).
_store_fault = {"on": False}


def store_failed():
    _store_fault["on"] = True


def store_wrote():
    _store_fault["on"] = False


@event.listens_for(Pool, "checkout")
def _fresh_while_recovering(dbapi_connection, connection_record, proxy):
    if _store_fault["on"] and connection_record.info.get("served"):
        raise DisconnectionError("the store failed since this connection was opened")
    connection_record.info["served"] = True


@event.listens_for(Pool, "checkin")
def _checks_back_on(dbapi_connection, connection_record):
    if connection_record is not None and connection_record.info.pop("foreign_keys_off", False):
        if dbapi_connection is not None:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")


def begin_write(references_checked=False):
    """Start the request's transaction as a writer (SQLite: BEGIN IMMEDIATE).

    Writing requests take it before their first query (see `takes_write_lock_late` for the
    exception). A transaction still open holds only reads made before the decisive ones (the
    token check, and the token's last-use mark): it is committed first, so that the lock is
    taken by a fresh transaction that sees everything committed before it.

    `references_checked`: the caller looked up every row its inserts refer to, and those rows
    are never deleted (users, activities, codes and residents are deactivated, cancelled,
    revoked or erased in place, never removed), so SQLite may skip its foreign-key checks for
    this transaction: for the sync's 500-row inserts they were half of the insert's time.
    """
    session = db.session()
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        # PostgreSQL: no lock to take, and in READ COMMITTED every statement sees what was
        # committed before it; a commit here would only cost two round trips.
        return
    if session.in_transaction():
        session.commit()
    queue = _queue_for(engine)
    if queue is not None:
        queue.enter()
    db.session.connection(execution_options={"write_lock": True, "references_checked": references_checked})


def end_write():
    """After the request's commit or rollback: let the next writer in (see WriterQueue). In a
    request, the queue it left is kept in `g` for the checkpoint after the response
    (checkpoint_after)."""
    queue = getattr(_held, "queue", None)
    if queue is not None:
        queue.leave()
        if has_request_context():
            g.left_writers_queue = queue


def commit_request():
    """Commit the request's transaction and let the next writer in. The request hooks call it
    after the view; a view whose writes are done long before its answer is (the sync: 500
    answers to build and encode) calls it itself, so that the next writer need not wait for
    that. The failpoints are those of the fault-injection tests (faults.py)."""
    try:
        failpoint("before_commit")
        wrote = _store_fault["on"] and (holds_write_lock() or (
            has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")))
        db.session.commit()
        if wrote:
            store_wrote()
        failpoint("after_commit")
    finally:
        end_write()


def checkpoint_after(response, queue):
    """SQLite: copy the WAL into the database once this response has been sent, at most every
    SQLITE_CHECKPOINT_SECONDS (default 1) per worker. A checkpoint of SQLite's own runs inside
    the commit that crossed the mark, while that writer still holds the writers' queue, so every
    writer queued behind it waits for the copy (up to 40 MiB at the 10,000-page mark); a passive
    one after the response makes nobody wait, and other writers go on meanwhile. A checkpoint
    that fails (another one is running) is left to the next."""
    now = time.monotonic()
    if now - queue.last_checkpoint < float(os.environ.get("SQLITE_CHECKPOINT_SECONDS", "1")):
        return
    queue.last_checkpoint = now
    engine = db.engine  # the response closes outside the app context
    response.call_on_close(lambda: _checkpoint(engine))


def _checkpoint(engine):
    try:
        connection = engine.raw_connection()  # autocommit on the driver: no transaction open
        try:
            connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - the next checkpoint, or SQLite's own, will do it
        logging.getLogger(__name__).warning("WAL checkpoint failed", exc_info=True)


@contextmanager
def writer_turn(engine):
    """A short write in a transaction of its own (a token's last-use mark) queues like every
    other writer: left to SQLite's busy handler, it would poll while the queued writers hand
    the lock on to each other, and could wait until its busy timeout under load."""
    queue = _queue_for(engine) if getattr(_held, "queue", None) is None else None
    if queue is not None:
        queue.enter()
    try:
        yield
    finally:
        if queue is not None:
            queue.leave()


_held = threading.local()  # the queue this thread is in, if any
_queues = {}


def _queue_for(engine):
    """The writers' queue of a SQLite file database; None for PostgreSQL or an in-memory one."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return writer_queue(engine.url.database)


def writer_queue(path):
    key = (os.getpid(), os.path.abspath(path))  # a forked worker opens its own lock file
    queue = _queues.get(key)
    if queue is None:
        queue = _queues.setdefault(key, WriterQueue(key[1] + "-writer.lock"))
    return queue


class WriterQueue:
    """SQLite allows one writer at a time. Left to itself, a writer that finds the lock taken
    sleeps in SQLite's busy handler (1, 2, 5 … up to 100 ms) and tries again, so under load the
    lock stays idle between writers, and sync throughput fell with more workers. Writers of the
    app instead queue on a lock file beside the database (flock): the kernel wakes the next one
    the moment the lock is released. A thread lock comes first, since flock is per open file and
    the threads of a process share it. A process that dies releases its flock with it.
    Processes outside the app (sqlite3 shell, backups) still meet the busy timeout.
    """

    def __init__(self, path):
        self.path = path
        self.thread_lock = threading.Lock()
        self.fd = None
        self.last_checkpoint = float("-inf")

    def enter(self):
        if getattr(_held, "queue", None) is self:
            return
        self.thread_lock.acquire()
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.thread_lock.release()
            raise
        _held.queue = self

    def leave(self):
        if getattr(_held, "queue", None) is not self:
            return
        _held.queue = None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


def holds_write_lock():
    """Whether this request's transaction was begun as a writer (see begin_write)."""
    session = db.session()
    return session.in_transaction() and bool(session.connection().get_execution_options().get("write_lock"))


def takes_write_lock_late(view):
    """Mark a writing view that calls `begin_write()` itself, after work that needs no lock
    (the sync parses and checks 500 items first: other workers write meanwhile)."""
    view.takes_write_lock_late = True
    return view

