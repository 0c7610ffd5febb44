"""The statistics table page: the notice's attachment as HTML (same header, rows, merged theme
headers and 合计 as the .xlsx), its contacts, the .xlsx download, a print view on A4 landscape,
and submitting it to the city bureau."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..activities.reference import THEMES
from ..extensions import db
from ..reports import service as reports
from ..reports.api import XLSX, download
from ..errors import ApiError
from ..reports.table import COUNT_KEYS, NOTES, ROW_LABELS, TABLE_ROWS, chinese_date, snapshot_columns
from ..reports.xlsx import to_bytes
from ..submissions import service as submissions
from ..submissions.documents import unit_document
from ..submissions.freeze import same_content
from .forms import ConfirmForm, ContactsForm
from .scope import current_org, selected_campaign


def table_data(campaign, org, document):
    """What the page shows, laid out as reports.table lays out the sheet, from the document a
    download renders (submissions.documents: a version, or the live table), so that the page,
    the print view, the .xlsx and the fingerprint agree."""
    snapshot = document.snapshot
    columns = snapshot_columns(snapshot)
    headers = [{"label": label, "span": sum(1 for c in columns if c.theme == key)} for key, label, _en in THEMES]
    rows = []
    for label, key in TABLE_ROWS:
        is_count = key in COUNT_KEYS
        cells = [col.values[key] for col in columns]
        rows.append({"label": label, "key": key, "cells": cells, "is_count": is_count,
                     "is_part": is_count and label not in ROW_LABELS,
                     "total": sum(int(v) for v in cells) if is_count else ""})
    contacts = snapshot["org"]
    return {
        "title": f"{snapshot.get('campaign_title', campaign.title)}情况统计表",
        "reporter_line": f"填报单位（公章）：{contacts['name']}",
        "date": chinese_date(document.on_date),
        "headers": headers,
        "rows": rows,
        "column_count": len(columns),
        "contacts": (("负责人：", contacts.get("lead_name")), ("填报人：", contacts.get("reporter_name")),
                     ("联系电话：", contacts.get("phone"))),
        "notes": NOTES,
        "stamp": document.stamp,
    }


def submission_state(campaign, org, snapshot):
    """(state, latest or None) from a live snapshot already made: submitted (the live table is
    the latest version), changed (since it) or missing."""
    latest = submissions.latest_submission(campaign, org)
    if latest is None:
        return submissions.MISSING, None
    if same_content(snapshot, latest.snapshot):
        return submissions.SUBMITTED, latest
    return submissions.CHANGED, latest


def save_contacts(org, form):
    org.lead_name = (form.lead_name.data or "").strip() or None
    org.reporter_name = (form.reporter_name.data or "").strip() or None
    org.phone = (form.phone.data or "").strip() or None
    db.session.flush()


def requested_version():
    """?version=N: a submitted version to show instead of the live table (404 if bad)."""
    version = request.args.get("version")
    if version is None:
        return None
    if not version.isdigit() or not 0 < int(version) < 2**31:
        abort(404)
    return int(version)


def page():
    org = current_org()
    campaign = selected_campaign(org)
    form = ContactsForm(obj=org if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            save_contacts(org, form)
            flash(_("The contacts were saved."), "info")
            return redirect(url_for("workspace.table", campaign=campaign.id))
        status = 400
    # One count of the table serves the page, the version check and "changed since submission".
    snapshot = submissions.table_snapshot(campaign, org)
    version = requested_version()
    document = unit_document(campaign, org, version, snapshot=snapshot)
    state, latest = submission_state(campaign, org, snapshot)
    versions = submissions.versions_of(campaign.id, org_id=org.id)
    return render_template("workspace/table.html", org=org, campaign=campaign, form=form,
                           table=table_data(campaign, org, document), document=document, submission=state,
                           latest=latest, versions=versions, shown_version=version,
                           changed={v.id: not same_content(snapshot, v.snapshot) for v in versions},
                           confirm=ConfirmForm()), status


def print_view():
    org = current_org()
    campaign = selected_campaign(org)
    document = unit_document(campaign, org, requested_version())
    return render_template("workspace/table_print.html", org=org, campaign=campaign,
                           table=table_data(campaign, org, document))


def xlsx():
    org = current_org()
    campaign = selected_campaign(org)
    version = requested_version()
    workbook = reports.unit_workbook(campaign, org, version)
    suffix = f"-第{version}版" if version else ""
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{org.name}{suffix}.xlsx")


def submit():
    org = current_org()
    campaign = selected_campaign(org)
    if ConfirmForm().validate_on_submit():
        try:
            submission = submissions.submit(campaign, org, current_user)
        except ApiError as refused:
            flash(refused.message, "error")
        else:
            flash(_("Version %(n)d of the table was submitted.", n=submission.version), "info")
    return redirect(url_for("workspace.table", campaign=campaign.id))
