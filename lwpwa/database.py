"""Database plumbing shared by every feature: UTC datetimes, SQLite tuning, write transactions."""
from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

from .extensions import db

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


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is broken
    # for SAVEPOINT and cannot do BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # The busy timeout first: even switching to WAL needs a lock another process may hold.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    # A writer must hold the write lock from its first statement: a deferred transaction that
    # reads, then writes after another writer committed, fails at once with SQLITE_BUSY.
    if conn.get_execution_options().get("write_lock"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def begin_write():
    """Start the request's transaction as a writer (SQLite: BEGIN IMMEDIATE).

    Writing requests take it before their first query (see `takes_write_lock_late` for the
    exception). A transaction still open holds only reads made before the decisive ones (the
    token check, and the token's last-use mark): it is committed first, so that the lock is
    taken by a fresh transaction that sees everything committed before it.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    db.session.connection(execution_options={"write_lock": True})


def holds_write_lock():
    """Whether this request's transaction was begun as a writer (see begin_write)."""
    session = db.session()
    return session.in_transaction() and bool(session.connection().get_execution_options().get("write_lock"))


def takes_write_lock_late(view):
    """Mark a writing view that calls `begin_write()` itself, after work that needs no lock
    (the sync parses and checks 500 items first: other workers write meanwhile)."""
    view.takes_write_lock_late = True
    return view

