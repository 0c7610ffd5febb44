"""Importing many activities from an .xlsx plan (the unit's 实施方案).

The page offers a template: one sheet 活动 with a header row and drop-down lists for theme, form
and mode, and a sheet of notes. Every row is checked first, by the same rules as the API; any
bad row is reported by row and column and nothing is imported. Otherwise every activity is
created in the request's one transaction.
"""
import re
import time as clock
import zipfile
from datetime import date, datetime, time
from io import BytesIO

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ..activities import service
from ..activities.models import MODES
from ..activities.reference import FORMS, MODE_LABELS, THEMES
from ..api.body import parse_int
from ..errors import ApiError
from ..extensions import db
from ..reports.api import XLSX, download
from ..reports.xlsx import BOLD, CENTER, put, set_widths, to_bytes
from .forms import ImportForm
from .scope import current_org, selected_campaign

SHEET, CHOICES_SHEET, NOTES_SHEET = "活动", "选项", "说明"
MAX_ROWS = 500
MAX_SHEET_ROWS = 5_000
# An .xlsx is a zip: 1 MB of it once inflated to a gigabyte in a worker (one cell of one
# repeated character). What openpyxl may see is bounded before it sees anything: the inflated
# size (counted while inflating, not as the zip declares it), the number of parts, the number
# of cells, and the time spent reading rows.
MAX_UNZIPPED_BYTES = 16 * 1024 * 1024
MAX_PARTS = 64
MAX_CELLS = 50_000
MAX_SECONDS = 10
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
# (field, header in the template); the header is what the parser looks for, in any order.
COLUMNS = (
    ("theme", "活动主题"),
    ("name", "活动名称"),
    ("content", "活动内容"),
    ("courses", "推荐课程"),
    ("form", "活动形式"),
    ("mode", "线上/线下"),
    ("venue", "活动地点"),
    ("starts_at", "开始时间"),
    ("ends_at", "结束时间"),
    ("capacity", "容纳人数"),
    ("news_links", "新闻链接"),
)
HEADER_OF = dict(COLUMNS)
TIME_FORMAT = "%Y-%m-%d %H:%M"
NOTES = (
    "每行一项活动；第一行是表头，请勿修改。",
    "活动主题、活动形式、线上/线下：请从下拉列表中选择。",
    "开始时间、结束时间：格式为 2026-12-15 09:00（北京时间），或 Excel 的日期时间。",
    "推荐课程、新闻链接：可填多个，每行一个（单元格内换行）。新闻链接须以 http:// 或 https:// 开头。",
    "容纳人数：可不填。",
    "One activity per row; the first row is the header. Times as 2026-12-15 09:00 (local time).",
)


def _lookup(choices):
    """Accept a key, the Chinese label or the English label, ignoring spaces and quote marks."""
    table = {}
    for key, label, english in choices:
        for text in (key, label, str(english)):
            table[_plain(text)] = key
    return table


def _plain(text):
    return re.sub(r"[\s“”\"]", "", str(text)).lower()


THEME_OF = _lookup(THEMES)
FORM_OF = _lookup(FORMS)
MODE_OF = _lookup([(key, MODE_LABELS[key], key) for key in MODES] + [("hybrid", "线上线下", "both")])


