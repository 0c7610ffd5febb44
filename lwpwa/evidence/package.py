"""The evidence package (佐证材料) of a unit for a campaign: one ZIP with the submitted table
(.xlsx and PDF), the masked sign-in sheet of each activity (PDF), the photos the lead chose,
the news links, a 工作总结 draft and a 典型案例 template (.docx), and a list of every file with
its SHA-256. Handing it in freezes the ZIP on disk; the bureau downloads what was handed in."""
import io
import re
import zipfile
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..activities.models import Activity
from ..checkins.stats import activity_stats
from ..errors import ApiError
from ..extensions import db
from ..reports import service as reports
from ..reports.sign_in_sheet import sign_in_workbook
from ..reports.xlsx import to_bytes
from ..submissions import service as submissions
from ..submissions.verify import workbook_of_version
from ..workspace.report import sign_in_rows
from . import docs, pdf, storage
from .figures import split_counts, summary_figures
from .models import EvidencePackage, Photo

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(text, limit=60):
    return UNSAFE.sub("_", text).strip()[:limit] or "_"


def submitted_or_409(campaign, org):
    submission = submissions.latest_submission(campaign, org)
    if submission is None:
        raise ApiError(409, "table_not_submitted",
                       _("Submit the statistics table first: the package holds the submitted version."))
    return submission


def snapshot_table(campaign, submission):
    """The .xlsx of a submitted version, dated the day it was submitted."""
    return to_bytes(workbook_of_version(submission))


def chosen_photos(activity_ids):
    return db.session.scalars(
        select(Photo).where(Photo.activity_id.in_(activity_ids), Photo.in_package.is_(True),
                            Photo.removed_at.is_(None)).order_by(Photo.activity_id, Photo.slot)).all()


def case_counts(activity):
    stats = activity_stats(activity.id)
    split = split_counts([activity.id]).get(activity.id, {})
    return {"attendance": stats["attendance"], "volunteers": stats["volunteers"],
            "attendance_scanned": split.get("attendance_scanned", 0),
            "attendance_tallied": split.get("attendance_tallied", 0)}


def build(campaign, org, submission, case_activity=None):
    """(zip bytes, photo count) of the package, from the given submitted version."""
    snapshot = submission.snapshot
    ids = [row["id"] for row in snapshot["activities"]]
    activities = {a.id: a for a in db.session.scalars(select(Activity).where(Activity.id.in_(ids)))}
    ordered = [activities[i] for i in ids if i in activities]
    files = {}
    table_xlsx = snapshot_table(campaign, submission)
    workbooks = {"01-情况统计表.pdf": table_xlsx}
    for number, activity in enumerate(ordered, start=1):
        sheet = sign_in_workbook(org, activity, activity_stats(activity.id), sign_in_rows(activity))
        workbooks[f"02-签到表/{number:02d}-{safe_name(activity.name)}.pdf"] = to_bytes(sheet)
    files["01-情况统计表.xlsx"] = table_xlsx
    files.update(pdf.xlsx_to_pdf(workbooks))
    photos = chosen_photos(ids)
    numbers = {a.id: n for n, a in enumerate(ordered, start=1)}
    photo_names = {}
    for photo in photos:
        activity = activities.get(photo.activity_id)
        try:
            data = storage.read(storage.photo_path(photo))
        except FileNotFoundError:
            continue  # a file lost from the storage: the package goes without it, never a 500
        if activity is None:
            continue
        names = photo_names.setdefault(photo.activity_id, [])
        name = f"03-照片/{numbers[activity.id]:02d}-{safe_name(activity.name)}/{len(names) + 1:02d}.jpg"
        names.append(name)
        files[name] = data
    links = [f"{row['name']}\t{link}" for row in snapshot["activities"] for link in row.get("news_links") or []]
    files["04-新闻链接.txt"] = ("活动名称\t新闻链接\n" + "\n".join(links) + "\n").encode("utf-8")
    figures = summary_figures(campaign, [snapshot])
    files["05-工作总结（草稿）.docx"] = docs.summary_docx(campaign, org.name, figures)
    if case_activity is not None:
        files[f"06-典型案例（草稿）-{safe_name(case_activity.name)}.docx"] = docs.case_docx(
            campaign, org, case_activity, case_counts(case_activity), photo_names.get(case_activity.id, []))
    files["00-清单.txt"] = manifest(campaign, org, submission, files)
    return zip_files(files), sum(len(names) for names in photo_names.values())


def manifest(campaign, org, submission, files):
    version = getattr(submission, "version", None)  # numbered versions (API.md), where the model has them
    lines = [f"{campaign.title} · {org.name} · 佐证材料",
             (f"情况统计表第{version}版，" if version else "情况统计表，") + "报送时间 "
             f"{submission.submitted_at.astimezone(campaign.zone):%Y-%m-%d %H:%M}，校验码 {submission.fingerprint}",
             "", "文件\tSHA-256"]
    lines += [f"{name}\t{storage.sha256(data)}" for name, data in sorted(files.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def zip_files(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            # JPEGs and docx are compressed already: store them as they are.
            method = zipfile.ZIP_STORED if name.endswith((".jpg", ".docx", ".xlsx")) else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6]), data,
                             compress_type=method)
    return out.getvalue()


def hand_in(campaign, org, user, case_activity=None):
    submission = submitted_or_409(campaign, org)
    data, photo_count = build(campaign, org, submission, case_activity)
    package = EvidencePackage(org_id=org.id, campaign_id=campaign.id, submission_id=submission.id,
                              case_activity_id=case_activity.id if case_activity else None,
                              handed_in_by_id=user.id, sha256=storage.sha256(data), size_bytes=len(data),
                              photo_count=photo_count)
    db.session.add(package)
    db.session.flush()
    storage.write(storage.package_path(package), data)
    return package


def latest_package(campaign, org_id):
    return db.session.scalar(
        select(EvidencePackage).where(EvidencePackage.org_id == org_id, EvidencePackage.campaign_id == campaign.id)
        .order_by(EvidencePackage.handed_in_at.desc(), EvidencePackage.id.desc()).limit(1))


def latest_packages(campaign, org_ids):
    """{org_id: the newest package handed in} for the given units, in one query."""
    if not org_ids:
        return {}
    newest = (select(EvidencePackage.org_id, func.max(EvidencePackage.id).label("id"))
              .where(EvidencePackage.campaign_id == campaign.id, EvidencePackage.org_id.in_(org_ids))
              .group_by(EvidencePackage.org_id).subquery())
    return {p.org_id: p for p in db.session.scalars(
        select(EvidencePackage).join(newest, newest.c.id == EvidencePackage.id))}
