"""Rescue import: check-ins exported from a volunteer's phone as a file (when the phone cannot
sync), uploaded by the site lead and decided exactly as POST /api/v1/sync decides them.

The file is JSON: one sync request body `{"device_id", "sent_at", "checkins": [...]}`, or a list
of them (the phone's outbox, batch by batch). Ids make it idempotent: uploading the same file
twice, or a file whose items the phone synced meanwhile, changes no count. Times are trusted as
the phone recorded them: no clock correction, because the time between export and upload is not
the phone's clock error.
"""
import json
import uuid

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from sqlalchemy import func, select

from ..checkins.counters import Counts
from ..checkins.models import Checkin
from ..checkins.sync import sync_batch
from ..database import utcnow
from ..extensions import db
from .forms import RescueForm
from .scope import current_org

MAX_ITEMS = 50_000


class RescueProblem(Exception):
    pass


def read_batches(data):
    """[(device_id, items)] of an exported file; RescueProblem if it is not one."""
    try:
        body = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise RescueProblem(_("This is not a file exported by the scanner app (JSON).")) from None
    batches = body if isinstance(body, list) else [body]
    found, total = [], 0
    for batch in batches:
        if not isinstance(batch, dict) or not isinstance(batch.get("checkins"), list):
            raise RescueProblem(_("This is not a file exported by the scanner app (JSON)."))
        device_id = batch.get("device_id")
        device_id = device_id[:64] if isinstance(device_id, str) and device_id.strip() else "rescue-file"
        total += len(batch["checkins"])
        if total > MAX_ITEMS:
            raise RescueProblem(_("At most %(n)d check-ins per file.", n=MAX_ITEMS))
        found.append((device_id, batch["checkins"]))
    return found


def _ids(items):
    ids = set()
    for item in items:
        try:
            ids.add(str(uuid.UUID(item.get("id"))))
        except (AttributeError, TypeError, ValueError):
            pass
    return ids


def known_ids(ids):
    """How many of these check-in ids the server has already stored."""
    found, ids = 0, sorted(ids)
    for start in range(0, len(ids), 1000):
        found += db.session.scalar(select(func.count()).select_from(Checkin)
                                   .where(Checkin.client_id.in_(ids[start:start + 1000])))
    return found


def import_file(data, user):
    """Decide every item of the file; returns the summary {status: n, "known": n}, where
    `known` counts the items the server already had (answered as before, counted once)."""
    summary = {"accepted": 0, "duplicate": 0, "held": 0, "rejected": 0, "voided": 0}
    size = current_app.config["SYNC_MAX_ITEMS"]
    batches = read_batches(data)
    summary["known"] = known_ids(set().union(*(_ids(items) for _device, items in batches)))
    # The counts of every batch are added at once, after the last insert: a transaction that
    # held counter rows while still inserting could deadlock with a sync (see counters.py).
    counts = Counts()
    for device_id, items in batches:
        for start in range(0, len(items), size):
            now = utcnow()
            for result in sync_batch(user, device_id, now, items[start:start + size], now, counts=counts):
                summary[result["status"]] += 1
    counts.apply()
    return summary


def upload():
    current_org()
    form = RescueForm()
    if form.validate_on_submit():
        try:
            summary = import_file(form.file.data.read(), current_user)
        except RescueProblem as problem:
            flash(str(problem), "error")
        else:
            flash(_("File read: %(accepted)d counted, %(duplicate)d already counted, %(held)d held for "
                    "review, %(rejected)d rejected.", **summary) + " " +
                  _("%(n)d of them were on the server already and count only once.", n=summary["known"]), "info")
    else:
        flash(_("Choose the file exported by the scanner app."), "error")
    return redirect(url_for("workspace.review"))
