"""Activities of the unit: create, edit, copy, cancel and restore, with the validation of the
activities service (the API's rules) shown as form errors."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..activities import service
from ..api.body import query_id
from ..errors import ApiError
from .forms import ActivityForm, ConfirmForm
from .scope import current_org, selected_campaign, unit_activity_or_404, unit_campaigns

FIELD_OF = {"campaign_id": "campaign", "theme": "theme", "name": "name", "content": "content",
            "form": "form", "mode": "mode", "venue": "venue", "starts_at": "starts_at",
            "ends_at": "ends_at", "news_links": "news_links", "courses": "courses",
            "capacity": "capacity"}


def lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def activity_data(form, campaign, org):
    """The API's JSON fields from a submitted form; naive local times get the campaign's zone."""
    zone = campaign.zone
    return {
        "campaign_id": campaign.id,
        "org_id": org.id,
        "theme": form.theme.data,
        "name": form.name.data or "",
        "content": form.content.data or "",
        "form": form.form.data,
        "mode": form.mode.data,
        "venue": form.venue.data or "",
        "starts_at": form.starts_at.data.replace(tzinfo=zone).isoformat(),
        "ends_at": form.ends_at.data.replace(tzinfo=zone).isoformat(),
        "news_links": lines(form.news_links.data),
        "courses": lines(form.courses.data),
        "capacity": form.capacity.data,
    }


def fill_form(form, activity):
    zone = activity.campaign.zone
    form.campaign.data = activity.campaign_id
    form.theme.data = activity.theme
    form.name.data = activity.name
    form.form.data = activity.form
    form.mode.data = activity.mode
    form.content.data = activity.content
    form.courses.data = "\n".join(activity.courses or [])
    form.venue.data = activity.venue
    form.starts_at.data = activity.starts_at.astimezone(zone).replace(tzinfo=None)
    form.ends_at.data = activity.ends_at.astimezone(zone).replace(tzinfo=None)
    form.capacity.data = activity.capacity
    form.news_links.data = "\n".join(activity.news_links or [])


def show_errors(form, error):
    """Put the service's field errors on the form's fields; the rest as a form-level error."""
    unplaced = []
    for name, message in (error.fields or {}).items():
        field = getattr(form, FIELD_OF.get(name, ""), None)
        if field is None:
            unplaced.append(message)
        else:
            field.errors = list(field.errors) + [message]
    form.form_errors = list(form.form_errors) + (unplaced or ([] if error.fields else [error.message]))


def save(form, org, activity=None):
    """Create or update from a validated form; None and errors on the form when refused."""
    campaigns = {c.id: c for c in unit_campaigns(org)}
    campaign = activity.campaign if activity else campaigns.get(form.campaign.data)
    if campaign is None:
        form.campaign.errors = list(form.campaign.errors) + [_("Choose an activity week.")]
        return None
    data = activity_data(form, campaign, org)
    try:
        if activity is None:
            return service.create_activity(current_user, data)
        del data["campaign_id"], data["org_id"]
        return service.update_activity(current_user, activity, data)
    except ApiError as error:
        show_errors(form, error)
        return None


def _form(org, activity=None):
    form = ActivityForm()
    campaigns = [activity.campaign] if activity else unit_campaigns(org)
    form.campaign.choices = [SelectChoice(c.id, c.title) for c in campaigns]
    return form


def new():
    org = current_org()
    form = _form(org)
    if request.method == "GET":
        form.campaign.data = selected_campaign(org).id
        source_id = query_id("copy")
        if source_id is not None:
            source = unit_activity_or_404(org, source_id)
            fill_form(form, source)
            form.name.data = _("%(name)s (copy)", name=source.name)[:200]
    if form.validate_on_submit():
        activity = save(form, org)
        if activity is not None:
            flash(_("The activity “%(name)s” was created.", name=activity.name), "info")
            return redirect(url_for("workspace.activity", activity_id=activity.id))
    return render_template("workspace/activity_form.html", form=form, org=org, activity=None), \
        400 if form.errors or form.form_errors else 200


def edit(activity_id):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    form = _form(org, activity)
    if request.method == "GET":
        fill_form(form, activity)
    if form.validate_on_submit():
        if save(form, org, activity) is not None:
            flash(_("The changes were saved."), "info")
            return redirect(url_for("workspace.activity", activity_id=activity.id))
    return render_template("workspace/activity_form.html", form=form, org=org, activity=activity), \
        400 if form.errors or form.form_errors else 200


def _set_cancelled(activity_id, cancelled):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    if ConfirmForm().validate_on_submit():
        service.update_activity(current_user, activity, {"is_cancelled": cancelled})
        flash(_("The activity was cancelled: it no longer counts in the table.") if cancelled
              else _("The activity was restored."), "info")
    return redirect(url_for("workspace.activity", activity_id=activity.id))


def cancel(activity_id):
    return _set_cancelled(activity_id, True)


def restore(activity_id):
    return _set_cancelled(activity_id, False)
