"""GET /healthz: 200 while the database answers, its schema is at the newest migration, and it
can be written; else 503 (a load balancer then sends no one here).

"Can be written" is proved, not assumed: a read answers while the disk is full, the files are
read-only or a file-size limit stops every write, and the syncs of every phone fail meanwhile.
So each health check commits one tiny row (`store_heartbeats`), through the writers' queue like
every other writer.
"""
from datetime import datetime

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, store_wrote, utcnow, writer_turn
from .errors import STORE_RETRY_AFTER, forget_connections
from .extensions import db

bp = Blueprint("health", __name__)


class StoreHeartbeat(db.Model):
    """The row a health check writes to prove that the store can be written."""

    __tablename__ = "store_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)


def migration_heads():
    """The newest migrations the code has. Read once per app: parsing every migration script
    took 4 ms of each health check, and load balancers ask every few seconds."""
    heads = current_app.extensions.get("lwpwa_migration_heads")
    if heads is None:
        config = current_app.extensions["migrate"].migrate.get_config()
        heads = frozenset(ScriptDirectory.from_config(config).get_heads())
        current_app.extensions["lwpwa_migration_heads"] = heads
    return heads


def schema_status():
    """(ok, detail): whether the database is reachable and fully migrated."""
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # any driver error means "not reachable"
        forget_connections()
        return False, f"database unreachable: {exc.__class__.__name__}"
    heads = migration_heads()
    if current != heads:
        return False, f"migrations not current (database {sorted(current)}, code {sorted(heads)})"
    return True, "ok"


def write_status():
    """(ok, detail): whether a write commits now."""
    engine = db.engine
    now = utcnow()
    try:
        with writer_turn(engine), engine.connect().execution_options(write_lock=True) as connection:
            with connection.begin():
                beat = connection.execute(update(StoreHeartbeat).where(StoreHeartbeat.id == 1)
                                          .values(beat_at=now))
                if beat.rowcount == 0:
                    try:
                        with connection.begin_nested():
                            connection.execute(insert(StoreHeartbeat).values(id=1, beat_at=now))
                    except IntegrityError:  # another worker wrote it first: a write all the same
                        pass
    except Exception as exc:  # noqa: BLE001 - whatever stops the write makes the store unavailable
        forget_connections()
        return False, f"database cannot be written: {exc.__class__.__name__}"
    store_wrote()
    return True, "ok"


@bp.get("/healthz")
def healthz():
    ok, detail = schema_status()
    if ok:
        ok, detail = write_status()
    response = jsonify({"status": "ok" if ok else "unavailable", "detail": detail})
    response.status_code = 200 if ok else 503
    if not ok:
        response.headers["Retry-After"] = str(STORE_RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response
