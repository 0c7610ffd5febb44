"""Reading corrections (who voided what, when, why) for the unit's and the bureau's pages and
the API. The rule for a correction's reason is in declarations.py (VoidRequest).

A correction names the user who made it by username: the unit knows its accounts, a bureau
sees which account of the unit did it. Never a resident's name: above the unit only counts and
accounts are shown (the check-in is described by its kind, time and headcount).
"""
from sqlalchemy import select

from ..accounts.models import User
from ..activities.models import Activity
from ..extensions import db
from ..orgs.models import Org
from .declarations import REASON_MAX_LENGTH, reason_problem  # noqa: F401 (the pages use them from here)
from .items import ACCEPTED
from .models import Checkin, Correction

LIST_LIMIT = 500


def _listing():
    """Corrections that took effect (a refused undo corrects nothing), with what they voided."""
    return (select(Correction, Checkin, User.username, Activity)
            .join(Checkin, Checkin.id == Correction.checkin_id)
            .join(Activity, Activity.id == Checkin.activity_id)
            .outerjoin(User, User.id == Correction.by_id)
            .where(Correction.status == ACCEPTED)
            .order_by(Correction.received_at.desc(), Correction.id.desc()))


def activity_corrections(activity_id, limit=LIST_LIMIT):
    """[(Correction, Checkin, username, Activity)] of one activity, newest first."""
    return db.session.execute(_listing().where(Checkin.activity_id == activity_id).limit(limit)).all()


def unit_corrections(org_id, campaign_id, limit=LIST_LIMIT):
    return db.session.execute(_listing().where(Activity.org_id == org_id, Activity.campaign_id == campaign_id)
                              .limit(limit)).all()


def region_corrections(campaign_id, region_prefix, org_id=None, limit=LIST_LIMIT):
    """Of every unit whose region lies in the region (or of one of them), with the unit."""
    query = (_listing().add_columns(Org.name).join(Org, Org.id == Activity.org_id)
             .where(Activity.campaign_id == campaign_id, Org.region_code.like(region_prefix + "%")))
    if org_id is not None:
        query = query.where(Org.id == org_id)
    return db.session.execute(query.limit(limit)).all()


def local_time(moment, zone):
    """`moment` in the campaign's zone, as ISO text; in UTC where the zone's time would leave
    the calendar (a time stored at its very edge)."""
    if moment is None:
        return None
    try:
        return moment.astimezone(zone).isoformat()
    except OverflowError:
        return moment.isoformat()


def local_text(moment, zone, pattern="%Y-%m-%d %H:%M"):
    """`moment` in the campaign's zone for a page (in UTC at the calendar's very edge)."""
    if moment is None:
        return ""
    try:
        return moment.astimezone(zone).strftime(pattern)
    except OverflowError:
        return moment.strftime(pattern) + " UTC"


def correction_document(correction, checkin, username, zone):
    """One entry of GET /api/v1/activities/<id>/corrections."""
    return {
        "checkin_id": checkin.client_id,
        "by": username,
        "at": local_time(correction.made_at, zone),
        "reason": correction.note,
        "kind": checkin.kind,
        "headcount": checkin.headcount,
        "source": correction.source,
        "recorded_at": local_time(correction.received_at, zone),
        "scanned_at": local_time(checkin.scanned_at, zone),
    }


def checkin_document(checkin, zone, username=None):
    """A check-in as the API shows it: its device-made id, what it counted, its status. No
    personal data: not the person, not the code."""
    return {
        "id": checkin.client_id,
        "activity_id": checkin.activity_id,
        "kind": checkin.kind,
        "headcount": checkin.headcount,
        "status": checkin.status,
        "reason": checkin.reason,
        "day": checkin.day.isoformat() if checkin.day else None,
        "scanned_at": local_time(checkin.scanned_at, zone),
        "received_at": local_time(checkin.received_at, zone),
        "device_id": checkin.device_id,
        "recorded_by": username,
    }
