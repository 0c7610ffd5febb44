"""The anomaly flags a bureau sees: read from the `flags` table (lwpwa/flags/), after the
dirty activities of the region's campaign have been recomputed. The page and
`GET /api/v1/anomalies` both come through here, so they always show the same flags.

Freshness: every write of check-ins or activities marks its activities dirty in its own
transaction; reading here first recomputes the units of the dirty activities of this region
and campaign (at most REFRESH_UNITS per read, so a backlog, e.g. just after a bulk import,
never makes one page slow: the rest waits for the next read or for
`flask --app wsgi flags-refresh`). What was left over is reported as `pending`.
"""
from sqlalchemy import case, select

from ..activities.models import Activity
from ..database import begin_write
from ..extensions import db
from ..flags import refresh
from ..flags.models import KINDS, Flag, FlagActivity
from ..orgs.models import Org
from ..regions.models import level_of, scope_prefix

REFRESH_UNITS = 20
LIMIT = 2000  # flags listed at most on one page or answer, most people first within a kind


def region_prefix(region):
    return scope_prefix(region.code, level_of(region.code))


def bring_up_to_date(campaign, region, max_units=REFRESH_UNITS):
    """Recompute the dirty units of the region's campaign (writing the flags); returns how
    many dirty activities are left."""
    prefix = region_prefix(region)
    if not refresh.pending(campaign.id, prefix):
        return 0
    begin_write()  # SQLite: the write lock; the request commits
    return refresh.refresh(campaign, prefix, max_units=max_units)


def region_flags(campaign, region, include_inactive=False):
    """The campaign's flags concerning an activity of a unit in the region."""
    in_region = (select(FlagActivity.flag_id).join(Activity, Activity.id == FlagActivity.activity_id)
                 .join(Org, Org.id == Activity.org_id)
                 .where(Activity.campaign_id == campaign.id, Org.region_code.like(region_prefix(region) + "%")))
    return _listed(select(Flag).where(Flag.campaign_id == campaign.id, Flag.id.in_(in_region)), include_inactive)


def unit_flags(org, include_inactive=True):
    """Every flag concerning one of the unit's activities, in any campaign."""
    linked = (select(FlagActivity.flag_id).join(Activity, Activity.id == FlagActivity.activity_id)
              .where(Activity.org_id == org.id))
    return _listed(select(Flag).where(Flag.id.in_(linked)), include_inactive)


def _listed(query, include_inactive):
    if not include_inactive:
        query = query.where(Flag.active.is_(True))
    order = case({kind: position for position, kind in enumerate(KINDS)}, value=Flag.kind)
    return db.session.scalars(query.order_by(order, Flag.count.desc(), Flag.id).limit(LIMIT)).all()


def names(flags):
    """({activity_id: name}, {org_id: name}) of the activities and units the flags mention."""
    activity_ids = {a for flag in flags for a in flag.activity_ids}
    org_ids = {flag.org_id for flag in flags}
    activities = dict(db.session.execute(select(Activity.id, Activity.name).where(Activity.id.in_(activity_ids))).all()) \
        if activity_ids else {}
    orgs = dict(db.session.execute(select(Org.id, Org.name).where(Org.id.in_(org_ids))).all()) if org_ids else {}
    return activities, orgs


def unit_names(activity_ids):
    """{activity_id: unit name} for labelling."""
    if not activity_ids:
        return {}
    return dict(db.session.execute(
        select(Activity.id, Org.name).join(Org, Org.id == Activity.org_id).where(Activity.id.in_(activity_ids))).all())
