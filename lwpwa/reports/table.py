"""The statistics table (情况统计表) of the Shanxi notice, for a unit or summed over a region.

Layout (API.md): title; 填报单位（公章） and the date; a header row 活动主题 + the nine themes
(one column per activity, merged, or one empty column) + 合计; the six rows 活动内容 … 新闻链接
with plain integers in the two count rows, each count row followed by the two rows that split it
(scanned with a code, counted by a tally: 此表可加行); the contacts and the two notes of the
original below.
"""
import re
from datetime import date
from types import SimpleNamespace

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from ..activities.reference import FORM_LABELS, MODE_LABELS, THEMES
from .counts import FIGURES, ZERO
from .xlsx import (BOLD, CENTER, FONT, TITLE, WRAP, add_value_sheet, fit_row_heights, merge, paged_a4, put,
                   put_rows, set_widths)

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
# The attachment's hint in the 活动内容 cell of the “智慧助老” column (the seed's tab positions put
# it there, not under 开放学习资源): a column without an activity shows it as the blank form does.
HINTS = {"smart_seniors": {"content": "除填写教育培训内容，还可填报推介优质课程名称"}}
# Print layout: at 100 % an A4 landscape page (10.9 in between 0.4 in margins) holds the label
# column and four columns of these widths (合计 counts as one, on the last page), so the text
# prints at 11 pt; the label column and the header row repeat on every page. Four, not five:
# without Calibri (LibreOffice on Linux falls back to a wider font) a width unit is about 9.3 px
# instead of Excel's 7, and (24 + 4 × 20) units must still fit 10.9 in at 96 px an inch.
LABEL_WIDTH, COLUMN_WIDTH = 24, 20
COLUMNS_PER_PAGE = 4
BLANK_DATE = "　　年　　月　　日"  # a draft: the unit writes the day it seals the table
# "2022年山西省全民终身学习活动周" → "山西省 2022 年全民终身学习活动周…" (the attachment's own wording)
YEAR_FIRST = re.compile(r"^(\d{4})年(.+?(?:省|自治区|市))(.+)$")


def chinese_date(day: date | None):
    return f"{day.year}年{day.month}月{day.day}日" if day else BLANK_DATE


def table_title(campaign):
    """The table's title: the campaign's own, else derived as the Shanxi attachment words it."""
    own = (getattr(campaign, "table_title", "") or "").strip()
    if own:
        return own
    match = YEAR_FIRST.match(campaign.title)
    if match:
        year, province, rest = match.groups()
        return f"{province} {year} 年{rest}情况统计表"
    return f"{campaign.title}情况统计表"


def snapshot_title(snapshot):
    """The table's title as a snapshot froze it (snapshots made before tables had titles of
    their own: derived from the campaign's title, as table_title does)."""
    return snapshot.get("table_title") or table_title(SimpleNamespace(title=snapshot.get("campaign_title", "")))


def proposed_table_title(province_name, year):
    """What the form for a new campaign proposes: {province} {year} 年…情况统计表 (an admin,
    whose province is not known yet, gets the rest to complete)."""
    return f"{province_name} {year} 年全民终身学习活动周情况统计表".strip()


def page_bands(count, per_page=COLUMNS_PER_PAGE):
    """[(first, last)] 0-based indexes of the body columns printed on each page."""
    return [(start, min(start + per_page, count) - 1) for start in range(0, max(count, 1), per_page)]


def activity_form_text(activity):
    return f"{FORM_LABELS.get(activity.form, activity.form)}（{MODE_LABELS.get(activity.mode, activity.mode)}）"


def activity_content_text(activity):
    text = activity.content or ""
    if activity.courses:
        text = (text + "\n" if text else "") + "推荐课程：" + "、".join(activity.courses)
    return text


