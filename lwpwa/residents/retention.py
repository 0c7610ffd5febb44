"""Retention: after a campaign's report due date, the personal data of residents who took part
in it and have not been active since is removed.

What goes: the name, the age group and the community, the only personal data a resident gives.
What stays, on purpose:
- every check-in row, pointing at the now bare person, so every count stays identical;
- the sign-in codes: a code holds no personal data, and a printed card in a senior's wallet or a
  code saved on a phone keeps working at next year's activity week (unlike `service.erase`, which
  a resident asks for and which revokes the codes);
- a self-registered resident's private key, so the resident can still see or delete what is
  left, or give a name again.

Who is concerned: residents (not users' own persons) who have an accepted check-in in one of the
campaign's activities, or a printed card issued by a unit of the campaign's region; and none of
them with an accepted check-in on a day after the due date, nor made or given a profile after it
(a card minted for next year). A resident who registered but never signed in anywhere is tied to
no campaign and is left alone.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists, func, or_, select, update

from ..activities.models import Activity
from ..checkins.models import Checkin
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import level_of, scope_prefix
from .models import Resident


class RetentionError(Exception):
    pass


def inactive_conditions(campaign):
    """SQL conditions on Resident that pick the residents whose personal data the campaign's
    retention removes."""
    if campaign.report_due_on is None:
        raise RetentionError("the campaign has no report due date (report_due_on)")
    took_part = exists().where(
        Checkin.resident_id == Resident.id, Checkin.status == "accepted",
        Checkin.activity_id.in_(select(Activity.id).where(Activity.campaign_id == campaign.id)))
    prefix = scope_prefix(campaign.region_code, level_of(campaign.region_code))
    card_of_region = and_(
        Resident.source == "card",
        Resident.org_id.in_(select(Org.id).where(Org.region_code.like(prefix + "%"))))
    active_later = exists().where(
        Checkin.resident_id == Resident.id, Checkin.status == "accepted",
        Checkin.day > campaign.report_due_on)
    # A profile made or given after the due date (a card minted for next year) is activity too.
    due_end = datetime.combine(campaign.report_due_on + timedelta(days=1), time(0), campaign.zone)
    recent_profile = or_(Resident.created_at >= due_end,
                         and_(Resident.consent_at.is_not(None), Resident.consent_at >= due_end))
    has_personal_data = or_(Resident.display_name.is_not(None), Resident.age_group.is_not(None),
                            Resident.community.is_not(None))
    return (Resident.source != "user", has_personal_data, or_(took_part, card_of_region),
            ~active_later, ~recent_profile)


def count_inactive(campaign):
    return db.session.scalar(select(func.count(Resident.id)).where(*inactive_conditions(campaign)))


def anonymize(campaign):
    """Remove the personal data of the campaign's inactive residents; returns how many."""
    result = db.session.execute(
        update(Resident).where(*inactive_conditions(campaign))
        .values(display_name=None, age_group=None, community=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