def plan_workbook(activities=(), zone=None):
    """The template, with `activities` as rows (so that a plan round-trips)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET
    for column, (_field, header) in enumerate(COLUMNS, start=1):
        put(ws, 1, column, header, font=BOLD, align=CENTER, box=True)
    for row, activity in enumerate(activities, start=2):
        values = _row_values(activity, zone or activity.campaign.zone)
        for column, (field, _header) in enumerate(COLUMNS, start=1):
            put(ws, row, column, values[field])
    set_widths(ws, [22, 28, 40, 28, 12, 14, 24, 18, 18, 10, 40])
    ws.freeze_panes = "A2"

    choices = workbook.create_sheet(CHOICES_SHEET)
    lists = ([label for _k, label, _e in THEMES], [label for _k, label, _e in FORMS],
             [MODE_LABELS[key] for key in MODES])
    for column, values in enumerate(lists, start=1):
        for row, value in enumerate(values, start=1):
            put(choices, row, column, value)
    for field, letter, values in (("theme", "A", lists[0]), ("form", "B", lists[1]), ("mode", "C", lists[2])):
        validation = DataValidation(type="list", formula1=f"'{CHOICES_SHEET}'!${letter}$1:${letter}${len(values)}",
                                    allow_blank=True)
        target = _column_letter(field)
        validation.add(f"{target}2:{target}{MAX_ROWS + 1}")
        ws.add_data_validation(validation)
    choices.sheet_state = "hidden"

    notes = workbook.create_sheet(NOTES_SHEET)
    for row, note in enumerate(NOTES, start=1):
        put(notes, row, 1, note)
    set_widths(notes, [100])
    return workbook


def _column_letter(field):
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[[f for f, _h in COLUMNS].index(field)]


def _row_values(activity, zone):
    return {
        "theme": dict((k, label) for k, label, _e in THEMES)[activity.theme],
        "name": activity.name,
        "content": activity.content or "",
        "courses": "\n".join(activity.courses or []),
        "form": dict((k, label) for k, label, _e in FORMS)[activity.form],
        "mode": MODE_LABELS[activity.mode],
        "venue": activity.venue or "",
        "starts_at": activity.starts_at.astimezone(zone).strftime(TIME_FORMAT),
        "ends_at": activity.ends_at.astimezone(zone).strftime(TIME_FORMAT),
        "capacity": activity.capacity,
        "news_links": "\n".join(activity.news_links or []),
    }


class ImportProblem(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header, too many rows)."""


def check_size(data):
    """ImportProblem unless the workbook stays within the bounds above once inflated."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportProblem(_("This is not an .xlsx file. Please use the template.")) from None
    if len(parts) > MAX_PARTS:
        raise ImportProblem(_("This file is too large to be an activity plan."))
    inflated = cells = 0
    for part in parts:
        try:
            with archive.open(part) as stream:
                content = stream.read(MAX_UNZIPPED_BYTES - inflated + 1)
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
            raise ImportProblem(_("This is not an .xlsx file. Please use the template.")) from None
        inflated += len(content)
        if inflated > MAX_UNZIPPED_BYTES:
            raise ImportProblem(_("This file is too large to be an activity plan."))
        if part.filename.startswith("xl/worksheets/"):
            cells += len(_CELL.findall(content))
            if cells > MAX_CELLS:
                raise ImportProblem(_("This file is too large to be an activity plan."))


def read_rows(data):
    """[(row number, {field: raw cell value})] of the non-empty rows of the plan."""
    check_size(data)
    try:
        return _read_rows(data)
    except ImportProblem:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise ImportProblem(_("This is not an .xlsx file. Please use the template.")) from None


def _read_rows(data):
    workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        ws = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        field_of = {header_text: field for field, header_text in COLUMNS}
        positions = {}
        for index, cell in enumerate(header):
            field = field_of.get(str(cell).strip()) if cell is not None else None
            if field:
                positions[field] = index
        missing = [HEADER_OF[f] for f in ("theme", "name", "form", "starts_at", "ends_at") if f not in positions]
        if missing:
            raise ImportProblem(_("The first row must be the template's header; missing: %(columns)s.",
                                  columns="、".join(missing)))
        found = []
        deadline = clock.monotonic() + MAX_SECONDS
        for number, values in enumerate(rows, start=2):
            if clock.monotonic() > deadline:
                raise ImportProblem(_("This file is too large to be an activity plan."))
            if number > MAX_SHEET_ROWS:  # also blank rows cost time: a sheet is read only so far
                raise ImportProblem(_("At most %(n)d activities per file.", n=MAX_ROWS))
            cells = {field: (values[i] if i < len(values) else None) for field, i in positions.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            found.append((number, cells))
            if len(found) > MAX_ROWS:
                raise ImportProblem(_("At most %(n)d activities per file.", n=MAX_ROWS))
        return found
    finally:
        workbook.close()


def _text(value):
    """A cell as text; the stored text is then cleaned by the API's rule (validate_activity)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return str(value).strip()