def print_parts(columns):
    """The table cut as the .xlsx pages cut it, for the HTML print views: one part per page,
    [{"number", "count", "first", "last" (body column indexes), "with_total", "headers":
    [{"label", "span"}] (theme headers split at the part's edges)}]."""
    bands = page_bands(len(columns) + 1)
    parts = []
    for number, (first, last) in enumerate(bands, start=1):
        last_body = min(last, len(columns) - 1)
        headers, index = [], 0
        for key, label, _en in THEMES:
            span = sum(1 for c in columns if c.theme == key)
            lo, hi = max(index, first), min(index + span - 1, last_body)
            if lo <= hi:
                headers.append({"label": label, "span": hi - lo + 1})
            index += span
        parts.append({"number": number, "count": len(bands), "first": first, "last": last_body,
                      "with_total": last >= len(columns), "headers": headers,
                      "width": max(last_body - first + 1, 0) + (1 if last >= len(columns) else 0)})
    return parts


class Column:
    """One column of the table body under a theme: {row key of TABLE_ROWS: cell value}."""

    EMPTY = {"content": "", "name": "", "form": "", "news_links": "", **ZERO}

    def __init__(self, theme, values=None):
        self.theme = theme
        self.idle = values is None  # a theme without any activity: one empty column
        self.values = {**self.EMPTY, **(HINTS.get(theme, {}) if self.idle else {}), **(values or {})}

    def display(self, key):
        """What the cell shows: an idle theme's column is empty, no 0 written under it."""
        return "" if self.idle and key in COUNT_KEYS else self.values[key]

    def cells(self):
        """The cell values in the order of TABLE_ROWS."""
        return [self.display(key) for _label, key in TABLE_ROWS]


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
    """Write the table onto a worksheet, laid out to print; returns the 1-based column of 合计.

    One cell of every kind API.md names (title, 填报单位（公章）, date, 活动主题 row, the body
    rows, 合计, contacts, notes); the pages: A4 landscape at 100 %, COLUMNS_PER_PAGE activity
    columns a page with the label column and the header row repeated (print titles), a column
    break between pages, theme headers merged within a page only (a merge across a break prints
    its label on one side only), the 填报单位 line and 第 N 页 共 M 页 on every page, row heights
    stored from the wrapped text (LibreOffice and WPS do not autofit them). `stamp` lines (which
    version the table is, its 校验码) go below the notes."""
    total_column = len(columns) + 2
    bands = page_bands(len(columns) + 1)  # 合计 is the last column of the last page
    first_page_last = bands[0][1] + 2  # the last sheet column of the first page
    # Column A repeats on every page (a print title): the title and the 填报单位 line begin in
    # column B, or every later page would print a cut-off copy of them.
    merge(ws, 1, 2, first_page_last, title, font=TITLE, align=CENTER)
    merge(ws, 2, 2, max(first_page_last - 1, 2), f"填报单位（公章）：{reporter_line}")
    put(ws, 2, max(first_page_last, 3), chinese_date(on_date), align=CENTER)

    put(ws, HEADER_ROW, 1, "活动主题", font=BOLD, align=CENTER, box=True)
    index = 0
    for key, label, _en in THEMES:
        span = sum(1 for c in columns if c.theme == key)
        for first, last in bands:  # split the theme's merge at the page breaks
            lo, hi = max(index, first), min(index + span - 1, last)
            if lo <= hi:
                merge(ws, HEADER_ROW, lo + 2, hi + 2, label, font=BOLD, align=CENTER, box=True)
        index += span
    put(ws, HEADER_ROW, total_column, "合计", font=BOLD, align=CENTER, box=True)

    for offset, (label, key) in enumerate(TABLE_ROWS):
        row = HEADER_ROW + 1 + offset
        is_count = key in COUNT_KEYS
        put(ws, row, 1, label, font=BOLD if label in ROW_LABELS else FONT, box=True)
        for column, col in enumerate(columns, start=2):
            put(ws, row, column, col.display(key), box=True, align=CENTER if is_count else WRAP)
        total = sum(int(col.values[key]) for col in columns) if is_count else ""
        put(ws, row, total_column, total, box=True, align=CENTER)
    last_body_row = HEADER_ROW + len(TABLE_ROWS)

    # Contacts and notes in column A, wrapped inside it (not merged across): column A repeats on
    # every page, so each page carries them whole instead of a cut-off copy of a wide cell.
    row = last_body_row + 2
    lead, reporter, phone = contacts
    for label, value in (("负责人：", lead), ("填报人：", reporter), ("联系电话：", phone)):
        put(ws, row, 1, label + (value or ""))
        row += 1
    row += 1
    for note in NOTES:
        put(ws, row, 1, note)
        row += 1
    for line in stamp:
        put(ws, row, 1, line)
        row += 1

    set_widths(ws, [LABEL_WIDTH] + [COLUMN_WIDTH] * (len(columns) + 1))
    fit_row_heights(ws, 2, row - 1, minimum=20)
    ws.row_dimensions[1].height = 36
    for first, _last in bands[1:]:
        ws.col_breaks.append(Break(id=first + 1))  # a break after the sheet column before it
    paged_a4(ws, header_rows=f"{HEADER_ROW}:{HEADER_ROW}", label_columns="A:A",
             header_text=f"填报单位（公章）：{reporter_line}", footer_left=title)
    ws.print_area = f"A1:{get_column_letter(total_column)}{row - 1}"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    return total_column


