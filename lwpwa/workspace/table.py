"""The statistics table page: the notice's attachment as HTML (same header, rows, merged theme
headers and 合计 as the .xlsx), its contacts, the .xlsx download, a print view on A4 landscape,
and submitting it to the city bureau."""
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..activities.reference import THEMES
from ..extensions import db
from ..reports import service as reports
from ..reports.api import XLSX, download
from ..reports.counts import FIGURES
from ..reports.table import (COUNT_KEYS, NOTES, ROW_LABELS, TABLE_ROWS, chinese_date, print_parts,
                             table_title, unit_columns)
from ..reports.xlsx import to_bytes
from ..submissions import service as submissions
from .forms import ConfirmForm, ContactsForm
from .scope import current_org, selected_campaign


def table_data(campaign, org, snapshot=None):
    """What the page shows, laid out as reports.table lays out the sheet, from the same snapshot
    that a submission stores (so the page, the fingerprint and the .xlsx agree)."""
    snapshot = snapshot or submissions.table_snapshot(campaign, org)
    activities = [SimpleNamespace(**row) for row in snapshot["activities"]]
    totals = {row["id"]: {key: row.get(key, 0) for key in FIGURES} for row in snapshot["activities"]}
    columns = unit_columns(activities, totals)
    headers = [{"label": label, "span": sum(1 for c in columns if c.theme == key)} for key, label, _en in THEMES]
    rows = []
    for label, key in TABLE_ROWS:
        is_count = key in COUNT_KEYS
        cells = [col.display(key) for col in columns]
        rows.append({"label": label, "key": key, "cells": cells, "is_count": is_count,
                     "is_part": is_count and label not in ROW_LABELS,
                     "total": sum(int(col.values[key]) for col in columns) if is_count else ""})
    return {
        "title": table_title(campaign),
        "reporter_line": f"填报单位（公章）：{org.name}",
        "date": chinese_date(reports.table_date(campaign, org, snapshot)),
        "headers": headers,
        "rows": rows,
        "column_count": len(columns),
        "contacts": (("负责人：", org.lead_name), ("填报人：", org.reporter_name), ("联系电话：", org.phone)),
        "columns": columns, "parts": print_parts(columns),  # for the print view's page-sized parts
        "totals": {row["key"]: row["total"] for row in rows if row["is_count"]},
        "notes": NOTES,
    }


def submission_state(campaign, org, snapshot):
    """submissions.submission_status, from a snapshot already made: (state, latest or None)."""
    latest = submissions.latest_submission(campaign, org)
    if latest is None:
        return submissions.MISSING, None
    if submissions.fingerprint(snapshot) == latest.fingerprint:
        return submissions.SUBMITTED, latest
    return submissions.CHANGED, latest


def save_contacts(org, form):
    org.lead_name = (form.lead_name.data or "").strip() or None
    org.reporter_name = (form.reporter_name.data or "").strip() or None
    org.phone = (form.phone.data or "").strip() or None
    db.session.flush()


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
    # One count of the table serves both the page and the "changed since submission" check.
    snapshot = submissions.table_snapshot(campaign, org)
    state, latest = submission_state(campaign, org, snapshot)
    return render_template("workspace/table.html", org=org, campaign=campaign, form=form,
                           table=table_data(campaign, org, snapshot), submission=state, latest=latest,
                           confirm=ConfirmForm()), status


def print_view():
    org = current_org()
    campaign = selected_campaign(org)
    return render_template("workspace/table_print.html", org=org, campaign=campaign,
                           table=table_data(campaign, org), table_rows=TABLE_ROWS, count_keys=COUNT_KEYS,
                           row_labels=ROW_LABELS)


def xlsx():
    org = current_org()
    campaign = selected_campaign(org)
    workbook = reports.unit_workbook(campaign, org)
    return download(to_bytes(workbook), XLSX, f"{campaign.title}情况统计表-{org.name}.xlsx")


def submit():
    org = current_org()
    campaign = selected_campaign(org)
    if ConfirmForm().validate_on_submit():
        submissions.submit(campaign, org, current_user)
        flash(_("The table was submitted to the city bureau."), "info")
    return redirect(url_for("workspace.table", campaign=campaign.id))
