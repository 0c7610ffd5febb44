"""Who sees what: a unit's users see their unit, a bureau its region, an admin everything.

Anything outside a caller's scope answers 404, so that ids of other units reveal nothing.
"""
from sqlalchemy import false, select, true

from ..activities.models import Activity
from ..errors import not_found
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import level_of, scope_prefix
from .models import UNIT_ROLES


def region_prefix(user):
    code = user.region_code
    return scope_prefix(code, level_of(code)) if code else None


def org_ids_clause(user, org_id_column):
    """A SQL condition limiting `org_id_column` to the units `user` may see."""
    if user.role == "admin":
        return true()
    if user.role in UNIT_ROLES:
        return org_id_column == user.org_id if user.org_id else false()
    if user.role == "bureau" and user.region_code:
        in_region = select(Org.id).where(Org.region_code.like(region_prefix(user) + "%"))
        return org_id_column.in_(in_region)
    return false()


def region_visible(user, region_code):
    """Whether `user` may see the region `region_code` (and so every unit inside it)."""
    if user.role == "admin":
        return True
    if user.role == "bureau" and user.region_code:
        return region_code.startswith(region_prefix(user))
    return False


def can_see_org(user, org):
    if user.role == "admin":
        return True
    if user.role in UNIT_ROLES:
        return org.id == user.org_id
    return user.role == "bureau" and region_visible(user, org.region_code)


def can_manage_org(user, org_id):
    """Site leads manage their own unit's activities; admins any unit's."""
    return user.role == "admin" or (user.role == "site_lead" and user.org_id == org_id)


def can_record_into(user, activity):
    """Who may sync check-ins into an activity: its unit's volunteers and site leads, admins."""
    return user.role == "admin" or (user.role in UNIT_ROLES and user.org_id == activity.org_id)


def visible_org_or_404(user, org_id):
    org = db.session.get(Org, org_id) if isinstance(org_id, int) else None
    if org is None or not can_see_org(user, org):
        raise not_found()
    return org


def visible_activity_or_404(user, activity_id):
    activity = db.session.scalar(
        select(Activity).where(Activity.id == activity_id, org_ids_clause(user, Activity.org_id))
    )
    if activity is None:
        raise not_found()
    return activity
