"""The statistics table (情况统计表) of the Shanxi notice, for a unit or summed over a region.

Layout (API.md): title; 填报单位（公章） and the date; a header row 活动主题 + the nine themes
(one column per activity, merged, or one empty column) + 合计; the six rows 活动内容 … 新闻链接
with plain integers in the two count rows, each count row followed by the two rows that split it
(scanned with a code, counted by a tally: 此表可加行); the contacts and the two notes of the
original below.
"""
from datetime import date
from types import SimpleNamespace

from openpyxl import Workbook

from ..activities.reference import FORM_LABELS, MODE_LABELS, THEMES
from .counts import FIGURES, ZERO
from .xlsx import BOLD, CENTER, FONT, TITLE, WRAP, landscape_a4, merge, put, set_widths

# The notice's six rows.
ROW_LABELS = ("活动内容", "活动名称", "活动形式", "参与（或受益）人数（人次）", "志愿者人数（人次）", "新闻链接")
SCANNED_LABEL, TALLIED_LABEL = "其中：扫码签到（人次）", "其中：现场计数（人次）"
# Every body row of the table in sheet order: (first cell, the key of its values). Each count row
# is followed by its two parts, so that nobody mistakes a tally for verified attendance.
TABLE_ROWS = (
    ("活动内容", "content"), ("活动名称", "name"), ("活动形式", "form"),
    ("参与（或受益）人数（人次）", "attendance"),
    (SCANNED_LABEL, "attendance_scanned"), (TALLIED_LABEL, "attendance_tallied"),
    ("志愿者人数（人次）", "volunteers"),
    (SCANNED_LABEL, "volunteers_scanned"), (TALLIED_LABEL, "volunteers_tallied"),
    ("新闻链接", "news_links"),
)
COUNT_KEYS = frozenset(FIGURES)  # rows of plain integers with a 合计
NOTES = (
    "注：1. “活动形式”是指：讲座、培训、观摩、座谈、体验等线上线下互动的多种活动方式。",
    "2. 为尽可能详细填写活动形式和活动内容，此表可加列、加行。",
)
HEADER_ROW = 3


def chinese_date(day: date):
    return f"{day.year}年{day.month}月{day.day}日"


def activity_form_text(activity):
    return f"{FORM_LABELS.get(activity.form, activity.form)}（{MODE_LABELS.get(activity.mode, activity.mode)}）"


def activity_content_text(activity):
    text = activity.content or ""
    if activity.courses:
        text = (text + "\n" if text else "") + "推荐课程：" + "、".join(activity.courses)
    return text


class Column:
    """One column of the table body under a theme: {row key of TABLE_ROWS: cell value}."""

    EMPTY = {"content": "", "name": "", "form": "", "news_links": "", **ZERO}

    def __init__(self, theme, values=None):
        self.theme = theme
        self.values = {**self.EMPTY, **(values or {})}

    def cells(self):
        """The cell values in the order of TABLE_ROWS."""
        return [self.values[key] for _label, key in TABLE_ROWS]


def unit_columns(activities, totals):
    """One column per activity, grouped by theme in table order; an empty column per idle theme."""
    columns = []
    for key, _label, _en in THEMES:
        mine = [a for a in activities if a.theme == key]
        if not mine:
            columns.append(Column(key))
        for activity in mine:
            counts = totals.get(activity.id, ZERO)
            columns.append(Column(key, {
                "content": activity_content_text(activity),
                "name": activity.name,
                "form": activity_form_text(activity),
                **{figure: counts.get(figure, 0) for figure in FIGURES},
                "news_links": "\n".join(activity.news_links or []),
            }))
    return columns


def write_table(ws, title, reporter_line, on_date, columns, contacts, stamp=()):
    """Write the table onto a worksheet; returns the 1-based column of 合计. `stamp` lines
    (which version, its 校验码) go below the notes."""
    total_column = len(columns) + 2
    merge(ws, 1, 1, total_column, f"{title}情况统计表", font=TITLE, align=CENTER)
    ws.row_dimensions[1].height = 36
    merge(ws, 2, 1, max(total_column - 2, 1), f"填报单位（公章）：{reporter_line}")
    put(ws, 2, total_column, chinese_date(on_date), align=CENTER)

    put(ws, HEADER_ROW, 1, "活动主题", font=BOLD, align=CENTER, box=True)
    column = 2
    for key, label, _en in THEMES:
        span = sum(1 for c in columns if c.theme == key)
        merge(ws, HEADER_ROW, column, column + span - 1, label, font=BOLD, align=CENTER, box=True)
        column += span
    put(ws, HEADER_ROW, total_column, "合计", font=BOLD, align=CENTER, box=True)

    for offset, (label, key) in enumerate(TABLE_ROWS):
        row = HEADER_ROW + 1 + offset
        is_count = key in COUNT_KEYS
        put(ws, row, 1, label, font=BOLD if label in ROW_LABELS else FONT, box=True)
        for index, col in enumerate(columns, start=2):
            put(ws, row, index, col.values[key], box=True, align=CENTER if is_count else WRAP)
        total = sum(int(col.values[key]) for col in columns) if is_count else ""
        put(ws, row, total_column, total, box=True, align=CENTER)

    row = HEADER_ROW + len(TABLE_ROWS) + 2
    lead, reporter, phone = contacts
    for label, value in (("负责人：", lead), ("填报人：", reporter), ("联系电话：", phone)):
        merge(ws, row, 1, total_column, label + (value or ""))
        row += 1
    row += 1
    for note in NOTES:
        merge(ws, row, 1, total_column, note)
        row += 1
    for line in stamp:
        merge(ws, row, 1, total_column, line)
        row += 1

    set_widths(ws, [16] + [22] * len(columns) + [12])
    landscape_a4(ws)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    return total_column


