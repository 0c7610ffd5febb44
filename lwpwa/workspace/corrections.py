"""Corrections in the workspace: the site lead voids a counted check-in or tally of the unit,
with a reason (checkins.voids.void_checkin: the check-in becomes `voided`, the counts drop by
what it had added, in this request's transaction), and sees the activity's corrections: the
phone's undos and the site lead's voids, who, when and why."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from ..accounts.models import User
from ..checkins import voids
from ..checkins.corrections import REASON_MAX_LENGTH, activity_corrections, reason_problem
from ..checkins.models import Checkin
from ..database import utcnow
from ..extensions import db
from ..residents.masking import mask_name
from ..residents.models import Resident
from ..submissions.locks import table_accepted
from .report import kind_labels
from .scope import current_org, unit_activity_or_404, unit_checkin_or_404

COUNTED_LIMIT = 200


class VoidForm(FlaskForm):
    reason = StringField(_l("Why is it voided?"), render_kw={"maxlength": REASON_MAX_LENGTH})


def counted_rows(activity, limit=COUNTED_LIMIT):
    """The activity's counted check-ins and tallies, the latest first (the mistaken one is
    usually among the last)."""
    return db.session.execute(
        select(Checkin, User.username, Resident.display_name)
        .outerjoin(User, User.id == Checkin.recorded_by_id)
        .outerjoin(Resident, Resident.id == Checkin.resident_id)
        .where(Checkin.activity_id == activity.id, Checkin.status == "accepted")
        .order_by(Checkin.scanned_at.desc(), Checkin.id.desc()).limit(limit)).all()


def page(activity_id, form=None, failed_id=None, status=200):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    return render_template(
        "workspace/corrections.html", org=org, activity=activity, counted=counted_rows(activity),
        corrections=activity_corrections(activity.id), form=form or VoidForm(), failed_id=failed_id,
        zone=activity.campaign.zone, kinds=kind_labels(), mask_name=mask_name, limit=COUNTED_LIMIT,
        locked=table_accepted(org.id, activity.campaign_id)), status


def show(activity_id):
    return page(activity_id)


def void(checkin_id):
    org = current_org()
    checkin = unit_checkin_or_404(org, checkin_id)
    form = VoidForm()
    problem = reason_problem(form.reason.data) if form.validate_on_submit() else None
    if problem or form.errors:
        form.reason.errors = [*form.reason.errors, problem] if problem else form.reason.errors
        return page(checkin.activity_id, form, checkin.id, 400)
    try:
        voids.void_checkin(checkin, current_user, form.reason.data.strip(), utcnow())
    except voids.TableAccepted:
        flash(_("The bureau has accepted this unit's table: corrections wait until it returns the table."),
              "error")
    except voids.NotCounted:
        flash(_("This check-in is not counted (any more): nothing changed."), "error")
    else:
        flash(_("Voided: it no longer counts, and the counts dropped by what it had added."), "info")
    return redirect(url_for("workspace.corrections", activity_id=checkin.activity_id))
