"""GET /healthz: 200 while the database answers and its schema is at the newest migration."""
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from .extensions import db

bp = Blueprint("health", __name__)


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
        return False, f"database unreachable: {exc.__class__.__name__}"
    heads = migration_heads()
    if current != heads:
        return False, f"migrations not current (database {sorted(current)}, code {sorted(heads)})"
    return True, "ok"


@bp.get("/healthz")
def healthz():
    ok, detail = schema_status()
    return jsonify({"status": "ok" if ok else "unavailable", "detail": detail}), 200 if ok else 503

