"""The edit history of activities: every change to what a figure depends on, written by the
activities service's update (the API and the workspace form both go through it)."""
from datetime import datetime, timezone

from sqlalchemy import exists, select

from ..checkins.models import Checkin
from ..extensions import db
from ..submissions.models import Submission
from .dirty import mark_dirty
from .models import ActivityEdit

TRACKED = ("starts_at", "ends_at", "capacity", "venue", "mode", "form", "is_cancelled")


def _text(value):
    if value is None:
        return None
    if isinstance(value, datetime):  # one instant, one text: the form sends local times
        return value.astimezone(timezone.utc).isoformat()
    return str(value)[:200]


def record_edits(user, activity, fields):
    """Before `fields` are set on `activity`: keep every tracked field that changes, with
    whether the activity already had a counted scan and whether its unit had submitted its
    table; mark the activity dirty when anything tracked changes (its flags depend on it)."""
    changes = [(name, getattr(activity, name), fields[name]) for name in TRACKED
               if name in fields and _text(fields[name]) != _text(getattr(activity, name))]
    if not changes or activity.id is None:
        return
    scanned = db.session.scalar(select(exists().where(
        Checkin.activity_id == activity.id, Checkin.status == "accepted")))
    submitted = db.session.scalar(select(exists().where(
        Submission.org_id == activity.org_id, Submission.campaign_id == activity.campaign_id)))
    for name, old, new in changes:
        db.session.add(ActivityEdit(activity_id=activity.id, user_id=getattr(user, "id", None), field=name,
                                    old=_text(old), new=_text(new), after_first_scan=bool(scanned),
                                    after_submission=bool(submitted)))
    mark_dirty([activity.id])


def history(activity_id, limit=200):
    return db.session.scalars(select(ActivityEdit).where(ActivityEdit.activity_id == activity_id)
                              .order_by(ActivityEdit.at, ActivityEdit.id).limit(limit)).all()
