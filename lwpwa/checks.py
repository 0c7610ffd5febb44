"""`flask --app wsgi check`: is this installation ready to serve? Each check says what to fix."""
from pathlib import Path

from flask import current_app
from limits.storage import storage_from_string

from .health import schema_status


def run_checks():
    """[(name, ok, detail)] for the database, migrations, counts table, rate-limit store,
    catalogs, PWA files."""
    results = []
    ok, detail = schema_status()
    results.append(("database and migrations", ok, detail if not ok else "reachable, current"))
    results.append(_counts_check(ok))
    results.append(_regions_check(ok))

    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    try:
        healthy = storage_from_string(uri).check()
    except Exception as exc:  # any client error means the store cannot be used
        healthy, uri = False, f"{uri} ({exc.__class__.__name__})"
    shared = not uri.startswith("memory://")
    results.append(("rate-limit store", healthy,
                    uri + ("" if shared else " — not shared between workers: set RATELIMIT_STORAGE_URI=redis://…")))

    translations = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    missing = [lang for lang in current_app.config["LANGUAGES"]
               if not (translations / lang / "LC_MESSAGES" / "messages.mo").exists()]
    results.append(("compiled catalogs", not missing,
                    "run `make translations`: missing " + ", ".join(missing) if missing else "zh_Hans, en"))

    vendor = Path(current_app.static_folder) / "vendor"
    has_vendor = vendor.is_dir() and any(vendor.iterdir())
    results.append(("scanner libraries", has_vendor,
                    "present" if has_vendor else "run `npm ci` (copies them into static/vendor/)"))

    secure = current_app.config["SESSION_COOKIE_SECURE"]
    results.append(("secure cookies", True if secure else current_app.debug,
                    "on" if secure else "off: only for plain http on localhost"))
    return results


def _regions_check(schema_ok):
    """The GB/T 2260 package installed and the release the database holds (lwpwa/regions)."""
    from sqlalchemy import select

    from .extensions import db
    from .regions.models import Region, RegionRelease
    from .regions.source import installed_release

    name = "regions (GB/T 2260)"
    try:
        release = installed_release()
    except (FileNotFoundError, ValueError) as exc:
        return name, False, str(exc)
    package = f"{release.source} {release.version}, data of {release.data_date}, {len(release.rows)} regions"
    if not schema_ok:
        return name, False, package + "; database not checked"
    try:
        loaded = db.session.scalars(select(RegionRelease).order_by(RegionRelease.id.desc()).limit(1)).first()
        loaded = None if loaded is None else (loaded.source, loaded.version)
        codes = set(release.codes())
        stale = [code for code in db.session.scalars(select(Region.code).where(Region.current.is_(True)))
                 if code not in codes]
    finally:
        db.session.rollback()
    if loaded != (release.source, release.version):
        held = "none" if loaded is None else " ".join(loaded)
        return name, False, f"{package}; the database holds {held}: run `flask --app wsgi update-regions`"
    if stale:
        return name, False, (f"{package}; {len(stale)} codes it no longer has still current ({', '.join(stale[:5])}"
                             f"{' …' if len(stale) > 5 else ''}): run `flask --app wsgi update-regions`")
    return name, True, package + "; loaded"


def _counts_check(schema_ok):
    """Whether checkin_counts agrees with checkins (`flask --app wsgi recount` lists the rows)."""
    name = "counts table"
    if not schema_ok:
        return name, False, "not checked: the database is not reachable or not current"
    from .checkins.counters import differences
    from .extensions import db

    try:
        found = differences()
    finally:
        db.session.rollback()
    if found:
        return name, False, (f"{len(found)} rows differ from checkins: see `flask --app wsgi recount`, "
                             "mend with `recount --fix`")
    return name, True, "agrees with checkins"
