"""Volunteers and their phones: create accounts, reset passwords, deactivate, pair a phone with a
short-lived QR code, see and revoke paired devices."""
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from ..accounts import tokens
from ..accounts.models import ApiToken, User
from ..accounts.passwords import hash_password
from ..accounts.service import AccountError, create_user
from ..accounts.web import sign_out_device
from ..extensions import db
from ..residents import qr
from . import pairing
from .forms import ConfirmForm, PasswordForm, VolunteerForm
from .scope import current_org, id_or_404, unit_zone


def unit_volunteers(org):
    return db.session.scalars(select(User).where(User.org_id == org.id, User.role == "volunteer")
                              .order_by(User.is_active_account.desc(), User.username)).all()


def unit_devices(org):
    """Live tokens of the unit's volunteers: [(ApiToken, username)]."""
    return db.session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
        .where(User.org_id == org.id, User.role == "volunteer", ApiToken.revoked_at.is_(None))
        .order_by(User.username, ApiToken.created_at.desc())).all()


def unit_volunteer_or_404(org, user_id):
    id_or_404(user_id)
    user = db.session.scalar(select(User).where(User.id == user_id, User.org_id == org.id,
                                                User.role == "volunteer"))
    if user is None:
        abort(404)
    return user


def render(org, form=None, password_form=None, status=200, failed_id=None):
    return render_template("workspace/volunteers.html", org=org, volunteers=unit_volunteers(org),
                           devices=unit_devices(org), form=form or VolunteerForm(),
                           password_form=password_form or PasswordForm(), failed_id=failed_id,
                           confirm=ConfirmForm(), zone=unit_zone(org)), status


def page():
    org = current_org()
    form = VolunteerForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.password.data, "volunteer", org_id=org.id,
                               display_name=(form.display_name.data or "").strip() or None)
        except AccountError as error:
            form.username.errors = list(form.username.errors) + [str(error)]
        else:
            flash(_("The volunteer account %(name)s was created.", name=user.username), "info")
            return redirect(url_for("workspace.volunteers"))
    return render(org, form=form, status=400 if form.errors else 200)


def reset_password(user_id):
    org = current_org()
    volunteer = unit_volunteer_or_404(org, user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        return render(org, password_form=form, status=400, failed_id=volunteer.id)
    volunteer.password_hash = hash_password(form.password.data)
    # A new password is for a lost or shared one: whatever signed in with the old one, browsers
    # and phones alike, must sign in again.
    volunteer.session_version += 1
    tokens.revoke_all(volunteer)
    db.session.flush()
    flash(_("The password of %(name)s was changed.", name=volunteer.username), "info")
    return redirect(url_for("workspace.volunteers"))


def _set_active(user_id, active):
    org = current_org()
    volunteer = unit_volunteer_or_404(org, user_id)
    if ConfirmForm().validate_on_submit():
        volunteer.is_active_account = active
        if not active:
            tokens.revoke_all(volunteer)  # the phones stop syncing at once
            volunteer.session_version += 1
        db.session.flush()
        flash(_("%(name)s can sign in again.", name=volunteer.username) if active else
              _("%(name)s was deactivated and signed out of every device.", name=volunteer.username), "info")
    return redirect(url_for("workspace.volunteers"))


def deactivate(user_id):
    return _set_active(user_id, False)


def activate(user_id):
    return _set_active(user_id, True)


def pair(user_id):
    """Show a new pairing QR. The page is the only place the secret ever appears."""
    org = current_org()
    volunteer = unit_volunteer_or_404(org, user_id)
    if not volunteer.is_active:
        abort(404)
    payload, code = pairing.create_code(volunteer, current_user)
    image = Markup(qr.svg(payload, label=_("Pairing code for %(name)s", name=volunteer.username)))
    response = make_response(render_template(
        "workspace/pair.html", org=org, volunteer=volunteer, payload=payload, code=code, image=image,
        expires_at=code.expires_at.astimezone(unit_zone(org)), minutes=int(pairing.LIFETIME.total_seconds() // 60)))
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


def revoke_device(token_id):
    org = current_org()
    id_or_404(token_id)
    token = db.session.scalar(
        select(ApiToken).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id, User.org_id == org.id, User.role == "volunteer"))
    return sign_out_device(token, url_for("workspace.volunteers"))
