"""Public registration of residents, a resident's own access with their private key, and the
profiles that volunteers attach to printed cards."""
from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _

from ..api.auth import token_required
from ..api.body import Validator, json_body, query_int
from ..errors import ApiError, ValidationError, not_found
from ..extensions import limiter
from . import codes, qr, service
from .models import AGE_GROUPS

bp = Blueprint("residents_api", __name__, url_prefix="/api/v1")
HISTORY_LIMIT = 200


def _profile_fields(v, partial=False):
    """Read display_name, age_group and community as registration does. With `partial`, only
    the fields present in the body are returned (null clears one)."""
    readers = {
        "display_name": lambda: v.string("display_name", max_length=64),
        "age_group": lambda: v.choice("age_group", AGE_GROUPS),
        "community": lambda: v.string("community", max_length=100),
    }
    return {name: read() for name, read in readers.items() if not partial or name in v.data}


def _check_consent(consent, age_group, guardian_consent):
    if consent is not True:
        raise ApiError(400, "consent_required",
                       _("Please read the notice and agree before getting a sign-in code."),
                       {"consent": _("Consent is required.")})
    _check_guardian(age_group, guardian_consent)


def _check_guardian(age_group, guardian_consent):
    if age_group == "under_14" and guardian_consent is not True:
        raise ApiError(400, "guardian_consent_required",
                       _("Children under 14 need the consent of a parent or guardian."),
                       {"guardian_consent": _("A guardian's consent is required.")})


@bp.post("/residents")
@limiter.limit("60 per minute;200 per hour")
def register():
    v = Validator(json_body())
    fields = _profile_fields(v)
    consent = v.boolean("consent", default=False)
    guardian_consent = v.boolean("guardian_consent", default=False)
    v.raise_if_errors()
    _check_consent(consent, fields["age_group"], guardian_consent)
    resident, code, resident_key = service.register(**fields, guardian_consent=guardian_consent)
    return jsonify({"code": code.code, "code_display": codes.grouped(code.code),
                    "resident_key": resident_key, "resident": resident_json(resident)}), 201


def resident_from_header():
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    resident = service.find_by_key(key.strip()) if scheme.lower() == "resident" else None
    if resident is None:
        raise ApiError(401, "invalid_resident_key", _("This resident key is not valid."),
                       headers={"WWW-Authenticate": 'Resident realm="lwpwa"'})
    return resident


def resident_json(resident):
    code = service.active_code(resident)
    return {
        "display_name": resident.display_name,
        "age_group": resident.age_group,
        "community": resident.community,
        "code": code.code if code else None,
        "created_at": resident.created_at.isoformat(),
    }


@bp.get("/residents/me")
def show_me():
    return jsonify(resident_json(resident_from_header()))


@bp.delete("/residents/me")
def erase_me():
    service.erase(resident_from_header())
    return "", 204


@bp.patch("/residents/me")
def update_me():
    """Rename, or change the age group or community; validated as at registration."""
    resident = resident_from_header()
    v = Validator(json_body())
    changes = _profile_fields(v, partial=True)
    guardian_consent = v.boolean("guardian_consent", default=False)
    v.raise_if_errors()
    if changes.get("age_group") == "under_14" and resident.guardian_consent_at is None:
        _check_guardian("under_14", guardian_consent)
    service.update_profile(resident, changes, guardian_consent=guardian_consent)
    return jsonify(resident_json(resident))


def _resident_key_bucket():
    """Rate limits per resident (by the key's digest), not per address: a venue shares one."""
    return "resident:" + service.key_digest(request.headers.get("Authorization", "")[:300])


@bp.post("/residents/me/code")
@limiter.limit("10 per day", key_func=_resident_key_bucket)
def replace_my_code():
    """A new code; the old one is revoked, so its later scans answer `revoked_code`."""
    resident = resident_from_header()
    code = service.replace_code(resident)
    return jsonify({"code": code.code, "code_display": codes.grouped(code.code),
                    "resident": resident_json(resident)}), 201


def _qr_size():
    if "size" not in request.args:
        return qr.DEFAULT_SIZE
    size = query_int("size", minimum=qr.MIN_SIZE, maximum=qr.MAX_SIZE,
                     message=_("A whole number of pixels from %(low)d to %(high)d.",
                               low=qr.MIN_SIZE, high=qr.MAX_SIZE))
    if size is None:  # ?size= (empty)
        raise ValidationError({"size": _("A whole number of pixels from %(low)d to %(high)d.",
                                         low=qr.MIN_SIZE, high=qr.MAX_SIZE)})
    return size


def _my_code():
    code = service.active_code(resident_from_header())
    if code is None:
        raise not_found(_("This resident has no sign-in code."))
    return code.code


@bp.get("/residents/me/qr.png")
def my_qr_png():
    size = _qr_size()
    return Response(qr.png(_my_code(), size), mimetype="image/png")


@bp.get("/residents/me/qr.svg")
def my_qr_svg():
    size = _qr_size() if "size" in request.args else None
    code = _my_code()
    return Response(qr.svg(code, size, label=codes.grouped(code)), mimetype="image/svg+xml")


@bp.get("/residents/me/checkins")
def my_checkins():
    """The resident's own counted attendance, newest first; nothing about anyone else."""
    rows = service.history(resident_from_header(), limit=HISTORY_LIMIT)
    return jsonify({"checkins": [{
        "activity_id": row.activity_id,
        "activity_name": row.activity_name,
        "org_name": row.org_name,
        "campaign_title": row.campaign_title,
        "date": row.day.isoformat() if row.day else None,
        "kind": row.kind,
        "scanned_at": row.scanned_at.isoformat() if row.scanned_at else None,
    } for row in rows], "limit": HISTORY_LIMIT})


def _card_or_404(code):
    resident = service.find_card(code, g.api_user)
    if resident is None:
        raise not_found(_("No printed card of your unit has this code."))
    return resident


def card_json(resident):
    code = service.active_code(resident)
    return {
        "code": code.code if code else None,
        "org_id": resident.org_id,
        "display_name": resident.display_name,
        "age_group": resident.age_group,
        "community": resident.community,
        "consent_at": resident.consent_at.isoformat() if resident.consent_at else None,
    }


@bp.post("/cards/<code>/profile")
@token_required("volunteer", "site_lead", "admin")
def attach_card_profile(code):
    """At a later visit, and only if the card holder wishes: a name, age group and community for
    a printed card, with the holder's consent. Replaces any earlier profile of the card."""
    resident = _card_or_404(code)
    v = Validator(json_body())
    fields = _profile_fields(v)
    consent = v.boolean("consent", default=False)
    guardian_consent = v.boolean("guardian_consent", default=False)
    v.raise_if_errors()
    _check_consent(consent, fields["age_group"], guardian_consent)
    service.attach_card_profile(resident, **fields, guardian_consent=guardian_consent)
    return jsonify(card_json(resident))


@bp.delete("/cards/<code>/profile")
@token_required("volunteer", "site_lead", "admin")
def clear_card_profile(code):
    """The card holder withdraws: the profile goes, the card keeps working and every count stays."""
    service.clear_card_profile(_card_or_404(code))
    return "", 204
