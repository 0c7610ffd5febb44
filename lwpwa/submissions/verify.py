"""Checking a fingerprint, or a whole file, against the submitted versions.

A fingerprint names a version (unit, campaign, version, time, figures). A file is checked
harder: its 校验码 names the version, the server renders that version's workbook again, and
every cell of every sheet must be equal; a file whose figures or names were edited after the
download keeps its 校验码 but no longer verifies, and the differences are listed.
"""
import io
import re
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from ..extensions import db
from ..reports import table
from ..reports.region_table import workbook_of
from ..reports.xlsx import cell_values
from .documents import Document, version_stamp
from .models import Submission

STAMP = re.compile(r"校验码：([0-9a-f]{64})")
MAX_DIFFERENCES = 20


def by_fingerprint(fingerprint, may_see):
    """The version with this fingerprint that `may_see(submission)` allows, or None."""
    for submission in db.session.scalars(
            select(Submission).where(Submission.fingerprint == fingerprint).order_by(Submission.id)):
        if may_see(submission):
            return submission
    return None


def workbook_of_version(submission):
    """The workbook a download of this version gives."""
    zone = submission.campaign.zone
    document = Document(submission.snapshot, submission.submitted_at.astimezone(zone).date(), submission,
                        submission, version_stamp(submission, zone))
    if submission.org_id is None:
        return workbook_of(document)
    return table.unit_workbook(table.snapshot_title(submission.snapshot), submission.snapshot, document.on_date, document.stamp)


def sheet_values(workbook):
    return [(ws.title, {key: value for key, value in cell_values(ws).items() if value not in (None, "")})
            for ws in workbook.worksheets]


def read_workbook(data):
    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return None


def check_file(data, may_see):
    """{"valid", "fingerprint", "submission" (or None), "differences": [...], "problem"}."""
    workbook = read_workbook(data)
    if workbook is None:
        return {"valid": False, "fingerprint": None, "submission": None, "differences": [],
                "problem": "not_xlsx"}
    found = None
    for ws in workbook.worksheets[:1]:
        for row in ws.iter_rows(max_col=1):
            match = STAMP.search(str(row[0].value or ""))
            if match:
                found = match.group(1)
    if found is None:
        return {"valid": False, "fingerprint": None, "submission": None, "differences": [],
                "problem": "no_fingerprint"}
    submission = by_fingerprint(found, may_see)
    if submission is None:
        return {"valid": False, "fingerprint": found, "submission": None, "differences": [],
                "problem": "unknown_fingerprint"}
    expected, given = sheet_values(workbook_of_version(submission)), sheet_values(workbook)
    differences = []
    for index, (title, cells) in enumerate(expected):
        other = given[index][1] if index < len(given) else {}
        for key in sorted(set(cells) | set(other)):
            if _normal(cells.get(key)) != _normal(other.get(key)):
                differences.append({"sheet": title, "row": key[0], "column": key[1],
                                    "expected": _text(cells.get(key)), "found": _text(other.get(key))})
    if len(given) != len(expected):
        differences.append({"sheet": "", "row": 0, "column": 0, "expected": len(expected), "found": len(given)})
    return {"valid": not differences, "fingerprint": found, "submission": submission,
            "differences": differences[:MAX_DIFFERENCES], "problem": "changed" if differences else None}


def _normal(value):
    # A number typed over an integer cell may come back as 12.0; text is compared as it is.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value):
    return None if value is None else str(value)
