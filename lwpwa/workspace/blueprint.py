"""The workspace's URL map, read like a table. Every page is for site leads of a unit and shows
only that unit: another unit's activity, check-in or volunteer answers 404."""
from flask import Blueprint

from ..activities.reference import THEME_LABELS
from ..reports.table import activity_form_text
from ..web.access import role_required
from . import activities, corrections, dashboard, importer, report, rescue, review, table, volunteers

bp = Blueprint("workspace", __name__, url_prefix="/unit")



@bp.app_template_filter("theme_label")
def theme_label(key):
    return THEME_LABELS.get(key, key)


@bp.app_template_filter("form_text")
def form_text(activity):
    return activity_form_text(activity)


GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES = (
    ("/", "index", dashboard.index, GET),
    ("/live.json", "live", dashboard.live, GET),
    ("/activities/new", "new_activity", activities.new, BOTH),
    ("/activities/<int:activity_id>", "activity", report.show, GET),
    ("/activities/<int:activity_id>/edit", "edit_activity", activities.edit, BOTH),
    ("/activities/<int:activity_id>/cancel", "cancel_activity", activities.cancel, POST),
    ("/activities/<int:activity_id>/restore", "restore_activity", activities.restore, POST),
    ("/activities/<int:activity_id>/sign-in-sheet", "sign_in_sheet", report.sign_in_sheet, GET),
    ("/activities/<int:activity_id>/corrections", "corrections", corrections.show, GET),
    ("/checkins/<int:checkin_id>/void", "void_checkin", corrections.void, POST),
    ("/import", "import_activities", importer.page, BOTH),
    ("/import/template.xlsx", "import_template", importer.template, GET),
    ("/table", "table", table.page, BOTH),
    ("/table.xlsx", "table_xlsx", table.xlsx, GET),
    ("/table/print", "table_print", table.print_view, GET),
    ("/table/submit", "submit_table", table.submit, POST),
    ("/review", "review", review.page, GET),
    ("/review/<int:checkin_id>", "resolve", review.resolve, POST),
    ("/review/rescue", "rescue", rescue.upload, POST),
    ("/review/activities/<int:activity_id>", "resolve_activity", review.resolve_activity, POST),
    ("/volunteers", "volunteers", volunteers.page, BOTH),
    ("/volunteers/<int:user_id>/password", "reset_password", volunteers.reset_password, POST),
    ("/volunteers/<int:user_id>/deactivate", "deactivate", volunteers.deactivate, POST),
    ("/volunteers/<int:user_id>/activate", "activate", volunteers.activate, POST),
    ("/volunteers/<int:user_id>/pair", "pair", volunteers.pair, POST),
    ("/devices/<int:token_id>/revoke", "revoke_device", volunteers.revoke_device, POST),
)

for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, role_required("site_lead")(view), methods=methods)
