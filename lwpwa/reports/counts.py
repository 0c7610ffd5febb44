"""Counts for tables and bureaus: 人次 per activity = distinct (person, day) accepted, plus
accepted tallies; never personal data, never rows loaded into Python.

They are read from `checkin_counts`, one row per (activity, kind, day) kept exactly in step with
`checkins` by every write (lwpwa/checkins/counters.py), not aggregated from `checkins` on every
request: at 2,000,000 check-ins that aggregate took about 0.5 s per counts API request, where a
region's activities have at most some tens of thousands of counter rows. `scanned` there is the
number of distinct (person, day)s (the partial unique index `uq_checkins_counted_person_day`
allows one accepted row per activity, kind, person and day), `headcount` the sum of tallies.
`flask --app wsgi recount` checks the table against `checkins`.

Grouped by unit or by the units' regions (county, city, province: the national account's
country is 20,000 units, 200,000 activities, 400,000 counter rows) the counts come one step
further summed, from `unit_counts` (one row per campaign and unit, kept by triggers:
lwpwa/reports/models.py): `unit_totals`.
"""
from sqlalchemy import distinct, func, literal_column, or_, select

from ..activities.models import Activity
from ..campaigns.models import Campaign
from ..checkins.models import CheckinCount
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import level_of, scope_prefix
from .models import UnitCount


def campaign_family(campaign_id):
    """The campaign and the weeks held under it (a national week's provincial ones): a
    national table counts the activities of both."""
    return select(Campaign.id).where(or_(Campaign.id == campaign_id, Campaign.parent_id == campaign_id))


def region_units(region_code):
    """The units of a region (the country: every unit)."""
    return Org.region_code.like(scope_prefix(region_code, level_of(region_code)) + "%")


def counted_activities(campaign_id, org_id=None, region_code=None):
    """The activities a table counts: the campaign's, not cancelled, of a unit or a region."""
    query = select(Activity.id).where(Activity.campaign_id.in_(campaign_family(campaign_id)),
                                      Activity.is_cancelled.is_(False))
    if org_id is not None:
        query = query.where(Activity.org_id == org_id)
    if region_code is not None:
        query = query.where(Activity.org_id.in_(select(Org.id).where(region_units(region_code))))
    return query


# The figures of every count, in the order the tables show them: each count and its two parts,
# the people counted by their code (scanned, verified) and the walk-ins counted by a tally.
FIGURES = ("attendance", "attendance_scanned", "attendance_tallied",
           "volunteers", "volunteers_scanned", "volunteers_tallied")
ZERO = dict.fromkeys(FIGURES, 0)


def per_day_counts(activity_ids):
    """A subquery: (activity_id, kind, day, n, scanned, headcount) with n = the people +
    tallies of that day."""
    return (
        select(
            CheckinCount.activity_id,
            CheckinCount.kind,
            CheckinCount.day,
            (CheckinCount.scanned + CheckinCount.headcount).label("n"),
            CheckinCount.scanned,
            CheckinCount.headcount,
        )
        .where(CheckinCount.activity_id.in_(activity_ids))
        .subquery()
    )


def _sum_of(column, kind):
    """Within counter rows: the sum of `column` over those of `kind`, 0 when there are none."""
    return func.coalesce(func.sum(column).filter(CheckinCount.kind == kind), 0)


def _figure_columns():
    """The six figures of FIGURES as aggregates over counter rows, labelled."""
    columns = []
    for kind, name in (("attendee", "attendance"), ("volunteer", "volunteers")):
        columns += [_sum_of(CheckinCount.scanned + CheckinCount.headcount, kind).label(name),
                    _sum_of(CheckinCount.scanned, kind).label(f"{name}_scanned"),
                    _sum_of(CheckinCount.headcount, kind).label(f"{name}_tallied")]
    return columns


def per_activity_counts(activity_ids):
    """A subquery: (activity_id, *FIGURES), one row per activity with counts."""
    return (
        select(CheckinCount.activity_id, *_figure_columns())
        .where(CheckinCount.activity_id.in_(activity_ids))
        .group_by(CheckinCount.activity_id)
        .subquery()
    )