def snapshot_columns(snapshot):
    """The table's columns from a snapshot (submissions.freeze): live or a frozen version."""
    activities = [SimpleNamespace(**row) for row in snapshot["activities"]]
    totals = {row["id"]: {key: row.get(key, 0) for key in FIGURES} for row in snapshot["activities"]}
    return unit_columns(activities, totals)


def unit_workbook(title, snapshot, on_date, stamp=()):
    """A unit's table from its snapshot; `stamp`: the lines that say which version it is (校验码)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "情况统计表"
    org = snapshot["org"]
    write_table(ws, title, org["name"], on_date, snapshot_columns(snapshot),
                (org.get("lead_name"), org.get("reporter_name"), org.get("phone")), stamp)
    return workbook


def region_columns(theme_rows):
    """One column per theme, summed: theme_rows[key] = dict(activities, units, attendance,
    volunteers, forms={form: n}, names=[...], links=n)."""
    columns = []
    for key, _label, _en in THEMES:
        row = theme_rows.get(key)
        if not row or not row["activities"]:
            columns.append(Column(key))
            continue
        names = "、".join(row["names"][:20]) + (f"等{row['activities']}项" if row["activities"] > 20 else "")
        forms = "、".join(f"{FORM_LABELS.get(form, form)}{n}项" for form, n in sorted(row["forms"].items()))
        columns.append(Column(key, {
            "content": f"{row['units']}个单位开展{row['activities']}项活动",
            "name": names,
            "form": forms,
            **{figure: row[figure] for figure in FIGURES},
            "news_links": f"{row['links']}条" if row["links"] else "",
        }))
    return columns


STATUS_LABELS = {"submitted": "已报送", "accepted": "已通过", "returned": "已退回"}


def version_label(submission):
    """第2版（已通过）, or 未报送 for a unit without a version."""
    if not submission:
        return "未报送"
    return f"第{submission['version']}版（{STATUS_LABELS.get(submission['status'], submission['status'])}）"


def region_workbook(title, region_name, theme_rows, unit_rows, on_date, stamp=(), versions=False):
    """The region's table summed per theme, and a second sheet with one row per unit; with
    `versions` (the submitted basis) a last column 报送版本 says which version each unit counts."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "情况统计表"
    write_table(ws, title, f"{region_name}（汇总{len(unit_rows)}个单位）", on_date,
                region_columns(theme_rows), ("", "", ""), stamp)
    by_unit = workbook.create_sheet("按单位")
    headers = ["单位", "所在地区", "活动数"] + [label for _k, label, _en in THEMES] + [
        label for label, key in TABLE_ROWS if key in COUNT_KEYS] + (["报送版本"] if versions else [])
    for column, header in enumerate(headers, start=1):
        put(by_unit, 1, column, header, font=BOLD, align=CENTER, box=True)
    totals = [0] * (len(headers) - 2 - versions)
    for row_index, unit in enumerate(unit_rows, start=2):
        values = [unit["name"], unit["region_name"], unit["activities"]]
        values += [unit["by_theme"].get(key, 0) for key, _l, _e in THEMES]
        values += [unit[key] for _label, key in TABLE_ROWS if key in COUNT_KEYS]
        totals = [t + v for t, v in zip(totals, values[2:])]
        if versions:
            values.append(version_label(unit.get("submission")))
        for column, value in enumerate(values, start=1):
            put(by_unit, row_index, column, value, box=True, align=CENTER if column > 2 else WRAP)
    last = len(unit_rows) + 2
    put(by_unit, last, 1, "合计", font=BOLD, box=True)
    put(by_unit, last, 2, "", box=True)
    for column, value in enumerate(totals, start=3):
        put(by_unit, last, column, value, font=BOLD, box=True, align=CENTER)
    set_widths(by_unit, [28, 14, 8] + [14] * len(THEMES) + [16, 12, 12, 14, 12, 12] + [16] * versions)
    by_unit.freeze_panes = "B2"
    landscape_a4(by_unit)
    return workbook
