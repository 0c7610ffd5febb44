"""SQL pieces the rules share, for SQLite and PostgreSQL alike."""
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Integer, and_, cast, func, literal

from ...checkins.models import Checkin
from ...extensions import db


def dialect():
    return db.session.get_bind().dialect.name


def epoch(column):
    """Whole milliseconds since 1970 of a stored UTC time. Integers, so that both engines
    compare exactly: SQLite's julianday is a double, off by microseconds, and a scan exactly
    10 minutes after another would fall on either side of "within 10 minutes"."""
    if dialect() == "sqlite":
        return cast(func.round((func.julianday(column) - 2440587.5) * 86400000.0), Integer)
    return cast(func.round(func.extract("epoch", column) * 1000), BigInteger)


MINUTE, HOUR = 60_000, 3_600_000  # in epoch() units


def local_hour(column, offset_s):
    """The hour of day (0–23) of a stored UTC time at a fixed UTC offset."""
    hours = (epoch(column) + literal(offset_s * 1000)) / HOUR  # integer division on both engines
    return hours.op("%")(24)


def accepted(ids, checkin=Checkin):
    """Accepted check-ins of these activities."""
    return and_(checkin.status == "accepted", checkin.activity_id.in_(ids))


def as_utc(value):
    """Aggregates (min/max) of datetimes come back as strings on SQLite."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def iso(value):
    value = as_utc(value)
    return value.isoformat() if value is not None else None


def same_place(venue_a, mode_a, venue_b, mode_b):
    """Two activities at one place: offline (or hybrid) at the same venue text, compared
    trimmed and case-blind. An online activity is a place of its own: a code scanned there was
    scanned by a volunteer somewhere, not at the other venue."""
    if "online" in (mode_a, mode_b):
        return False
    return (venue_a or "").strip().lower() == (venue_b or "").strip().lower()
