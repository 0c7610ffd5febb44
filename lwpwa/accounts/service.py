"""Creating users, with the rules of roles and scopes checked in one place.

Usernames are global (one sign-in form for the whole country), so a name can be unavailable
because another unit uses it. A site lead must not learn that: every unavailable name gets the
same answer, with a name in the unit's own namespace `u<unit id>.` that only that unit can
take (and reserved words are unavailable too, so "unavailable" does not even mean "exists").
"""
import re

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..orgs.models import Org
from ..regions.models import Region
from ..residents.service import person_for_user
from .models import ROLES, UNIT_ROLES, User
from .. import text
from .passwords import hash_password, password_message, password_problem

USERNAME = re.compile(r"[a-z0-9._@-]{1,64}\Z")
UNIT_NAMESPACE = re.compile(r"u(\d+)\.")
RESERVED = frozenset({"administrator", "root", "system", "lwpwa", "support", "guest", "anonymous",
                      "null", "none"})


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


def unit_username(org_id, username):
    return f"u{org_id}.{UNIT_NAMESPACE.sub('', username, count=1)}"[:64]


def _unavailable(username, org_id):
    if org_id is None:
        return AccountError(_("The username %(name)s is taken.", name=username))
    return AccountError(_("The username %(name)s is not available. Try %(suggestion)s: names "
                          "beginning with %(prefix)s are your unit's alone.",
                          name=username, suggestion=unit_username(org_id, username),
                          prefix=f"u{org_id}."))


def create_user(username, password, role, org_id=None, region_code=None, display_name=None):
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise AccountError(_("A username is 1–64 letters, digits, dots, dashes or underscores."))
    if role not in ROLES:
        raise AccountError(_("The role must be one of: %(roles)s.", roles=", ".join(ROLES)))
    if display_name is not None:
        try:
            display_name = text.clean(display_name, max_length=64) or None
        except text.TextProblem as problem:
            raise AccountError(problem.message) from None
    problem = password_problem(password, user_inputs=(username, display_name))
    if problem:
        raise AccountError(password_message(problem))
    unit_id = org_id if role in UNIT_ROLES else None
    namespace = UNIT_NAMESPACE.match(username)
    if username in RESERVED or (namespace and int(namespace.group(1)) != unit_id):
        raise _unavailable(username, unit_id)
    if role in UNIT_ROLES:
        if org_id is None or db.session.get(Org, org_id) is None:
            raise AccountError(_("A volunteer or site lead needs an existing unit (--org)."))
        region_code = None
    elif role == "bureau":
        region = db.session.get(Region, region_code) if region_code else None
        if region is None or region.level not in ("country", "province", "city"):  # country: 000000
            raise AccountError(_("A bureau user needs a province or city region code (--region)."))
        org_id = None
    user = User(username=username, password_hash=hash_password(password), role=role,
                org_id=org_id, region_code=region_code, display_name=display_name)
    try:
        with db.session.begin_nested():  # the unique index decides, not a look-up first
            db.session.add(user)
    except IntegrityError:
        raise _unavailable(username, unit_id) from None
    person_for_user(user)
    return user
