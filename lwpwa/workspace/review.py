"""Review: check-ins held for the site lead (approve or reject, with the reason) and the audit
list of rejected scans of the unit.

Approving makes a held check-in `accepted`, or `duplicate` when the same person is already
counted for that activity, kind and day (the unique index decides, as in sync); an approval
that counts is added to `checkin_counts` in the same transaction. Rejecting keeps it `held`
(never counted) with the decision recorded, so a resent item still answers `held`. While the
bureau has accepted the unit's table, approving is refused (it would change a figure of the
record; submissions.locks.table_accepted), rejecting is not (it changes none).
"""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..activities.models import Activity
from ..checkins.counters import Counts
from ..checkins.models import Checkin
from ..database import utcnow
from ..extensions import db
from ..residents.models import Resident
from ..submissions.locks import table_accepted
from .forms import RescueForm, ResolveForm
from .report import age_group_labels, kind_labels, mask_name
from .scope import current_org, unit_activity_or_404, unit_checkin_or_404, unit_zone

AUDIT_LIMIT = 200


def table_accepted_message():  # noqa: N802 - a message, translated when shown
    return _("The bureau has accepted this unit's table: approving would change its figures. "
             "Ask the bureau to return the table first; rejecting is still possible.")


class AlreadyResolved(Exception):
    pass


class TableAccepted(Exception):
    """Approving would change a count of a table the bureau has accepted."""


def _approval_allowed(activity):
    if table_accepted(activity.org_id, activity.campaign_id):
        raise TableAccepted()