def activity_totals(activity_ids):
    """{activity_id: {figure: n for every figure of FIGURES}} for the given activity-id query."""
    counts = per_activity_counts(activity_ids)
    return {activity_id: dict(zip(FIGURES, (int(n) for n in figures)))
            for activity_id, *figures in db.session.execute(select(counts))}


def grouped_totals(activity_ids, *group_columns):
    """[(*keys, {"activities": n, figure: n …})] grouped by columns of Activity or Org, over the
    activities of `activity_ids` (a `counted_activities` query: its conditions are applied to
    the activities joined here, not as an IN list).

    Two passes, each a plain join and a sum: the activities per group, and the counter rows per
    group. (Summing the counter rows per activity first and joining that to the activities made
    PostgreSQL aggregate 400,000 counter rows into 200,000 groups, and repeat it in every
    parallel worker: 1.2 s for the country by province, against 0.25 s and 0.09 s.)"""
    keys = [column.label(f"key{i}") for i, column in enumerate(group_columns)]
    groups = [literal_column(f"key{i}") for i in range(len(group_columns))]
    counted = activity_ids.whereclause
    width = len(group_columns)
    found = {}
    for row in db.session.execute(
        select(*keys, func.count()).select_from(Activity).join(Org, Org.id == Activity.org_id)
        .where(counted).group_by(*groups)
    ):
        found[tuple(row[:width])] = {"activities": int(row[width]), **ZERO}
    for row in db.session.execute(
        select(*keys, *_figure_columns()).select_from(CheckinCount)
        .join(Activity, Activity.id == CheckinCount.activity_id).join(Org, Org.id == Activity.org_id)
        .where(counted).group_by(*groups)
    ):
        found[tuple(row[:width])].update(zip(FIGURES, (int(n) for n in row[width:])))
    return [(*key, counts) for key, counts in found.items()]


def unit_totals(campaign_id, region_code, *org_columns):
    """grouped_totals(counted_activities(campaign_id, region_code=region_code), *org_columns)
    for columns of Org, read from `unit_counts`: the same groups (those with an activity) and
    the same figures, from one row per unit instead of every counter row."""
    keys = [column.label(f"key{i}") for i, column in enumerate(org_columns)]
    groups = [literal_column(f"key{i}") for i in range(len(org_columns))]
    total = func.sum

    figures = [total(UnitCount.attendee_scanned + UnitCount.attendee_headcount), total(UnitCount.attendee_scanned),
               total(UnitCount.attendee_headcount),
               total(UnitCount.volunteer_scanned + UnitCount.volunteer_headcount), total(UnitCount.volunteer_scanned),
               total(UnitCount.volunteer_headcount)]
    query = (
        select(*keys, total(UnitCount.activities), *figures)
        .select_from(UnitCount).join(Org, Org.id == UnitCount.org_id)
        .where(UnitCount.campaign_id.in_(campaign_family(campaign_id)), region_units(region_code))
        .group_by(*groups).having(total(UnitCount.activities) > 0)
    )
    width = len(org_columns)
    return [(*row[:width], dict(zip(("activities", *FIGURES), (int(n) for n in row[width:]))))
            for row in db.session.execute(query)]


def counted_count(campaign_id, region_code):
    """How many activities a region counts in a campaign (its family), from `unit_counts`."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(UnitCount.activities), 0)).select_from(UnitCount)
        .join(Org, Org.id == UnitCount.org_id)
        .where(UnitCount.campaign_id.in_(campaign_family(campaign_id)), region_units(region_code))))


def day_totals(activity_ids):
    """[(day, {"activities": with counts that day, figure: n …})] by local day, over the
    counter rows of the activities."""
    per_day = per_day_counts(activity_ids)

    def of(column, kind):
        return func.coalesce(func.sum(column).filter(per_day.c.kind == kind), 0)

    figures = []
    for kind in ("attendee", "volunteer"):
        figures += [of(per_day.c.n, kind), of(per_day.c.scanned, kind), of(per_day.c.headcount, kind)]
    query = (
        select(per_day.c.day, func.count(distinct(per_day.c.activity_id)), *figures)
        .group_by(per_day.c.day)
        .order_by(per_day.c.day)
    )
    return [(day, dict(zip(("activities", *FIGURES), (int(n) for n in rest))))
            for day, *rest in db.session.execute(query)]
