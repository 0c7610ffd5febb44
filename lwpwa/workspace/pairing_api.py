"""POST /api/v1/auth/pair: a phone exchanges a scanned pairing code for a bearer token."""
from flask import Blueprint, jsonify
from flask_babel import gettext as _

from ..errors import ApiError
from ..extensions import limiter
from . import pairing
from .declarations import PairRequest

bp = Blueprint("workspace_api", __name__, url_prefix="/api/v1")


@bp.post("/auth/pair")
# Codes have 256 bits: guessing is hopeless; the limit only keeps a broken client from flooding.
@limiter.limit("60 per minute")
def pair():
    asked = PairRequest.from_request()
    redeemed = pairing.redeem(asked.code, asked.device_name)
    if redeemed is None:
        raise ApiError(401, "invalid_pairing_code",
                       _("This pairing code is unknown, expired or already used. Ask for a new one."))
    secret, _token, user = redeemed
    return jsonify({"token": secret, "user": user.to_json()}), 201
