"""Counts for tables and bureaus, by SQL: 人次 per activity = distinct (person, day) accepted,
plus accepted tallies; never personal data, never rows loaded into Python."""
from sqlalchemy import distinct, func, literal_column, select

from ..activities.models import Activity
from ..checkins.models import Checkin
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import level_of, scope_prefix


def counted_activities(campaign_id, org_id=None, region_code=None):
    """The activities a table counts: the campaign's, not cancelled, of a unit or a region."""
    query = select(Activity.id).where(Activity.campaign_id == campaign_id, Activity.is_cancelled.is_(False))
    if org_id is not None:
        query = query.where(Activity.org_id == org_id)
    if region_code is not None:
        prefix = scope_prefix(region_code, level_of(region_code))
        query = query.where(Activity.org_id.in_(select(Org.id).where(Org.region_code.like(prefix + "%"))))
    return query


def per_day_counts(activity_ids):
    """A subquery: (activity_id, kind, day, n) with n = distinct people + tallies that day."""
    return (
        select(
            Checkin.activity_id,
            Checkin.kind,
            Checkin.day,
            (func.count(distinct(Checkin.resident_id)) + func.coalesce(func.sum(Checkin.headcount), 0)).label("n"),
        )
        .where(Checkin.status == "accepted", Checkin.activity_id.in_(activity_ids))
        .group_by(Checkin.activity_id, Checkin.kind, Checkin.day)
        .subquery()
    )


def activity_totals(activity_ids):
    """{activity_id: {"attendance": n, "volunteers": n}} for the given activity-id query."""
    per_day = per_day_counts(activity_ids)
    rows = db.session.execute(
        select(per_day.c.activity_id, per_day.c.kind, func.sum(per_day.c.n))
        .group_by(per_day.c.activity_id, per_day.c.kind)
    )
    totals = {}
    for activity_id, kind, n in rows:
        entry = totals.setdefault(activity_id, {"attendance": 0, "volunteers": 0})
        entry["attendance" if kind == "attendee" else "volunteers"] = int(n)
    return totals


def grouped_totals(activity_ids, *group_columns):
    """[(*keys, activities, attendance, volunteers)] grouped by columns of Activity or Org."""
    per_day = per_day_counts(activity_ids)
    per_activity = (
        select(
            per_day.c.activity_id,
            func.sum(per_day.c.n).filter(per_day.c.kind == "attendee").label("attendance"),
            func.sum(per_day.c.n).filter(per_day.c.kind == "volunteer").label("volunteers"),
        )
        .group_by(per_day.c.activity_id)
        .subquery()
    )
    query = (
        select(
            *(column.label(f"key{i}") for i, column in enumerate(group_columns)),
            func.count(Activity.id),
            func.coalesce(func.sum(per_activity.c.attendance), 0),
            func.coalesce(func.sum(per_activity.c.volunteers), 0),
        )
        .select_from(Activity)
        .join(Org, Org.id == Activity.org_id)
        .outerjoin(per_activity, per_activity.c.activity_id == Activity.id)
        .where(Activity.id.in_(activity_ids))
        .group_by(*(literal_column(f"key{i}") for i in range(len(group_columns))))
    )
    return [(*row[:-3], *(int(n) for n in row[-3:])) for row in db.session.execute(query)]


def day_totals(activity_ids):
    """[(day, activities with counts that day, attendance, volunteers)] by local day."""
    per_day = per_day_counts(activity_ids)
    query = (
        select(
            per_day.c.day,
            func.count(distinct(per_day.c.activity_id)),
            func.coalesce(func.sum(per_day.c.n).filter(per_day.c.kind == "attendee"), 0),
            func.coalesce(func.sum(per_day.c.n).filter(per_day.c.kind == "volunteer"), 0),
        )
        .group_by(per_day.c.day)
        .order_by(per_day.c.day)
    )
    return [(day, int(a), int(att), int(vol)) for day, a, att, vol in db.session.execute(query)]
