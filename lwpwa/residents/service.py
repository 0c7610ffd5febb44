"""Residents and their codes: register with consent, mint cards, replace codes, erase."""
import hashlib
import secrets

from sqlalchemy import select, update

from ..database import utcnow
from ..extensions import db
from . import codes
from .models import Resident, SignInCode


def key_digest(resident_key):
    return hashlib.sha256(resident_key.encode("utf-8")).hexdigest()


def add_code(resident):
    """A fresh code for `resident` (80 random bits: a collision is not a practical concern)."""
    code = SignInCode(code=codes.new_code(), resident=resident)
    db.session.add(code)
    return code


def register(display_name=None, age_group=None, community=None, guardian_consent=False):
    """A self-registered resident; returns (resident, code, resident_key). Consent is checked
    by the caller; the key is shown once and only its digest is kept."""
    now = utcnow()
    resident_key = secrets.token_urlsafe(32)
    resident = Resident(
        source="registration",
        display_name=display_name or None,
        age_group=age_group,
        community=community or None,
        key_hash=key_digest(resident_key),
        consent_at=now,
        guardian_consent_at=now if guardian_consent else None,
    )
    db.session.add(resident)
    code = add_code(resident)
    db.session.flush()
    return resident, code, resident_key


def person_for_user(user):
    """Every user is also a person with a sign-in code (volunteers are scanned on duty)."""
    resident = Resident(source="user", org_id=user.org_id)
    db.session.add(resident)
    add_code(resident)
    db.session.flush()
    user.resident_id = resident.id
    return resident


def mint_cards(org, count):
    """Blank printed cards: a person with no personal data at all, bound to the issuing unit."""
    minted = []
    for _ in range(count):
        resident = Resident(source="card", org_id=org.id)
        db.session.add(resident)
        minted.append(add_code(resident))
    db.session.flush()
    return minted


def find_by_key(resident_key):
    if not resident_key or len(resident_key) > 200:
        return None
    return db.session.scalar(
        select(Resident).where(Resident.key_hash == key_digest(resident_key), Resident.erased_at.is_(None))
    )


def active_code(resident):
    return next((c for c in resident.codes if not c.is_revoked), None)


def revoke_codes(resident):
    now = utcnow()
    for code in resident.codes:
        if not code.is_revoked:
            code.is_revoked, code.revoked_at = True, now


def replace_code(resident):
    revoke_codes(resident)
    code = add_code(resident)
    db.session.flush()
    return code


def erase(resident):
    """Remove personal data and revoke the codes, leaving nothing that ties the person to a code.

    Check-ins keep pointing at the bare person (`resident_id`: the one-count index needs it),
    so every count already reported stays exactly as it was. What could tie the person back to
    a code someone still holds (a QR saved on a phone, a printed card) goes: the check-ins
    forget which code was scanned (`code_id`), and the revoked codes move to a holder of their
    own with no check-ins and no data, so that a later scan of one still answers
    `revoked_code` but leads to nobody. The guardian's consent (it said "under 14") goes too."""
    from ..checkins.models import Checkin

    now = utcnow()
    resident.display_name = None
    resident.age_group = None
    resident.community = None
    resident.key_hash = None
    resident.guardian_consent_at = None
    resident.erased_at = now
    revoke_codes(resident)
    holder = Resident(source="erased", erased_at=now)
    db.session.add(holder)
    db.session.flush()
    for code in list(resident.codes):
        code.resident_id = holder.id
    db.session.execute(update(Checkin).where(Checkin.resident_id == resident.id)
                       .values(code_id=None).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire(resident, ["codes"])


PROFILE_FIELDS = ("display_name", "age_group", "community")


def update_profile(resident, changes, guardian_consent=False):
    """Apply `changes` (a dict of PROFILE_FIELDS; None or "" clears one). The caller has checked
    the values and, for under_14, the guardian's consent."""
    for name, value in changes.items():
        if name in PROFILE_FIELDS:
            setattr(resident, name, value or None)
    if guardian_consent and resident.guardian_consent_at is None:
        resident.guardian_consent_at = utcnow()
    db.session.flush()


def find_card(code_text, user):
    """The live printed-card person whose code is `code_text`, if `user` may manage it: a
    volunteer or site lead of the issuing unit, or an admin. None otherwise (the caller answers
    404, so that codes of other units reveal nothing)."""
    code = codes.parse(code_text)
    if code is None:
        return None
    resident = db.session.scalar(
        select(Resident).join(SignInCode, SignInCode.resident_id == Resident.id).where(
            SignInCode.code == code, SignInCode.is_revoked.is_(False),
            Resident.source == "card", Resident.erased_at.is_(None))
    )
    if resident is None:
        return None
    if user.role == "admin" or (user.role in ("volunteer", "site_lead") and user.org_id == resident.org_id):
        return resident
    return None


def attach_card_profile(resident, display_name, age_group, community, guardian_consent=False):
    """A card holder's profile, given with their consent at a later visit; replaces any earlier one."""
    now = utcnow()
    resident.display_name, resident.age_group, resident.community = (
        display_name or None, age_group, community or None)
    resident.consent_at = now
    resident.guardian_consent_at = now if guardian_consent else None
    db.session.flush()


def clear_card_profile(resident):
    """Remove a card holder's personal data; the card itself keeps working (it holds none)."""
    resident.display_name = resident.age_group = resident.community = None
    resident.consent_at = resident.guardian_consent_at = None
    db.session.flush()


def history(resident, limit=200):
    """The resident's own counted check-ins, newest first: what, where, when, as what."""
    from ..activities.models import Activity
    from ..campaigns.models import Campaign
    from ..checkins.models import Checkin
    from ..orgs.models import Org

    return db.session.execute(
        select(Checkin.day, Checkin.kind, Checkin.scanned_at, Activity.id.label("activity_id"),
               Activity.name.label("activity_name"), Org.name.label("org_name"),
               Campaign.title.label("campaign_title"))
        .join(Activity, Activity.id == Checkin.activity_id)
        .join(Org, Org.id == Activity.org_id)
        .join(Campaign, Campaign.id == Activity.campaign_id)
        .where(Checkin.resident_id == resident.id, Checkin.status == "accepted")
        .order_by(Checkin.day.desc(), Checkin.scanned_at.desc(), Checkin.id.desc())
        .limit(limit)
    ).all()
