"""Submitting a table (a numbered, frozen, fingerprinted version), deciding it (accept or
return with a comment), and telling whether the live table changed since.

Rules (API.md "Submissions"): versions count 1, 2, … per (unit or region, campaign); only the
latest version can be decided, once; a unit whose latest version is accepted cannot submit
again nor be corrected until a bureau returns it.
"""
from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..database import utcnow
from ..errors import ApiError
from ..extensions import db
from .freeze import fingerprint, same_content, unit_snapshot, unit_snapshots
from .models import ACCEPTED, RETURNED, SUBMITTED, Submission

# The unit's table against its latest version (the pages' states; the record's status is apart).
CHANGED, MISSING = "changed", "missing"
VERSION_ATTEMPTS = 5


def table_snapshot(campaign, org):
    """What the unit's table says now (kept under this name for the pages that show it)."""
    return unit_snapshot(campaign, org)


def owner_clause(org_id=None, region_code=None):
    if org_id is not None:
        return Submission.org_id == org_id
    return Submission.region_code == region_code


def add_version(campaign, snapshot, user, org_id=None, region_code=None):
    """Insert the next version of a table. Its number is the largest so far + 1, read in the
    INSERT's own transaction; two submits racing for one number meet at the unique constraint,
    and the loser takes the next number in a savepoint instead of failing."""
    for _attempt in range(VERSION_ATTEMPTS):
        latest = db.session.scalar(select(func.max(Submission.version)).where(
            owner_clause(org_id, region_code), Submission.campaign_id == campaign.id)) or 0
        frozen = {**snapshot, "version": latest + 1}
        submission = Submission(org_id=org_id, region_code=region_code, campaign_id=campaign.id,
                                version=latest + 1, status=SUBMITTED, submitted_by_id=user.id,
                                submitted_at=utcnow(), fingerprint=fingerprint(frozen), snapshot=frozen)
        try:
            with db.session.begin_nested():
                db.session.add(submission)
                db.session.flush()
            return submission
        except IntegrityError:
            continue  # another submit took this number meanwhile: read the largest again
    raise ApiError(409, "conflict", _("Too many submissions at once; try again."))


def submit(campaign, org, user):
    """Freeze the unit's table as its next version. Refused (409 table_accepted) while a bureau
    has accepted the latest version: it is the record until returned."""
    latest = latest_submission(campaign, org)
    if latest is not None and latest.status == ACCEPTED:
        raise table_accepted_error()
    return add_version(campaign, unit_snapshot(campaign, org), user, org_id=org.id)


def table_accepted_error():
    return ApiError(409, "table_accepted",
                    _("A bureau accepted this table; it can change again once the bureau returns it."))


def latest_submission(campaign, org):
    return latest_of(campaign.id, org_id=org.id)


def latest_of(campaign_id, org_id=None, region_code=None):
    return db.session.scalar(
        select(Submission).where(owner_clause(org_id, region_code), Submission.campaign_id == campaign_id)
        .order_by(Submission.version.desc()).limit(1))


def versions_of(campaign_id, org_id=None, region_code=None):
    """Every version, newest first."""
    return db.session.scalars(
        select(Submission).where(owner_clause(org_id, region_code), Submission.campaign_id == campaign_id)
        .order_by(Submission.version.desc())).all()


def decide(submission, user, status, comment):
    """Accept or return the latest version, once. One conditional UPDATE: of two bureaus
    deciding at once, or a decision racing the unit's next version, only what still holds wins."""
    later = aliased(Submission)
    newer_exists = exists().where(
        later.campaign_id == Submission.campaign_id, later.version > Submission.version,
        (later.org_id == Submission.org_id) if submission.org_id is not None
        else (later.region_code == Submission.region_code))
    result = db.session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == SUBMITTED, ~newer_exists)
        .values(status=status, comment=comment, decided_by_id=user.id, decided_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(submission)
        if submission.status != SUBMITTED:
            raise ApiError(409, "already_decided", _("This version was decided already."))
        raise ApiError(409, "not_latest", _("Only the latest version can be decided; a newer one was submitted."))
    db.session.refresh(submission)
    return submission


def submission_status(campaign, org):
    """(state, latest or None): submitted (the live table is the latest version), changed
    (since the latest version) or missing (no version at all)."""
    latest = latest_submission(campaign, org)
    if latest is None:
        return MISSING, None
    return (SUBMITTED if same_content(unit_snapshot(campaign, org), latest.snapshot) else CHANGED), latest


def changed_flags(campaign, orgs, latest_by_org):
    """{org_id: whether the live table differs from its latest version}, for many units at
    once (one bulk snapshot of all of them)."""
    live = unit_snapshots(campaign, [org for org in orgs if org.id in latest_by_org])
    return {org_id: not same_content(snapshot, latest_by_org[org_id].snapshot) for org_id, snapshot in live.items()}


__all__ = ["ACCEPTED", "RETURNED", "SUBMITTED", "CHANGED", "MISSING", "submit", "decide", "table_snapshot",
           "latest_submission", "versions_of", "submission_status", "changed_flags", "fingerprint"]
