"""Plans (实施方案): a unit or a bureau uploads its plan for a campaign as Word (.docx) and/or
PDF, checked by content (a .docx is a ZIP holding word/document.xml; a PDF starts with %PDF-),
at most PLAN_MAX_BYTES; one file per kind, a new upload replaces it. Late means uploaded after,
or still missing after, the campaign's plan due date (in its time zone)."""
import io
import re
import zipfile
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..database import utcnow
from ..errors import ApiError, not_found
from ..extensions import db
from . import storage
from .models import PLAN_KINDS, Plan  # noqa: F401  (PLAN_KINDS: for the views, as plans.PLAN_KINDS)

MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf"}
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
ON_TIME, LATE, MISSING, OVERDUE = "on_time", "late", "missing", "overdue"


def kind_of(data):
    """'pdf', 'docx' or None, from the bytes themselves (never the file's name)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def owner_key(org=None, region_code=None):
    return f"org:{org.id}" if org is not None else f"region:{region_code}"


def store_plan(campaign, user, filename, data, org=None, region_code=None):
    if not data:
        raise ApiError(400, "validation_error", _("Choose a file."), {"file": _("This field is required.")})
    if len(data) > current_app.config["PLAN_MAX_BYTES"]:
        raise ApiError(413, "too_large", _("The file is larger than %(n)d MB.",
                                           n=current_app.config["PLAN_MAX_BYTES"] // (1024 * 1024)))
    kind = kind_of(data)
    if kind is None:
        raise ApiError(415, "not_a_plan", _("The plan must be a Word (.docx) or PDF file."))
    owner = owner_key(org, region_code)
    name = UNSAFE.sub("_", (filename or f"plan.{kind}")).strip()[:200] or f"plan.{kind}"
    fields = {"filename": name, "sha256": storage.sha256(data), "size_bytes": len(data),
              "uploaded_by_id": user.id, "uploaded_at": utcnow()}
    plan = plan_of(campaign, owner, kind)
    if plan is None:
        plan = Plan(campaign_id=campaign.id, owner=owner, kind=kind, org_id=org.id if org else None,
                    region_code=region_code if org is None else None, **fields)
        try:
            with db.session.begin_nested():
                db.session.add(plan)
        except IntegrityError:  # uploaded by another request meanwhile: replace that one
            plan = plan_of(campaign, owner, kind)
    for key, value in fields.items():
        setattr(plan, key, value)
    db.session.flush()
    storage.write(storage.plan_path(plan), data)
    return plan


def plan_of(campaign, owner, kind):
    return db.session.scalar(select(Plan).where(Plan.campaign_id == campaign.id, Plan.owner == owner,
                                                Plan.kind == kind))


def plans_by_owner(campaign, owners):
    """{owner: {kind: Plan}} in one query."""
    out = {owner: {} for owner in owners}
    if owners:
        for plan in db.session.scalars(select(Plan).where(Plan.campaign_id == campaign.id,
                                                          Plan.owner.in_(list(owners)))):
            out[plan.owner][plan.kind] = plan
    return out


def plan_status(campaign, plans, today=None):
    """on_time / late (uploaded after the due date) / missing / overdue (missing after it)."""
    due = campaign.plan_due_on
    today = today or datetime.now(campaign.zone).date()
    if not plans:
        return OVERDUE if due and today > due else MISSING
    first = min(plan.first_uploaded_at for plan in plans.values()).astimezone(campaign.zone).date()
    return LATE if due and first > due else ON_TIME


def read_plan(plan):
    """The file's bytes; a file lost from the storage answers 404, never a 500."""
    try:
        return storage.read(storage.plan_path(plan))
    except FileNotFoundError:
        raise not_found(_("The file of this plan is missing from the storage.")) from None

