"""Read-only API tokens that a bureau makes for its own scripts: named, shown once, limited to
the bureau's region (a token acts as its user, whose scope is the region), revocable."""
import secrets
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from ..accounts import tokens
from ..accounts.models import ApiToken
from ..extensions import db
from ..text import CleanText
from ..web.access import role_required
from .scope import pick_campaign

bp = Blueprint("bureau_tokens", __name__, url_prefix="/region/tokens")


class TokenForm(FlaskForm):
    name = StringField(_l("Name (what the script is for)"), validators=[DataRequired(), Length(max=100), CleanText(100)],
                       render_kw={"autocomplete": "off", "maxlength": 100})
    # One per rendered form: a reload that posts the same form again makes no second token.
    once = HiddenField(default=lambda: secrets.token_urlsafe(16))


class RevokeForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the URL."""


def live_tokens(user):
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def _page(form, secret=None, created=None, status=200):
    # Times in the zone of the region's current campaign, and its id in the example URL.
    campaign = pick_campaign(current_user.region) if current_user.region else None
    zone = campaign.zone if campaign else ZoneInfo("Asia/Shanghai")
    response = make_response(render_template(
        "bureau/tokens.html", form=form, revoke_form=RevokeForm(), tokens=live_tokens(current_user),
        secret=secret, created=created, campaign=campaign, zone=zone), status)
    # The secret is shown once: never cached, never stored by the browser.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@role_required("bureau")
def index():
    return _page(TokenForm())


@bp.post("/")
@role_required("bureau")
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    sent = session.get("token_forms", [])
    if form.once.data and form.once.data in sent:
        flash(_("This form was sent already (a reload?): its token is in the list below, and its secret is not shown again."), "info")
        return redirect(url_for(".index"))
    session["token_forms"] = ([form.once.data] + sent)[:20] if form.once.data else sent
    secret, token = tokens.issue_token(current_user, name=form.name.data.strip())
    token.read_only = True
    db.session.flush()
    return _page(TokenForm(formdata=None), secret=secret, created=token)


@bp.post("/<int:token_id>/revoke")
@role_required("bureau")
def revoke(token_id):
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    tokens.revoke(token)
    flash(_("The token “%(name)s” is revoked; scripts using it now get 401.", name=token.name or token.id), "info")
    return redirect(url_for(".index"))
