"""What a region's dashboard shows: the counts API's rows (reused as they are), the walk-in
tallies apart with the share of participations verified by a scanned code, and every unit's
submission status against the due date."""
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..orgs.models import Org
from ..regions.models import Region
from ..reports import service
from ..submissions.models import Submission
from ..submissions.service import CHANGED, MISSING, SUBMITTED, submission_status

OVERDUE = "overdue"  # missing after the due date
STATUS_ORDER = {OVERDUE: 0, MISSING: 1, CHANGED: 2, SUBMITTED: 3}
# "label" keeps the official order (cities by code, units by place then name): sorting Chinese
# names by code point would be meaningless.
SORT_KEYS = ("label", "activities", "attendance", "attendance_tallied", "verified_share", "volunteers", "status")


def verified_share(row):
    """The share of participations verified by a scanned code, 0..1, or None with none at all."""
    return row["attendance_scanned"] / row["attendance"] if row["attendance"] else None


def with_shares(rows):
    for row in rows:
        row["verified_share"] = verified_share(row)
    return rows


def latest_submissions(campaign, region):
    """{org_id: the unit's latest Submission} for the region's units, in one query."""
    ranked = (
        select(Submission.id,
               func.row_number().over(partition_by=Submission.org_id,
                                      order_by=(Submission.submitted_at.desc(), Submission.id.desc()))
               .label("rank"))
        .join(Org, Org.id == Submission.org_id)
        .where(Submission.campaign_id == campaign.id, Org.region_code.like(region.prefix + "%"))
        .subquery()
    )
    latest = db.session.scalars(
        select(Submission).join(ranked, ranked.c.id == Submission.id).where(ranked.c.rank == 1))
    return {submission.org_id: submission for submission in latest}


def unit_statuses(campaign, region, today=None):
    """{org_id: {"status", "submitted_at", "late"}} for every unit of the region.

    Units without a submission cost nothing; a submitted unit's live table is compared with
    its latest submission by `submission_status` itself (a few queries per submitted unit)."""
    today = today or datetime.now(campaign.zone).date()
    due = campaign.report_due_on
    latest = latest_submissions(campaign, region)
    orgs = {org.id: org for org in db.session.scalars(select(Org).where(Org.id.in_(list(latest))))}
    statuses = {}
    for org_id, _name, _region_name in service.units_in(region):
        submission = latest.get(org_id)
        if submission is None:
            status = OVERDUE if due and today > due else MISSING
            statuses[org_id] = {"status": status, "submitted_at": None, "late": False}
            continue
        status, submission = submission_status(campaign, orgs[org_id])
        local_day = submission.submitted_at.astimezone(campaign.zone).date()
        statuses[org_id] = {"status": status, "submitted_at": submission.submitted_at,
                            "late": bool(due and local_day > due)}
    return statuses


def status_counts(statuses, org_ids=None):
    counts = {OVERDUE: 0, MISSING: 0, CHANGED: 0, SUBMITTED: 0}
    for org_id, entry in statuses.items():
        if org_ids is None or org_id in org_ids:
            counts[entry["status"]] += 1
    return counts


def unit_rows(campaign, region, statuses):
    """The counts API's rows by unit, with the unit's place and submission status."""
    places = {str(org_id): region_name for org_id, _name, region_name in service.units_in(region)}
    rows = with_shares(service.stats_rows(campaign, region, "org"))
    for row in rows:
        row["place"] = places.get(row["key"], "")
        row.update(statuses.get(int(row["key"]), {"status": MISSING, "submitted_at": None, "late": False}))
    return rows


def city_rows(campaign, region, statuses):
    """The counts API's rows by city, each with how many of its units are in which status."""
    rows = with_shares(service.stats_rows(campaign, region, "city"))
    city_of = dict(db.session.execute(
        select(Org.id, func.substr(Org.region_code, 1, 4)).where(Org.region_code.like(region.prefix + "%"))).all())
    for row in rows:
        members = {org_id for org_id, prefix in city_of.items() if prefix + "00" == row["key"]}
        row["units"] = len(members)
        row["statuses"] = status_counts(statuses, members)
    return rows


def sort_rows(rows, key, descending):
    """Server-side sorting (no script needed): by a column, ties in the official order."""
    if key not in SORT_KEYS or key == "label":
        return list(reversed(rows)) if descending else rows
    if key == "status":
        def sort_key(row):
            return STATUS_ORDER.get(row.get("status"), 9)
    elif key == "verified_share":
        def sort_key(row):  # rows without participations below every share
            return -1 if row["verified_share"] is None else row["verified_share"]
    else:
        def sort_key(row):
            return row[key]
    # Stable: ties keep the official order.
    return sorted(rows, key=sort_key, reverse=descending)


def child_regions(region):
    return db.session.scalars(select(Region).where(Region.parent_code == region.code).order_by(Region.code)).all()
