"""Public registration of residents, and a resident's own access with their private key."""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from ..api.body import Validator, json_body
from ..errors import ApiError
from ..extensions import limiter
from . import codes, service
from .models import AGE_GROUPS

bp = Blueprint("residents_api", __name__, url_prefix="/api/v1")


@bp.post("/residents")
@limiter.limit("60 per minute;200 per hour")
def register():
    v = Validator(json_body())
    display_name = v.string("display_name", max_length=64)
    age_group = v.choice("age_group", AGE_GROUPS)
    community = v.string("community", max_length=100)
    consent = v.boolean("consent", default=False)
    guardian_consent = v.boolean("guardian_consent", default=False)
    v.raise_if_errors()
    if consent is not True:
        raise ApiError(400, "consent_required",
                       _("Please read the notice and agree before getting a sign-in code."),
                       {"consent": _("Consent is required.")})
    if age_group == "under_14" and guardian_consent is not True:
        raise ApiError(400, "guardian_consent_required",
                       _("Children under 14 need the consent of a parent or guardian."),
                       {"guardian_consent": _("A guardian's consent is required.")})
    resident, code, resident_key = service.register(display_name, age_group, community, guardian_consent)
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
