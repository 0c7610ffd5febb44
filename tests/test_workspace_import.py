"""Importing activities from an .xlsx plan: the template, row-and-column errors, all or nothing."""
import re
from datetime import date, datetime
from io import BytesIO

import pytest
from conftest import ZONE
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from test_workspace_support import csrf_token, lead, other  # noqa: F401 (fixtures)

from lwpwa.activities.models import Activity
from lwpwa.extensions import db
from lwpwa.reports.xlsx import to_bytes
from lwpwa.workspace.importer import COLUMNS, plan_workbook, read_rows

HEADERS = [header for _field, header in COLUMNS]


@pytest.fixture(autouse=True)
def week_of_the_plan(unit):
    """The plans below are dated in December 2026: an activity must lie within its week."""
    unit.campaign.starts_on = min(unit.campaign.starts_on, date(2026, 12, 1))
    unit.campaign.ends_on = max(unit.campaign.ends_on, date(2026, 12, 31))
    unit.campaign.report_due_on = max(unit.campaign.report_due_on, date(2027, 1, 5))
    db.session.commit()


def upload(client, data, campaign=None):
    path = "/unit/import" + (f"?campaign={campaign.id}" if campaign else "")
    return client.post(path, data={"csrf_token": csrf_token(client, path),
                                   "file": (BytesIO(data), "plan.xlsx")},
                       content_type="multipart/form-data")


def plan(*rows):
    workbook = load_workbook(BytesIO(to_bytes(plan_workbook())))
    ws = workbook["活动"]
    for row in rows:
        ws.append(row)
    return to_bytes(workbook)


def row(name="智能手机课堂", theme="“智慧助老”", form="培训", mode="线下", starts="2026-12-15 09:00",
        ends="2026-12-15 11:00", **extra):
    values = {"活动主题": theme, "活动名称": name, "活动内容": "教老人用手机", "推荐课程": "",
              "活动形式": form, "线上/线下": mode, "活动地点": "老年大学", "开始时间": starts,
              "结束时间": ends, "容纳人数": None, "新闻链接": ""}
    values.update(extra)
    return [values[h] for h in HEADERS]


def unit_activity_count(unit):
    return db.session.scalar(select(func.count()).select_from(Activity).where(Activity.org_id == unit.org.id))


