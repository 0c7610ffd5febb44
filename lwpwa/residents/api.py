"""Public registration of residents, a resident's own access with their private key, and the
profiles that volunteers attach to printed cards."""
from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _

from ..api.auth import token_required
from ..errors import ApiError, not_found
from ..extensions import limiter
from . import codes, qr, service
from .declarations import CardProfileInput, QrQuery, ResidentInput, ResidentPatch

bp = Blueprint("residents_api", __name__, url_prefix="/api/v1")
HISTORY_LIMIT = 200


@bp.post("/residents")
@limiter.limit("60 per minute;200 per hour")
def register():
    given = ResidentInput.from_request()
    resident, code, resident_key = service.register(**given.profile(),
                                                    guardian_consent=given.guardian_consent)
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
    patch = ResidentPatch.from_request()
    service.update_profile(resident, patch.changes(), guardian_consent=patch.guardian_consent)
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


def _my_code():
    code = service.active_code(resident_from_header())
    if code is None:
        raise not_found(_("This resident has no sign-in code."))
    return code.code


@bp.get("/residents/me/qr.png")
def my_qr_png():
    size = QrQuery.from_request().size or qr.DEFAULT_SIZE
    return Response(qr.png(_my_code(), size), mimetype="image/png")


@bp.get("/residents/me/qr.svg")
def my_qr_svg():
    size = QrQuery.from_request().size
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
    given = CardProfileInput.from_request()
    service.attach_card_profile(resident, **given.profile(), guardian_consent=given.guardian_consent)
    return jsonify(card_json(resident))


@bp.delete("/cards/<code>/profile")
@token_required("volunteer", "site_lead", "admin")
def clear_card_profile(code):
    """The card holder withdraws: the profile goes, the card keeps working and every count stays."""
    service.clear_card_profile(_card_or_404(code))
    return "", 204
