"""Submitting a unit's table to the city bureau, and telling whether it changed since."""
import hashlib
import json

from sqlalchemy import select

from ..activities.models import Activity
from ..extensions import db
from ..reports.counts import FIGURES, ZERO, activity_totals, counted_activities
from .models import Submission

SUBMITTED, CHANGED, MISSING = "submitted", "changed", "missing"


def table_snapshot(campaign, org):
    """What the unit's table says now: its activities with their counts, and its contacts."""
    ids = counted_activities(campaign.id, org_id=org.id)
    totals = activity_totals(ids)
    activities = db.session.scalars(
        select(Activity).where(Activity.id.in_(ids)).order_by(Activity.starts_at, Activity.id)).all()
    rows = []
    for activity in activities:
        counts = totals.get(activity.id, ZERO)
        rows.append({"id": activity.id, "theme": activity.theme, "name": activity.name,
                     "content": activity.content, "form": activity.form, "mode": activity.mode,
                     "courses": activity.courses or [], "news_links": activity.news_links or [],
                     **counts})
    return {
        "campaign_id": campaign.id,
        "org": {"id": org.id, "name": org.name, "lead_name": org.lead_name,
                "reporter_name": org.reporter_name, "phone": org.phone},
        "activities": rows,
        "totals": {"activities": len(rows), **{key: sum(r[key] for r in rows) for key in FIGURES}},
    }


def fingerprint(snapshot):
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def submit(campaign, org, user):
    snapshot = table_snapshot(campaign, org)
    submission = Submission(org_id=org.id, campaign_id=campaign.id, submitted_by_id=user.id,
                            fingerprint=fingerprint(snapshot), snapshot=snapshot)
    db.session.add(submission)
    db.session.flush()
    return submission


def latest_submission(campaign, org):
    return db.session.scalar(
        select(Submission).where(Submission.org_id == org.id, Submission.campaign_id == campaign.id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(1))


def submission_status(campaign, org):
    """(status, latest submission or None): submitted, changed (since submission) or missing."""
    latest = latest_submission(campaign, org)
    if latest is None:
        return MISSING, None
    current = fingerprint(table_snapshot(campaign, org))
    return (SUBMITTED if current == latest.fingerprint else CHANGED), latest
