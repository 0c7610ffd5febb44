"""The site lead's side: the flags on the unit's activities, each with its evidence and a form
to answer it; the bureau reads the answer on the flag's page."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..activities.models import Activity
from ..extensions import db
from ..web.access import role_required
from ..workspace.scope import current_org, unit_zone
from ..database import begin_write
from . import refresh, vocabulary, workflow
from .forms import ExplainForm
from .models import Flag, FlagActivity

bp = Blueprint("unit_flags", __name__, url_prefix="/unit/flags")


def unit_flag_or_404(org, flag_id):
    linked = (select(FlagActivity.flag_id).join(Activity, Activity.id == FlagActivity.activity_id)
              .where(Activity.org_id == org.id))
    flag = db.session.scalar(select(Flag).where(Flag.id == flag_id, Flag.id.in_(linked)))
    if flag is None:
        abort(404)
    return flag


@bp.get("/")
@role_required("site_lead")
def index():
    from ..bureau.anomalies import names, unit_flags
    org = current_org()
    if refresh.unit_is_dirty(org):
        begin_write()  # SQLite: the write lock; the request commits
        refresh.refresh_unit(org)
    flags = unit_flags(org)
    activity_names, _orgs = names(flags)
    return render_template("flags/unit_index.html", org=org, flags=flags, activity_names=activity_names,
                           vocabulary=vocabulary, zone=unit_zone(org))


def _page(org, flag, form=None, status=200):
    from ..bureau.evidence_views import flag_context
    form = form or ExplainForm(explanation=flag.explanation or "")
    context = flag_context(flag)
    # The unit sees who scanned for it, not other units' accounts (a pair flag names both).
    own = {a.id for a in context["activities"] if a.org_id == org.id}
    context["scans"] = [s for s in context["scans"] if s["activity_id"] in own]
    context["unit_view"] = True
    return render_template("flags/unit_flag.html", org=org, **context, form=form, form_field=form.explanation,
                           can_review=True, review_endpoint="unit_flags.explain",
                           submit_label=_("Send the explanation")), status


@bp.get("/<int:flag_id>")
@role_required("site_lead")
def show(flag_id):
    org = current_org()
    return _page(org, unit_flag_or_404(org, flag_id))


@bp.post("/<int:flag_id>/explain")
@role_required("site_lead")
def explain(flag_id):
    org = current_org()
    flag = unit_flag_or_404(org, flag_id)
    form = ExplainForm()
    if not form.validate_on_submit():
        return _page(org, flag, form, 400)
    workflow.explain(flag, current_user, form.explanation.data)
    flash(_("Your explanation was sent to the bureau."), "info")
    return redirect(url_for("unit_flags.show", flag_id=flag.id))
