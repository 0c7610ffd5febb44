"""Whether a unit's table is closed to corrections: its bureau accepted the latest version.

Corrections (voids, approvals that change a count) ask this before they change a figure; an
accepted table is the record until the bureau returns it (API.md "Submissions").
"""
from sqlalchemy import select

from ..extensions import db
from .models import ACCEPTED, Submission


def table_accepted(org_id, campaign_id):
    """True while the latest submitted version of the unit's table is `accepted`: one indexed
    read of the unique (org_id, campaign_id, version) constraint's index."""
    status = db.session.scalar(
        select(Submission.status).where(Submission.org_id == org_id, Submission.campaign_id == campaign_id)
        .order_by(Submission.version.desc()).limit(1))
    return status == ACCEPTED
