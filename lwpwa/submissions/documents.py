"""Which table a download or a print view shows, and the lines that say so (校验码).

What a bureau holding a paper copy needs: a file of version N carries version N's figures, its
fingerprint and its submission time, so that `GET /api/v1/submissions/verify?fingerprint=`
(or the verify page) tells it which unit, campaign and version it holds and with which figures.
So a download is rendered from a snapshot: the version asked for, or the live table. The live
table whose content equals the latest version's *is* that version and is rendered as it (its
fingerprint, its date); a live table that differs says that it is live, not a submitted version,
and carries no fingerprint (a fingerprint next to other figures would vouch for them).
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import has_request_context, url_for
from sqlalchemy import select

from ..database import utcnow
from ..errors import not_found
from ..extensions import db
from .freeze import same_content, unit_snapshot
from .models import Submission
from .service import latest_submission


@dataclass
class Document:
    snapshot: dict
    on_date: object
    submission: Submission | None = None  # the version shown, if it is one
    latest: Submission | None = None  # the unit's latest version
    stamp: list = field(default_factory=list)

    @property
    def is_version(self):
        return self.submission is not None


def local(moment, zone):
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def verify_link():
    if not has_request_context():
        return ""
    return "，可在 " + url_for("submissions_web.verify", _external=True) + " 核验"


def version_stamp(submission, zone):
    return [f"校验码：{submission.fingerprint}",
            f"报送版本：第{submission.version}版，{local(submission.submitted_at, zone)}报送{verify_link()}。"]


def live_stamp(latest, zone):
    now = local(utcnow(), zone)
    if latest is None:
        return [f"说明：本表为实时数据（{now}导出），尚未报送，不是报送版本。"]
    return [f"说明：本表为实时数据（{now}导出），与已报送的第{latest.version}版"
            f"（{local(latest.submitted_at, zone)}报送）不同，不是报送版本，不能凭校验码核验。"]


def version_of(campaign, org_id, number):
    submission = db.session.scalar(select(Submission).where(
        Submission.org_id == org_id, Submission.campaign_id == campaign.id, Submission.version == number))
    if submission is None:
        raise not_found()
    return submission


def unit_document(campaign, org, version=None, snapshot=None):
    """The unit's table to show: version `version` (404 if there is none), else the live table
    (`snapshot`, if already made), which is the latest version when nothing changed since."""
    zone = campaign.zone
    latest = latest_submission(campaign, org)
    if version is not None:
        chosen = version_of(campaign, org.id, version)
    else:
        live = snapshot if snapshot is not None else unit_snapshot(campaign, org)
        chosen = latest if latest is not None and same_content(live, latest.snapshot) else None
        if chosen is None:
            return Document(live, datetime.now(zone).date(), None, latest, live_stamp(latest, zone))
    return Document(chosen.snapshot, chosen.submitted_at.astimezone(zone).date(), chosen, latest,
                    version_stamp(chosen, zone))
