"""The rules: each looks at one unit's activities of one campaign (and, for the same people at
two places, at every other activity those people were counted at) and returns what it found,
as dicts `{kind, key, org_id, activity_ids, device_ids, account_ids, count, detail}`.
`key` names the thing found (the rule, and the activities, device or account), so that the
next computation finds the same flag again. Every query is bounded by the unit's check-ins.
"""
from datetime import datetime, time

from sqlalchemy import select

from ...activities.models import Activity
from ...extensions import db
from . import counts, people, recording


class Scope:
    """One unit's activities in one campaign, with the campaign's thresholds."""

    def __init__(self, campaign, org_id, values):
        self.campaign = campaign
        self.org_id = org_id
        self.t = values
        every = db.session.scalars(select(Activity).where(Activity.campaign_id == campaign.id,
                                                          Activity.org_id == org_id)).all()
        self.all_ids = sorted(a.id for a in every)  # with the cancelled ones (their edits count)
        self.activities = {a.id: a for a in every if not a.is_cancelled}
        self.ids = sorted(self.activities)
        # Local hours at the campaign's UTC offset on its first day (China has no summer time).
        first = datetime.combine(campaign.starts_on, time(12), campaign.zone)
        self.offset_s = int(first.utcoffset().total_seconds())

    def found(self, kind, key, count, detail, activity_ids=(), device_ids=(), account_ids=(), org_id=None):
        return {"kind": kind, "key": key, "org_id": org_id or self.org_id, "count": int(count),
                "activity_ids": sorted(set(activity_ids)), "device_ids": sorted(set(device_ids)),
                "account_ids": sorted(set(account_ids)), "detail": detail}


RULES = (people.two_places, people.recorder_two_places, people.same_audience,
         recording.replay_pace, recording.replay_day, recording.replay_order,
         recording.late_entry, recording.after_hours,
         counts.headcounts, counts.far_approved, counts.changed_after_submission)


def compute(campaign, org_id, values):
    """Everything the rules find for one unit of one campaign: (scope, [found, …])."""
    scope = Scope(campaign, org_id, values)
    if not scope.all_ids:
        return scope, []
    found = []
    for rule in RULES if scope.ids else (counts.changed_after_submission,):
        found.extend(rule(scope))
    return scope, found