def test_the_template_has_the_header_and_drop_down_lists(lead, unit):
    response = lead.get("/unit/import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.data))
    ws = workbook["活动"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 1
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(lists) == {"A2:A501", "E2:E501", "F2:F501"}
    assert workbook["选项"].sheet_state == "hidden"
    assert [c.value for c in workbook["选项"]["A"]][0] == "终身学习"


def test_a_filled_template_imports_every_row(lead, unit):
    data = plan(row(), row(name="读书会", theme="全民阅读", form="读书沙龙", mode="线上",
                           推荐课程="红楼梦导读\n论语选读", 新闻链接="https://example.org/1 https://example.org/2",
                           容纳人数=30),
                row(name="Excel 日期", starts=datetime(2026, 12, 16, 14, 30), ends=datetime(2026, 12, 16, 16, 0)))
    before = unit_activity_count(unit)
    response = upload(lead, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert unit_activity_count(unit) == before + 3
    reading = db.session.scalar(select(Activity).where(Activity.name == "读书会"))
    assert (reading.theme, reading.form, reading.mode, reading.capacity) == ("reading", "reading_salon", "online", 30)
    assert reading.courses == ["红楼梦导读", "论语选读"]
    assert reading.news_links == ["https://example.org/1", "https://example.org/2"]
    assert reading.starts_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") == "2026-12-15 09:00"
    excel = db.session.scalar(select(Activity).where(Activity.name == "Excel 日期"))
    assert excel.starts_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") == "2026-12-16 14:30"
    assert reading.campaign_id == unit.campaign.id and reading.created_by_id == unit.lead.id


def test_the_template_round_trips(lead, make, unit):
    unit.activity.courses = ["课程甲", "课程乙"]
    unit.activity.news_links = ["https://example.org/x"]
    unit.activity.capacity = 25
    unit.activity.content = "=1+1 不是公式"
    db.session.commit()
    data = to_bytes(plan_workbook([unit.activity]))
    rows = read_rows(data)
    assert len(rows) == 1
    db.session.delete(unit.activity)
    db.session.commit()
    response = upload(lead, data)
    assert response.status_code == 302
    (copy,) = db.session.scalars(select(Activity).where(Activity.org_id == unit.org.id)).all()
    fields = ("theme", "name", "content", "form", "mode", "venue", "starts_at", "ends_at", "news_links",
              "courses", "capacity")
    original = {"theme": "smart_seniors", "name": unit.activity.name, "content": "=1+1 不是公式",
                "form": "lecture", "mode": "offline", "venue": "社区活动室",
                "starts_at": unit.activity.starts_at, "ends_at": unit.activity.ends_at,
                "news_links": ["https://example.org/x"], "courses": ["课程甲", "课程乙"], "capacity": 25}
    assert {f: getattr(copy, f) for f in fields} == original
    sheet = load_workbook(BytesIO(data))["活动"]
    assert sheet["C2"].data_type == "s"  # the content is text, never a formula


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_imported(lead, unit):
    data = plan(row(),
                row(theme="天文", name=""),
                row(starts="明天上午", ends="2026-12-15 08:00", 新闻链接="www.example.org"),
                row(name="倒着", starts="2026-12-15 11:00", ends="2026-12-15 09:00", 容纳人数="很多"),
                [None] * len(HEADERS),  # an empty row is skipped
                row(name="好的最后一行"))
    before = unit_activity_count(unit)
    response = upload(lead, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    problems = re.findall(r'<tr class="problem" data-row="(\d+)"><td>\d+</td><td>([^<]+)</td>', html)
    assert ("3", "活动主题") in problems and ("3", "活动名称") in problems
    assert ("4", "开始时间") in problems and ("4", "新闻链接") in problems
    assert ("5", "容纳人数") in problems
    assert not any(r in ("2", "7") for r, _c in problems)
    assert unit_activity_count(unit) == before
    assert db.session.scalar(select(Activity).where(Activity.name == "好的最后一行")) is None


def test_an_end_before_the_start_is_reported_on_its_row(lead, unit):
    response = upload(lead, plan(row(), row(name="倒着", starts="2026-12-15 11:00", ends="2026-12-15 09:00")))
    assert response.status_code == 400
    assert '<tr class="problem" data-row="3"><td>3</td><td>结束时间</td>' in response.get_data(as_text=True)
    assert db.session.scalar(select(Activity).where(Activity.name == "智能手机课堂")) is None


def test_files_that_are_not_plans(lead, unit):
    assert "不是 .xlsx 文件" in upload(lead, b"PK not really a zip").get_data(as_text=True)
    other_sheet = Workbook()
    other_sheet.active.append(["随便", "一个", "表"])
    response = upload(lead, to_bytes(other_sheet))
    assert response.status_code == 400 and "缺少" in response.get_data(as_text=True)
    assert "文件中没有活动" in upload(lead, plan()).get_data(as_text=True)
    response = lead.post("/unit/import", data={"file": (BytesIO(plan(row())), "plan.xlsx")},
                         content_type="multipart/form-data")
    assert response.status_code == 400  # no CSRF token
    assert db.session.scalar(select(Activity).where(Activity.name == "智能手机课堂")) is None


def test_import_goes_only_into_the_own_unit_and_its_campaigns(lead, make, unit, other):
    shandong = make.campaign(region_code="370000")
    assert lead.get(f"/unit/import?campaign={shandong.id}").status_code == 404
    assert lead.get(f"/unit/import/template.xlsx?campaign={shandong.id}").status_code == 404
    assert upload(lead, plan(row(name="跨单位")), campaign=unit.campaign).status_code == 302
    created = db.session.scalar(select(Activity).where(Activity.name == "跨单位"))
    assert created.org_id == unit.org.id


def test_a_sheet_with_too_many_rows_is_refused_whole(lead, unit):
    rows = [row(name=f"活动{n}") for n in range(501)]
    response = upload(lead, plan(*rows))
    assert response.status_code == 400 and "每个文件最多 500 项活动" in response.get_data(as_text=True)
    workbook = load_workbook(BytesIO(plan(row())))
    workbook["活动"].cell(row=6000, column=2, value="很远的一行")
    response = upload(lead, to_bytes(workbook))
    assert response.status_code == 400 and "每个文件最多 500 项活动" in response.get_data(as_text=True)
    assert unit_activity_count(unit) == 1
