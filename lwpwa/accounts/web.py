"""Login and logout for the web pages (Flask-Login sessions, Flask-WTF forms with CSRF)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..extensions import db, limiter, login_manager
from ..http import local_path
from ..web.access import role_required
from . import tokens
from .api import authenticate_password
from .models import User

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id):
    """The session holds "id:version"; bumping the version signs out every old session."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


def _username_key():
    return "web-login-user:" + (request.form.get("username") or "").strip().lower()[:64]


def _failed_login(response):
    return response.status_code == 200 and request.method == "POST"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("120 per minute", methods=["POST"])
@limiter.limit("10 per 15 minutes", key_func=_username_key, methods=["POST"], deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate_password(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(local_path(request.args.get("next")) or url_for("web.index"))
        flash(_("Wrong username or password."), "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    # Session cookies are signed, not stored: a copied cookie would outlive logout_user().
    # Bumping the version makes every session of this user invalid, wherever it was copied.
    current_user.session_version += 1
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("web.index"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


@bp.get("/account/devices")
@role_required()
def devices():
    """Every account sees its own phones and scripts (API tokens) and can sign each out."""
    return render_template("accounts/devices.html", tokens=tokens.user_tokens(current_user),
                           confirm=ConfirmForm())


@bp.post("/account/devices/<int:token_id>/revoke")
@role_required()
def revoke_device(token_id):
    return sign_out_device(tokens.own_token(current_user, token_id), url_for("accounts.devices"))


def sign_out_device(token, back):
    """Revoke a device's token once the form confirms it (its own, or a volunteer's for the
    unit's site lead); None, a token the caller may not sign out, is 404."""
    if token is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        tokens.revoke(token)
        db.session.flush()
        flash(_("The device was signed out."), "info")
    return redirect(back)