def resolve_held(checkin, user, approve, note, counts=None):
    """Decide a held check-in; returns its new status. An approval that makes it `accepted`
    adds it to `checkin_counts` in this transaction: at once, or into `counts` (a
    counters.Counts) for the caller to apply after its last decision. A check-in without a day
    (a scan time at the very edge of the calendar, with no local date) cannot be counted under
    any day, so approving it keeps it held (uncounted), with the decision recorded."""
    if approve:
        _approval_allowed(db.session.get(Activity, checkin.activity_id))
    # Claimed by one UPDATE, so two site leads deciding at once cannot both decide it.
    claimed = db.session.execute(
        update(Checkin).where(Checkin.id == checkin.id, Checkin.status == "held", Checkin.resolved_at.is_(None))
        .values(resolved_by_id=user.id, resolved_at=utcnow(), resolution_note=note[:200])
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise AlreadyResolved()
    db.session.refresh(checkin)
    if approve and checkin.day is not None:
        try:
            with db.session.begin_nested():
                checkin.status = "accepted"
                db.session.flush()
        except IntegrityError:
            checkin.status = "duplicate"
    db.session.flush()
    if checkin.status == "accepted":
        own = Counts() if counts is None else counts
        own.add(checkin.activity_id, checkin.kind, checkin.day, checkin.resident_id, checkin.headcount)
        if counts is None:
            own.apply()
    return checkin.status


def resolve_all_held(activity, user, approve, note):
    """Decide every undecided held check-in of an activity (a whole session scanned into the
    wrong activity, or a phone with a wrong clock); returns {status: n}."""
    if approve:
        _approval_allowed(activity)
    ids = db.session.scalars(select(Checkin.id).where(
        Checkin.activity_id == activity.id, Checkin.status == "held", Checkin.resolved_at.is_(None))
        .order_by(Checkin.scanned_at, Checkin.id)).all()
    outcome = {}
    counts = Counts()  # applied once, after the last decision (see counters.py)
    for checkin_id in ids:
        try:
            status = resolve_held(db.session.get(Checkin, checkin_id), user, approve, note, counts)
        except AlreadyResolved:
            continue
        outcome[status] = outcome.get(status, 0) + 1
    counts.apply()
    return outcome


def held_by_activity(org):
    """[(activity id, name, undecided held check-ins)] for the bulk decision."""
    return db.session.execute(
        select(Activity.id, Activity.name, func.count())
        .join(Checkin, Checkin.activity_id == Activity.id)
        .where(Activity.org_id == org.id, Checkin.status == "held", Checkin.resolved_at.is_(None))
        .group_by(Activity.id, Activity.name).order_by(Activity.name)).all()


def held_rows(org, limit=AUDIT_LIMIT):
    """The first undecided held check-ins, oldest first (more are decided per activity at once)."""
    return db.session.execute(
        select(Checkin, Activity.name, User.username, Resident.display_name)
        .join(Activity, Activity.id == Checkin.activity_id)
        .outerjoin(User, User.id == Checkin.recorded_by_id)
        .outerjoin(Resident, Resident.id == Checkin.resident_id)
        .where(Activity.org_id == org.id, Checkin.status == "held", Checkin.resolved_at.is_(None))
        .order_by(Checkin.scanned_at, Checkin.id).limit(limit)).all()


def resolved_rows(org, limit=AUDIT_LIMIT):
    return db.session.execute(
        select(Checkin, Activity.name, User.username)
        .join(Activity, Activity.id == Checkin.activity_id)
        .outerjoin(User, User.id == Checkin.resolved_by_id)
        .where(Activity.org_id == org.id, Checkin.resolved_at.is_not(None))
        .order_by(Checkin.resolved_at.desc(), Checkin.id.desc()).limit(limit)).all()


def rejected_rows(org, limit=AUDIT_LIMIT):
    """Rejected scans of the unit: into its activities, or recorded by its people."""
    unit_users = select(User.id).where(User.org_id == org.id)
    unit_activities = select(Activity.id).where(Activity.org_id == org.id)
    return db.session.execute(
        select(Checkin, Activity.name, User.username)
        .outerjoin(Activity, Activity.id == Checkin.activity_id)
        .outerjoin(User, User.id == Checkin.recorded_by_id)
        .where(Checkin.status == "rejected",
               or_(Checkin.activity_id.in_(unit_activities), Checkin.recorded_by_id.in_(unit_users)))
        .order_by(Checkin.received_at.desc(), Checkin.id.desc()).limit(limit)).all()


def reason_labels():
    return {"invalid": _("Not a valid check-in (bad code or data)"),
            "unknown_code": _("Unknown code"),
            "revoked_code": _("Code replaced or withdrawn"),
            "unknown_activity": _("Unknown activity"),
            "forbidden_activity": _("Activity of another unit, or none"),
            "void_not_allowed": _("Undo not allowed")}


def status_labels():
    return {"accepted": _("Counted"), "duplicate": _("Already counted that day"),
            "held": _("Not counted"), "rejected": _("Rejected"), "voided": _("Voided (corrected)")}


def page(form=None, status=200):
    org = current_org()
    return render_template("workspace/review.html", org=org, held=held_rows(org),
                           held_groups=held_by_activity(org), resolved=resolved_rows(org),
                           rejected=rejected_rows(org), form=form or ResolveForm(), rescue_form=RescueForm(),
                           failed_id=getattr(form, "checkin_id", None),
                           failed_activity=getattr(form, "activity_id", None),
                           reasons=reason_labels(), statuses=status_labels(), kinds=kind_labels(),
                           ages=age_group_labels(), mask_name=mask_name, zone=unit_zone(org)), status


def resolve(checkin_id):
    org = current_org()
    checkin = unit_checkin_or_404(org, checkin_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        form.checkin_id = checkin.id
        return page(form, 400)
    try:
        status = resolve_held(checkin, current_user, form.decision.data == "approve", form.note.data.strip())
    except AlreadyResolved:
        flash(_("This check-in was already decided."), "error")
        return redirect(url_for("workspace.review"))
    except TableAccepted:
        flash(table_accepted_message(), "error")
        return redirect(url_for("workspace.review"))
    flash({"accepted": _("The check-in now counts."),
           "duplicate": _("The person was already counted that day: nothing changed in the counts."),
           "held": _("The check-in stays uncounted.")}[status], "info")
    return redirect(url_for("workspace.review"))


def resolve_activity(activity_id):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        form.activity_id = activity.id
        return page(form, 400)
    try:
        outcome = resolve_all_held(activity, current_user, form.decision.data == "approve", form.note.data.strip())
    except TableAccepted:
        flash(table_accepted_message(), "error")
        return redirect(url_for("workspace.review"))
    flash(_("%(n)d held check-ins of “%(name)s” were decided: %(counted)d now count, %(duplicate)d were "
            "already counted, %(uncounted)d stay uncounted.", n=sum(outcome.values()), name=activity.name,
            counted=outcome.get("accepted", 0), duplicate=outcome.get("duplicate", 0),
            uncounted=outcome.get("held", 0)), "info")
    return redirect(url_for("workspace.review"))