def snapshot_columns(snapshot):
    """The table's columns from a snapshot (submissions.freeze): live or a frozen version."""
    activities = [SimpleNamespace(**row) for row in snapshot["activities"]]
    totals = {row["id"]: {key: row.get(key, 0) for key in FIGURES} for row in snapshot["activities"]}
    return unit_columns(activities, totals)


def unit_workbook(title, snapshot, on_date, stamp=()):
    """A unit's table from its snapshot; `title` the table's own (table_title), `stamp` the lines
    that say which version it is (校验码)."""
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


def region_workbook(title, region_name, theme_rows, unit_rows, on_date, stamp=(), versions=False, contacts=None):
    """The region's table summed per theme, and a second sheet with one row per unit; with
    `versions` (the submitted basis) a last column 报送版本 says which version each unit counts."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "情况统计表"
    write_table(ws, title, f"{region_name}（汇总{len(unit_rows)}个单位）", on_date,
                region_columns(theme_rows), contacts or ("", "", ""), stamp)
    by_unit = add_value_sheet(workbook, "按单位")  # 2,000 units × 22 cells in a province
    headers = ["单位", "所在地区", "活动数"] + [label for _k, label, _en in THEMES] + [
        label for label, key in TABLE_ROWS if key in COUNT_KEYS] + (["报送版本"] if versions else [])
    for column, header in enumerate(headers, start=1):
        put(by_unit, 1, column, header, font=BOLD, align=CENTER, box=True)
    totals = [0] * (len(headers) - 2 - versions)
    rows = []
    for unit in unit_rows:
        values = [unit["name"], unit["region_name"], unit["activities"]]
        values += [unit["by_theme"].get(key, 0) for key, _l, _e in THEMES]
        values += [unit[key] for _label, key in TABLE_ROWS if key in COUNT_KEYS]
        totals = [t + v for t, v in zip(totals, values[2:])]
        if versions:
            values.append(version_label(unit.get("submission")))
        rows.append(values)
    put_rows(by_unit, 2, rows, [{"box": True, "align": WRAP}] * 2 + [{"box": True, "align": CENTER}] * (len(headers) - 2))
    last = len(unit_rows) + 2
    put(by_unit, last, 1, "合计", font=BOLD, box=True)
    put(by_unit, last, 2, "", box=True)
    for column, value in enumerate(totals, start=3):
        put(by_unit, last, column, value, font=BOLD, box=True, align=CENTER)
    set_widths(by_unit, [28, 14, 8] + [14] * len(THEMES) + [16, 12, 12, 14, 12, 12] + [16] * versions)
    by_unit.freeze_panes = "B2"
    fit_row_heights(by_unit, 1, last, minimum=20)
    paged_a4(by_unit, header_rows="1:1", label_columns="A:A",
             header_text=f"填报单位（公章）：{region_name}", footer_left=f"{title} · 按单位")
    return workbook
