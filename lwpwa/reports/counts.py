"""Counts for tables and bureaus: 人次 per activity = distinct (person, day) accepted, plus
accepted tallies; never personal data, never rows loaded into Python.

They are read from `checkin_counts`, one row per (activity, kind, day) kept exactly in step with
`checkins` by every write (lwpwa/checkins/counters.py), not aggregated from `checkins` on every
request: at 2,000,000 check-ins that aggregate took about 0.5 s per counts API request, where a
region's activities have at most some tens of thousands of counter rows. `scanned` there is the
number of distinct (person, day)s (the partial unique index `uq_checkins_counted_person_day`
allows one accepted row per activity, kind, person and day), `headcount` the sum of tallies.
`flask --app wsgi recount` checks the table against `checkins`.
"""
from sqlalchemy import distinct, func, literal_column, or_, select

from ..activities.models import Activity
from ..campaigns.models import Campaign
from ..checkins.models import CheckinCount
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import level_of, scope_prefix


def campaign_family(campaign_id):
    """The campaign and the weeks held under it (a national week's provincial ones): a
    national table counts the activities of both."""
    return select(Campaign.id).where(or_(Campaign.id == campaign_id, Campaign.parent_id == campaign_id))


def counted_activities(campaign_id, org_id=None, region_code=None):
    """The activities a table counts: the campaign's, not cancelled, of a unit or a region."""
    query = select(Activity.id).where(Activity.campaign_id.in_(campaign_family(campaign_id)),
                                      Activity.is_cancelled.is_(False))
    if org_id is not None:
        query = query.where(Activity.org_id == org_id)
    if region_code is not None:
        prefix = scope_prefix(region_code, level_of(region_code))
        query = query.where(Activity.org_id.in_(select(Org.id).where(Org.region_code.like(prefix + "%"))))
    return query


def per_day_counts(activity_ids):
    """A subquery: (activity_id, kind, day, n) with n = the people + tallies of that day."""
    return (
        select(
            CheckinCount.activity_id,
            CheckinCount.kind,
            CheckinCount.day,
            (CheckinCount.scanned + CheckinCount.headcount).label("n"),
        )
        .where(CheckinCount.activity_id.in_(activity_ids))
        .subquery()
    )


def _people_and_tallies(kind):
    """Within an activity's counter rows: the people of `kind` plus their tallies."""
    return func.coalesce(
        func.sum(CheckinCount.scanned + CheckinCount.headcount).filter(CheckinCount.kind == kind), 0)


def per_activity_counts(activity_ids):
    """A subquery: (activity_id, attendance, volunteers), one row per activity with counts."""
    return (
        select(CheckinCount.activity_id, _people_and_tallies("attendee").label("attendance"),
               _people_and_tallies("volunteer").label("volunteers"))
        .where(CheckinCount.activity_id.in_(activity_ids))
        .group_by(CheckinCount.activity_id)
        .subquery()
    )


def activity_totals(activity_ids):
    """{activity_id: {"attendance": n, "volunteers": n}} for the given activity-id query."""
    counts = per_activity_counts(activity_ids)
    return {activity_id: {"attendance": int(attendance), "volunteers": int(volunteers)}
            for activity_id, attendance, volunteers in db.session.execute(select(counts))}


def grouped_totals(activity_ids, *group_columns):
    """[(*keys, activities, attendance, volunteers)] grouped by columns of Activity or Org."""
    per_activity = per_activity_counts(activity_ids)
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
    """[(day, activities with counts that day, attendance, volunteers)] by local day, over the
    counter rows of the activities."""
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
