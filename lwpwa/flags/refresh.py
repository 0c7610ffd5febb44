"""Bringing stored flags up to date: the dirty activities' units are recomputed (rules/),
and the result replaces what was stored for them, keeping each flag's history.

Unit by unit: a dirty activity makes its unit's flags of its campaign be recomputed (the rules
look at a whole unit: the same audience across its activities, a device or account across
them), bounded by the unit's check-ins. A flag found again keeps its row, explanation and
review; one no longer found is kept, inactive (`cleared` in its history); one found again
later is `raised` again.

Concurrency: refreshers of one campaign take turns (SQLite: the write lock; PostgreSQL: an
advisory lock per campaign), so two page views never insert the same flag. Writers of
check-ins are not held up: a dirty mark is cleared only if its version is still the one read
before recomputing (dirty.py)."""
from collections import defaultdict

from sqlalchemy import and_, delete, func, select, text

from ..activities.models import Activity
from ..campaigns.models import Campaign
from ..database import utcnow
from ..extensions import db
from ..orgs.models import Org
from . import rules, thresholds
from .models import Flag, FlagActivity, FlagDirty, FlagEvent
from .dirty import mark_dirty  # noqa: F401  (re-exported for the write paths)

CHANGE_SHARE = 0.1  # a count change of 10 % or more is written into the history


def pending(campaign_id, prefix=""):
    """How many activities of the campaign (in the region `prefix`) wait for recomputation."""
    return db.session.scalar(_dirty_query(campaign_id, prefix, select(func.count())))


def _dirty_query(campaign_id, prefix, columns):
    query = (columns.select_from(FlagDirty).join(Activity, Activity.id == FlagDirty.activity_id)
             .where(Activity.campaign_id == campaign_id))
    if prefix:
        query = query.join(Org, Org.id == Activity.org_id).where(Org.region_code.like(prefix + "%"))
    return query


def refresh(campaign, prefix="", max_units=None, org_id=None):
    """Recompute the units of the campaign's dirty activities (in the region `prefix`), at most
    `max_units` of them; returns how many dirty activities are left. Writes: the caller holds
    the write lock (begin_write) and commits."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7310, :c)"), {"c": campaign.id})
    query = _dirty_query(campaign.id, prefix, select(FlagDirty.activity_id, FlagDirty.version, Activity.org_id))
    if org_id is not None:
        query = query.where(Activity.org_id == org_id)
    rows = db.session.execute(query).all()
    units = defaultdict(list)
    for activity_id, version, org_id in rows:
        units[org_id].append((activity_id, version))
    values = thresholds.for_campaign(campaign.id)
    done = 0
    for org_id in sorted(units)[:max_units]:
        recompute_unit(campaign, org_id, values)
        marks = units[org_id]
        for activity_id, version in marks:
            db.session.execute(delete(FlagDirty).where(FlagDirty.activity_id == activity_id,
                                                       FlagDirty.version == version))
        done += len(marks)
    db.session.flush()
    return len(rows) - done


def refresh_unit(org):
    """The unit's own page: recompute its dirty activities, in every campaign (the caller holds
    the write lock)."""
    campaigns = db.session.scalars(select(Campaign).where(Campaign.id.in_(
        select(Activity.campaign_id).join(FlagDirty, FlagDirty.activity_id == Activity.id)
        .where(Activity.org_id == org.id)))).all()
    for campaign in campaigns:
        refresh(campaign, org_id=org.id)
    return bool(campaigns)


def unit_is_dirty(org):
    return db.session.scalar(select(func.count()).select_from(FlagDirty)
                             .join(Activity, Activity.id == FlagDirty.activity_id).where(Activity.org_id == org.id)) > 0


def refresh_all(campaign):
    """Mark every activity of the campaign dirty and recompute them all
    (`flask --app wsgi flags-refresh --all`)."""
    mark_dirty(db.session.scalars(select(Activity.id).where(Activity.campaign_id == campaign.id)).all())
    return refresh(campaign)


def recompute_with_new_thresholds(campaign, max_units=20):
    """After the province changed the thresholds: every activity dirty; the first units now,
    the rest on the next reads of the anomaly page or by `flags-refresh`."""
    mark_dirty(db.session.scalars(select(Activity.id).where(Activity.campaign_id == campaign.id)).all())
    return refresh(campaign, max_units=max_units)


def recompute_unit(campaign, org_id, values):
    scope, found = rules.compute(campaign, org_id, values)
    store(campaign, scope.org_id, scope.all_ids, found, values)


def store(campaign, org_id, unit_activity_ids, found, values):
    """Replace the unit's stored flags (those linked to any of its activities) by `found`."""
    now = utcnow()
    linked = select(FlagActivity.flag_id).where(FlagActivity.activity_id.in_(unit_activity_ids))
    existing = {flag.key: flag for flag in db.session.scalars(
        select(Flag).where(Flag.campaign_id == campaign.id, Flag.id.in_(linked)))}
    keys = [f["key"] for f in found if f["key"] not in existing]
    if keys:  # a pair flag stored by the other unit and not linked yet here cannot be: but be exact
        existing.update({flag.key: flag for flag in db.session.scalars(
            select(Flag).where(Flag.campaign_id == campaign.id, Flag.key.in_(keys)))})
    seen = set()
    for item in found:
        seen.add(item["key"])
        flag = existing.get(item["key"])
        detail = {**item["detail"], "thresholds": thresholds.used(item["kind"], values)}
        if flag is None:
            flag = Flag(campaign_id=campaign.id, kind=item["kind"], key=item["key"], raised_at=now,
                        status="open", active=True)
            db.session.add(flag)
            _fill(flag, item, detail, now)
            db.session.flush()
            db.session.add(FlagEvent(flag_id=flag.id, at=now, action="raised", count=flag.count))
        else:
            before = flag.count
            was_active = flag.active
            _fill(flag, item, detail, now)
            if not was_active:
                flag.active = True
                db.session.add(FlagEvent(flag_id=flag.id, at=now, action="raised", count=flag.count))
            elif abs(flag.count - before) >= max(1, CHANGE_SHARE * before):
                db.session.add(FlagEvent(flag_id=flag.id, at=now, action="changed", count=flag.count))
        _link(flag, item["activity_ids"])
    for key, flag in existing.items():
        if key not in seen and flag.active:
            flag.active, flag.updated_at = False, now
            db.session.add(FlagEvent(flag_id=flag.id, at=now, action="cleared", count=flag.count))


def _fill(flag, item, detail, now):
    flag.org_id, flag.count, flag.detail = item["org_id"], item["count"], detail
    flag.activity_ids, flag.device_ids, flag.account_ids = item["activity_ids"], item["device_ids"], item["account_ids"]
    flag.updated_at = now


def _link(flag, activity_ids):
    have = set(db.session.scalars(select(FlagActivity.activity_id).where(FlagActivity.flag_id == flag.id)))
    for activity_id in set(activity_ids) - have:
        db.session.add(FlagActivity(flag_id=flag.id, activity_id=activity_id))
    gone = have - set(activity_ids)
    if gone:
        db.session.execute(delete(FlagActivity).where(and_(FlagActivity.flag_id == flag.id,
                                                           FlagActivity.activity_id.in_(gone))))


def campaigns_with_dirty():
    return db.session.scalars(select(Campaign).where(Campaign.id.in_(
        select(Activity.campaign_id).join(FlagDirty, FlagDirty.activity_id == Activity.id)))).all()