def _when(value, zone, errors, field):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    else:
        text = _text(value).replace("/", "-").replace("T", " ")
        try:
            moment = datetime.fromisoformat(text) if text else None
        except ValueError:
            moment = None
        if moment is None:
            errors[field] = _("Must be a date and time such as 2026-12-15 09:00.")
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def row_data(cells, campaign, org):
    """The API's fields from one row, and the problems found before the service's checks."""
    errors = {}
    data = {"campaign_id": campaign.id, "org_id": org.id}
    for field, table in (("theme", THEME_OF), ("form", FORM_OF), ("mode", MODE_OF)):
        text = _text(cells.get(field))
        if not text:
            data[field] = None if field != "mode" else "offline"
            continue
        data[field] = table.get(_plain(text))
        if data[field] is None:
            errors[field] = _("“%(value)s” is not in the list.", value=text)
    for field in ("name", "content", "venue"):
        data[field] = _text(cells.get(field))
    for field in ("starts_at", "ends_at"):
        value = cells.get(field)
        data[field] = None if value in (None, "") else _when(value, campaign.zone, errors, field)
    capacity = _text(cells.get("capacity"))
    if capacity:
        data["capacity"] = parse_int(capacity, 1, 1_000_000)
        if data["capacity"] is None:
            errors["capacity"] = _("Must be a whole number from %(low)d to %(high)d.", low=1, high=1_000_000)
    data["courses"] = [c for c in re.split(r"[\n；;]", _text(cells.get("courses"))) if c.strip()]
    data["news_links"] = [u for u in re.split(r"\s+", _text(cells.get("news_links"))) if u]
    if not data["name"]:
        data["name"] = None
    return data, errors


def import_rows(rows, campaign, org, user):
    """Create every row's activity, or none: (created activities, [problems by row and column])."""
    problems, created = [], []
    for number, cells in rows:
        data, errors = row_data(cells, campaign, org)
        try:
            service.validate_activity(data)  # every bad field of the row at once
        except ApiError as error:
            for field, message in error.fields.items():
                errors.setdefault(field, message)
        if not errors:
            try:
                with db.session.begin_nested():
                    created.append(service.create_activity(user, data))
            except ApiError as error:
                errors = error.fields or {"name": error.message}
        for field, message in errors.items():
            problems.append({"row": number, "column": HEADER_OF.get(field, field), "message": message})
    if problems:
        db.session.rollback()  # nothing is half-imported
        return [], problems
    return created, []


def page():
    org = current_org()
    campaign = selected_campaign(org)
    form = ImportForm()
    problems, status = [], 200
    if form.validate_on_submit():
        try:
            rows = read_rows(form.file.data.read())
        except ImportProblem as problem:
            form.file.errors = list(form.file.errors) + [str(problem)]
            rows = None
        if rows is not None and not rows:
            form.file.errors = list(form.file.errors) + [_("The file has no activities.")]
        elif rows:
            created, problems = import_rows(rows, campaign, org, current_user)
            if created:
                flash(_("%(n)d activities were imported.", n=len(created)), "info")
                return redirect(url_for("workspace.index", campaign=campaign.id))
    if request.method == "POST":
        status = 400
    return render_template("workspace/import.html", org=org, campaign=campaign, form=form,
                           problems=problems), status


def template():
    org = current_org()
    campaign = selected_campaign(org)
    return download(to_bytes(plan_workbook(zone=campaign.zone)), XLSX, f"活动导入模板-{campaign.title}.xlsx")
