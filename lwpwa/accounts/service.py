"""Creating users, with the rules of roles and scopes checked in one place."""
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..orgs.models import Org
from ..regions.models import Region
from ..residents.service import person_for_user
from .models import ROLES, UNIT_ROLES, User
from .passwords import hash_password, password_problem


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


def create_user(username, password, role, org_id=None, region_code=None, display_name=None):
    username = (username or "").strip().lower()
    if not username or len(username) > 64 or not all(ch.isalnum() or ch in "._-@" for ch in username):
        raise AccountError(_("A username is 1–64 letters, digits, dots, dashes or underscores."))
    if role not in ROLES:
        raise AccountError(_("The role must be one of: %(roles)s.", roles=", ".join(ROLES)))
    problem = password_problem(password)
    if problem:
        raise AccountError(_("The password must have 8 to 256 characters."))
    if role in UNIT_ROLES:
        if org_id is None or db.session.get(Org, org_id) is None:
            raise AccountError(_("A volunteer or site lead needs an existing unit (--org)."))
        region_code = None
    elif role == "bureau":
        region = db.session.get(Region, region_code) if region_code else None
        if region is None or region.level not in ("province", "city", "district"):
            raise AccountError(_("A bureau user needs a province, city or county region code (--region)."))
        org_id = None
    user = User(username=username, password_hash=hash_password(password), role=role,
                org_id=org_id, region_code=region_code, display_name=display_name)
    try:
        with db.session.begin_nested():  # the unique index decides, not a look-up first
            db.session.add(user)
    except IntegrityError:
        raise AccountError(_("The username %(name)s is taken.", name=username)) from None
    person_for_user(user)
    return user
