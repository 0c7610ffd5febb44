"""The statistics table (.xlsx) read back cell by cell, and the bureaus' counts API."""
import csv
import io
from datetime import timedelta

import pytest
from conftest import checkin, sync_body
from openpyxl import load_workbook

from lwpwa.activities.reference import THEMES

THEME_LABELS = [label for _key, label, _en in THEMES]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCANNED, TALLIED = "其中：扫码签到（人次）", "其中：现场计数（人次）"
# Column A under 活动主题: the notice's six rows, each count row followed by its two parts.
ROWS = ["活动内容", "活动名称", "活动形式", "参与（或受益）人数（人次）", SCANNED, TALLIED,
        "志愿者人数（人次）", SCANNED, TALLIED, "新闻链接"]
# The stats API's figure of each count row, offset from the header row.
FIGURE_ROWS = {4: "attendance", 5: "attendance_scanned", 6: "attendance_tallied",
               7: "volunteers", 8: "volunteers_scanned", 9: "volunteers_tallied"}


def scan(client, headers, activity, codes=(), tally=0, volunteers=()):
    items = [checkin(activity.id, code=c) for c in codes]
    items += [checkin(activity.id, code=c, kind="volunteer") for c in volunteers]
    if tally:
        items.append(checkin(activity.id, headcount=tally))
    response = client.post("/api/v1/sync", json=sync_body(items), headers=headers)
    assert response.status_code == 200


@pytest.fixture
def filled(client, make, unit):
    """Unit with three activities in two themes, scanned, and an idle theme everywhere else."""
    people = [make.resident()[1] for _ in range(6)]
    reading = make.activity(unit.org, unit.campaign, theme="reading", name="=1+1 读书会", form="reading_salon",
                            content="@好书推荐", news_links=["https://example.org/a", "https://example.org/b"])
    open_res = make.activity(unit.org, unit.campaign, theme="open_resources", name="开放课程",
                             content="推介课程", courses=["手机摄影入门", "家庭理财"])
    scan(client, unit.headers, unit.activity, people[:4], tally=2, volunteers=people[4:5])
    scan(client, unit.headers, reading, people[1:3], volunteers=people[4:6])
    unit.reading, unit.open_res = reading, open_res
    return unit


def stats_of(client, headers, activity):
    return client.get(f"/api/v1/activities/{activity.id}/stats", headers=headers).get_json()


def get_xlsx(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data))


def find_row(ws, first_cell):
    return next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value == first_cell)


def test_the_unit_table_matches_the_stats_api_cell_by_cell(client, filled):
    unit = filled
    wb = get_xlsx(client, f"/api/v1/orgs/{unit.org.id}/report.xlsx?campaign_id={unit.campaign.id}", unit.lead_headers)
    ws = wb.worksheets[0]
    assert any(isinstance(c.value, str) and c.value == f"{unit.campaign.title}情况统计表" for c in ws[1])
    assert any(isinstance(c.value, str) and c.value.startswith("填报单位（公章）") and unit.org.name in c.value
               for row in ws.iter_rows(max_row=3) for c in row)
    header = find_row(ws, "活动主题")
    assert [ws.cell(header + n, 1).value for n in range(1, len(ROWS) + 1)] == ROWS

    # Header: the nine labels in order, each merged over its activities' columns, then 合计.
    merged = {r.min_col: r.max_col for r in ws.merged_cells.ranges if r.min_row == r.max_row == header}
    column, spans = 2, {}
    for label in THEME_LABELS:
        assert ws.cell(header, column).value == label
        spans[label] = merged.get(column, column) - column + 1
        column += spans[label]
    assert ws.cell(header, column).value == "合计"
    total_column = column
    assert spans["“智慧助老”"] == 1 and spans["全民阅读"] == 1 and spans["开放学习资源"] == 1
    assert spans["终身学习"] == 1 and ws.cell(header + 2, 2).value in (None, "")  # idle theme: empty column

    # Each activity's counts equal the stats API, as plain integers; 合计 is their sum.
    attendance_row, volunteers_row = header + 4, header + 7
    by_name = {ws.cell(header + 2, c).value: c for c in range(2, total_column)}
    for activity in (unit.activity, unit.reading, unit.open_res):
        figures = stats_of(client, unit.headers, activity)
        col = by_name[activity.name]
        assert ws.cell(attendance_row, col).value == figures["attendance"]
        assert ws.cell(attendance_row + 1, col).value == figures["scanned"]
        assert ws.cell(attendance_row + 2, col).value == figures["headcount"]
        assert ws.cell(volunteers_row, col).value == figures["volunteers"]
        for row in range(attendance_row, volunteers_row + 3):
            assert ws.cell(row, col).data_type == "n"
    # The walk-in tally of 2 is apart from the 6 scanned; volunteers were all scanned.
    assert [ws.cell(header + n, total_column).value for n in FIGURE_ROWS] == [8, 6, 2, 3, 3, 0]
    assert ws.cell(attendance_row, total_column).value == 6 + 2 == sum(
        v for v in (ws.cell(attendance_row, c).value for c in range(2, total_column)) if isinstance(v, int))
    assert ws.cell(volunteers_row, total_column).value == 1 + 2
    assert ws.cell(attendance_row, total_column).data_type == "n"

    # Text rows: content then recommended courses; form and mode; news links; formulas neutralised.
    reading_col, open_col = by_name["=1+1 读书会"], by_name["开放课程"]
    assert ws.cell(header + 2, reading_col).data_type == "s"
    assert ws.cell(header + 1, reading_col).value == "@好书推荐"
    assert ws.cell(header + 1, open_col).value == "推介课程\n推荐课程：手机摄影入门、家庭理财"
    assert ws.cell(header + 3, reading_col).value == "读书沙龙（线下）"
    assert ws.cell(header + 10, reading_col).value == "https://example.org/a\nhttps://example.org/b"

    # Below: contacts and the notes of the original.
    texts = [ws.cell(r, 1).value or "" for r in range(header + 11, ws.max_row + 1)]
    assert "负责人：李明" in texts and "填报人：王芳" in texts and "联系电话：0351-1234567" in texts
    assert any(t.startswith("注：1. “活动形式”是指") for t in texts)
    assert any("此表可加列、加行" in t for t in texts)


def test_no_formula_anywhere_in_the_file(client, filled):
    response = client.get(f"/api/v1/orgs/{filled.org.id}/report.xlsx?campaign_id={filled.campaign.id}",
                          headers=filled.lead_headers)
    import zipfile
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_cancelled_activities_and_other_campaigns_are_not_in_the_table(client, filled, make):
    client.patch(f"/api/v1/activities/{filled.open_res.id}", json={"is_cancelled": True}, headers=filled.lead_headers)
    other_campaign = make.campaign()
    make.activity(filled.org, other_campaign, name="别的活动周")
    wb = get_xlsx(client, f"/api/v1/orgs/{filled.org.id}/report.xlsx?campaign_id={filled.campaign.id}", filled.lead_headers)
    names = {c.value for c in wb.worksheets[0][find_row(wb.worksheets[0], "活动名称")]}
    assert "开放课程" not in names and "别的活动周" not in names and "=1+1 读书会" in names


def test_who_may_download_a_units_table(client, filled, make):
    url = f"/api/v1/orgs/{filled.org.id}/report.xlsx?campaign_id={filled.campaign.id}"
    other_lead = make.user("site_lead", org=make.org(name="别的单位"))
    assert client.get(url, headers=make.auth(other_lead)).status_code == 404
    assert client.get(url, headers=filled.headers).status_code == 403  # a volunteer
    assert client.get(url, headers=make.auth(make.user("bureau", region_code="140200"))).status_code == 404
    assert client.get(url, headers=make.auth(make.user("bureau", region_code="140100"))).status_code == 200
    assert client.get(f"/api/v1/orgs/{filled.org.id}/report.xlsx", headers=filled.lead_headers).status_code == 400
    assert client.get(f"/api/v1/orgs/{filled.org.id}/report.xlsx?campaign_id=987654",
                      headers=filled.lead_headers).status_code == 404


@pytest.fixture
def province(client, make):
    """Two units in Taiyuan, one in Datong, one in Jinan, with check-ins."""
    campaign = make.campaign()
    units = {}
    for key, code in (("xiaodian", "140105"), ("library", "140100"), ("datong", "140213"), ("jinan", "370102")):
        org = make.org(region_code=code, name=f"单位-{key}")
        volunteer = make.user("volunteer", org=org)
        activities = [make.activity(org, campaign, theme="smart_seniors"), make.activity(org, campaign, theme="reading")]
        people = [make.resident()[1] for _ in range(3)]
        headers = make.auth(volunteer)
        scan(client, headers, activities[0], people, tally=1, volunteers=people[:1])
        scan(client, headers, activities[1], people[:2])
        units[key] = (org, activities)
    return campaign, units


def test_the_region_table_is_the_sum_of_its_units_tables(client, make, province):
    campaign, units = province
    bureau = make.auth(make.user("bureau", region_code="140000"))
    region = get_xlsx(client, f"/api/v1/regions/140000/report.xlsx?campaign_id={campaign.id}", bureau)
    ws = region.worksheets[0]
    header = find_row(ws, "活动主题")
    total_column = next(c for c in range(2, ws.max_column + 1) if ws.cell(header, c).value == "合计")
    unit_totals = [0, 0]
    for key in ("xiaodian", "library", "datong"):
        org = units[key][0]
        unit_ws = get_xlsx(client, f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}", bureau).worksheets[0]
        unit_header = find_row(unit_ws, "活动主题")
        unit_total = next(c for c in range(2, unit_ws.max_column + 1) if unit_ws.cell(unit_header, c).value == "合计")
        unit_totals[0] += unit_ws.cell(unit_header + 4, unit_total).value
        unit_totals[1] += unit_ws.cell(unit_header + 7, unit_total).value
    assert [ws.cell(header + 4, total_column).value, ws.cell(header + 7, total_column).value] == unit_totals == [18, 3]
    assert [ws.cell(header, c).value for c in range(2, total_column)] == THEME_LABELS
    by_unit = region.worksheets[1]
    names = [by_unit.cell(r, 1).value for r in range(2, by_unit.max_row + 1)]
    assert names == ["单位-library", "单位-xiaodian", "单位-datong", "合计"]
    assert by_unit.cell(by_unit.max_row, by_unit.max_column - 5).value == 18


def test_the_counts_api_by_org_theme_city_and_day(client, make, province):
    campaign, units = province
    headers = make.auth(make.user("bureau", region_code="140000"))
    url = f"/api/v1/stats?campaign_id={campaign.id}&region=140000"
    body = client.get(url + "&group_by=city", headers=headers).get_json()
    assert body["totals"] == {"activities": 6, "attendance": 18, "volunteers": 3,
                              "attendance_scanned": 15, "attendance_tallied": 3,
                              "volunteers_scanned": 3, "volunteers_tallied": 0}
    assert body["region_code"] == "140000" and body["campaign_id"] == campaign.id and "generated_at" in body
    cities = {row["key"]: row for row in body["rows"]}
    assert len(cities) == 11
    assert cities["140100"] == {"key": "140100", "label": "太原市", "activities": 4, "attendance": 12, "volunteers": 2,
                                "attendance_scanned": 10, "attendance_tallied": 2,
                                "volunteers_scanned": 2, "volunteers_tallied": 0}
    assert cities["140200"]["attendance"] == 6 and cities["140300"]["activities"] == 0
    themes = client.get(url + "&group_by=theme", headers=headers).get_json()["rows"]
    assert [row["key"] for row in themes][:6] == ["lifelong_learning", "open_resources", "resource_sharing",
                                                  "reading", "stars_and_brands", "smart_seniors"]
    by_theme = {row["key"]: row for row in themes}
    assert by_theme["smart_seniors"]["attendance"] == 12 and by_theme["reading"]["attendance"] == 6
    orgs = client.get(url + "&group_by=org", headers=headers).get_json()["rows"]
    assert {row["key"] for row in orgs} == {str(units[k][0].id) for k in ("xiaodian", "library", "datong")}
    days = client.get(url + "&group_by=day", headers=headers).get_json()["rows"]
    assert sum(row["attendance"] for row in days) == 18 and all(len(row["key"]) == 10 for row in days)


def test_region_scoping_both_ways(client, make, province):
    campaign, _units = province
    taiyuan = make.auth(make.user("bureau", region_code="140100"))
    url = f"/api/v1/stats?campaign_id={campaign.id}&group_by=org"
    assert client.get(url + "&region=140200", headers=taiyuan).status_code == 404
    assert client.get(url + "&region=140000", headers=taiyuan).status_code == 404
    own = client.get(url, headers=taiyuan).get_json()
    assert own["region_code"] == "140100" and own["totals"]["attendance"] == 12
    shanxi = make.auth(make.user("bureau", region_code="140000"))
    assert client.get(url + "&region=370000", headers=shanxi).status_code == 404
    assert client.get(url + "&region=140200", headers=shanxi).get_json()["totals"]["attendance"] == 6
    assert client.get(f"/api/v1/regions/370000/report.xlsx?campaign_id={campaign.id}", headers=shanxi).status_code == 404
    lead = make.auth(make.user("site_lead", org=_units["xiaodian"][0]))
    assert client.get(url, headers=lead).status_code == 403


def test_etag_and_304_until_the_counts_change(client, make, province):
    campaign, units = province
    headers = make.auth(make.user("bureau", region_code="140100"))
    url = f"/api/v1/stats?campaign_id={campaign.id}&group_by=theme"
    first = client.get(url, headers=headers)
    tag = first.headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    org, activities = units["xiaodian"]
    scan(client, make.auth(make.user("volunteer", org=org)), activities[0], tally=5)
    changed = client.get(url, headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_csv_with_bom_opens_with_chinese_intact(client, make, province):
    campaign, _units = province
    headers = make.auth(make.user("bureau", region_code="140000"))
    response = client.get(f"/api/v1/stats?campaign_id={campaign.id}&group_by=city&format=csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == {"key": "140100", "label": "太原市", "activities": "4", "attendance": "12", "volunteers": "2",
                       "attendance_scanned": "10", "attendance_tallied": "2",
                       "volunteers_scanned": "2", "volunteers_tallied": "0"}
    assert list(rows[0])[:5] == ["key", "label", "activities", "attendance", "volunteers"]  # as before


def test_bad_queries_are_400(client, make, province):
    campaign, _units = province
    headers = make.auth(make.user("bureau", region_code="140000"))
    for query, field in ((f"campaign_id={campaign.id}&group_by=week", "group_by"), ("group_by=org", "campaign_id"),
                         (f"campaign_id={campaign.id}&format=xml", "format"), ("campaign_id=abc", "campaign_id")):
        response = client.get(f"/api/v1/stats?{query}", headers=headers)
        assert response.status_code == 400 and field in response.get_json()["error"]["fields"]
    # An admin's own region is the whole country: without `region`, its counts.
    admin = make.auth(make.user("admin"))
    response = client.get(f"/api/v1/stats?campaign_id={campaign.id}", headers=admin)
    assert response.status_code == 200 and response.get_json()["region_code"] == "000000"


def test_two_days_of_one_activity_count_twice_in_the_table(client, make):
    campaign = make.campaign()
    org = make.org()
    volunteer = make.user("volunteer", org=org)
    activity = make.activity(org, campaign, hours=30)
    _r, code = make.resident()
    start = activity.starts_at
    items = [checkin(activity.id, code=code, scanned_at=start + timedelta(hours=1)),
             checkin(activity.id, code=code, scanned_at=start + timedelta(hours=25))]
    client.post("/api/v1/sync", json=sync_body(items), headers=make.auth(volunteer))
    lead = make.auth(make.user("site_lead", org=org))
    ws = get_xlsx(client, f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}", lead).worksheets[0]
    header = find_row(ws, "活动主题")
    assert ws.cell(header + 4, ws.max_column).value == 2


def test_units_of_the_province_itself_have_a_row_of_their_own_by_city(client, make, province):
    campaign, _units = province
    open_university = make.org(region_code="140000", name="山西开放大学")
    activity = make.activity(open_university, campaign)
    scan(client, make.auth(make.user("volunteer", org=open_university)), activity, tally=7)
    headers = make.auth(make.user("bureau", region_code="140000"))
    body = client.get(f"/api/v1/stats?campaign_id={campaign.id}&group_by=city", headers=headers).get_json()
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["140000"]["label"] == "山西省（省直）" and rows["140000"]["attendance"] == 7
    assert body["totals"]["attendance"] == 18 + 7 == sum(row["attendance"] for row in body["rows"])
    assert body["totals"]["activities"] == 7


def test_the_split_rows_equal_the_stats_api_cell_by_cell(client, make, province):
    """The region table per theme and its 按单位 sheet per unit, every count row and its parts,
    equal the counts API's rows grouped by theme and by unit; 合计 equals its totals."""
    campaign, units = province
    org, activities = units["xiaodian"]
    scan(client, make.auth(make.user("volunteer", org=org)), activities[1], tally=4)
    lead = make.auth(make.user("site_lead", org=org))
    client.post("/api/v1/sync", json=sync_body([checkin(activities[1].id, headcount=2, kind="volunteer")]),
                headers=lead)
    bureau = make.auth(make.user("bureau", region_code="140000"))
    query = f"campaign_id={campaign.id}&region=140000"
    by_theme = {row["key"]: row for row in
                client.get(f"/api/v1/stats?{query}&group_by=theme", headers=bureau).get_json()["rows"]}
    body = client.get(f"/api/v1/stats?{query}&group_by=org", headers=bureau).get_json()
    assert body["totals"]["volunteers_tallied"] == 2 and body["totals"]["attendance_tallied"] == 7
    for row in [*by_theme.values(), *body["rows"], body["totals"]]:
        assert row["attendance"] == row["attendance_scanned"] + row["attendance_tallied"]
        assert row["volunteers"] == row["volunteers_scanned"] + row["volunteers_tallied"]

    workbook = get_xlsx(client, f"/api/v1/regions/140000/report.xlsx?{query}", bureau)
    ws = workbook.worksheets[0]
    header = find_row(ws, "活动主题")
    assert [ws.cell(header + n, 1).value for n in range(1, len(ROWS) + 1)] == ROWS
    total_column = ws.max_column
    for column, (key, _label, _en) in enumerate(THEMES, start=2):
        for offset, figure in FIGURE_ROWS.items():
            # A theme without any activity: an empty column, no 0 written under it (issue 14).
            expected = by_theme[key][figure] if by_theme[key]["activities"] else None
            assert ws.cell(header + offset, column).value == expected, (key, figure)
    for offset, figure in FIGURE_ROWS.items():
        assert ws.cell(header + offset, total_column).value == body["totals"][figure]

    sheet = workbook.worksheets[1]
    columns = [sheet.cell(1, c).value for c in range(1, sheet.max_column + 1)]
    assert columns[-6:] == ["参与（或受益）人数（人次）", SCANNED, TALLIED, "志愿者人数（人次）", SCANNED, TALLIED]
    figures = list(FIGURE_ROWS.values())
    by_name = {row["label"]: row for row in body["rows"]}
    for r in range(2, sheet.max_row):
        api_row = by_name[sheet.cell(r, 1).value]
        assert [sheet.cell(r, c).value for c in range(len(columns) - 5, len(columns) + 1)] == [
            api_row[f] for f in figures]
    assert [sheet.cell(sheet.max_row, c).value for c in range(len(columns) - 5, len(columns) + 1)] == [
        body["totals"][f] for f in figures]

    # The unit's own table: 合计 of every count row equals its row of the counts API.
    unit_ws = get_xlsx(client, f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}", lead).worksheets[0]
    unit_header = find_row(unit_ws, "活动主题")
    (mine,) = [row for row in body["rows"] if row["key"] == str(org.id)]
    assert [unit_ws.cell(unit_header + n, unit_ws.max_column).value for n in FIGURE_ROWS] == [
        mine[f] for f in figures] == [10, 5, 5, 3, 1, 2]


def test_the_queries_are_declared_once_repeats_empties_and_codes(client, make, province):
    campaign, units = province
    headers = make.auth(make.user("bureau", region_code="140100"))
    url = f"/api/v1/stats?campaign_id={campaign.id}"
    # A parameter given twice is refused by name (which value would it be?), every field at once.
    for query in ("&group_by=org&group_by=theme", f"&campaign_id={campaign.id}", "&region=140100&region=140105"):
        response = client.get(url + query, headers=headers)
        name = query.split("=")[0].lstrip("&")
        assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {name}, query
    # An empty value is as no value: the defaults (the caller's region, by unit, live, JSON).
    plain = client.get(url, headers=headers).get_json()
    empty = client.get(url + "&region=&group_by=&basis=&format=", headers=headers)
    assert empty.status_code == 200 and empty.mimetype == "application/json"
    body = empty.get_json()
    assert (body["region_code"], body["group_by"], body["basis"], body["rows"]) == (
        "140100", "org", "live", plain["rows"])
    english = {**headers, "Accept-Language": "en"}
    assert client.get("/api/v1/stats?campaign_id=&region=140100", headers=english).get_json()["error"]["fields"] == {
        "campaign_id": "This field is required."}
    # A region is six digits; one the caller may not see is not found.
    for code in ("14010", "1401000", "14O100", "１４０１００"):
        response = client.get(url + f"&region={code}", headers=headers)
        assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {"region"}, code
    assert client.get(url + "&region=370000", headers=headers).status_code == 404
    # The tables take the same declarations of campaign_id, version and basis.
    org, _activities = units["xiaodian"]
    for path in (f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}&campaign_id={campaign.id}",
                 f"/api/v1/regions/140100/report.xlsx?campaign_id={campaign.id}&basis=live&basis=submitted"):
        response = client.get(path, headers=headers)
        assert response.status_code == 400 and len(response.get_json()["error"]["fields"]) == 1, path
    for path in (f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}&version=",
                 f"/api/v1/regions/140100/report.xlsx?campaign_id={campaign.id}&basis="):
        assert client.get(path, headers=headers).mimetype == XLSX_TYPE, path
    response = client.get(f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}&version=0", headers=headers)
    assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {"version"}


def test_the_documented_query_is_the_declared_one(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p for p in doc["paths"]["/api/v1/stats"]["get"]["parameters"]}
    assert list(parameters) == ["campaign_id", "region", "group_by", "basis", "format"]
    assert parameters["campaign_id"]["required"] and parameters["campaign_id"]["schema"]["maximum"] == 2**31 - 1
    assert parameters["group_by"]["schema"]["anyOf"] == [
        {"type": "string", "enum": ["org", "theme", "day", "province", "city", "county"], "default": "org"},
        {"const": ""}]
    assert parameters["region"]["schema"]["anyOf"][0]["pattern"] == "^[0-9]{6}$"


# Text that must come out of the file as it went in: formula-like, spaced, markup, line breaks,
# an error code, an emoji, empty.
AWKWARD = ["=1+1 读书会", "  前后有空格  ", 'a & b < c > d "q"', "第一行\r\n第二行\t制表", "#N/A", "😀 表情", "",
           "+86 351", "-", "@某单位"]


def region_workbook_of(names):
    from datetime import date

    from lwpwa.reports import table
    from lwpwa.reports.counts import FIGURES

    units = [{"name": name, "region_name": "小店区", "activities": i, "by_theme": {"reading": 3 * i},
              **{figure: 7 * i + j for j, figure in enumerate(FIGURES)},
              "submission": {"version": 2, "status": "accepted"} if i % 2 else None} for i, name in enumerate(names)]
    themes = {"reading": {"activities": 3, "units": 2, "forms": {"lecture": 2, "reading_salon": 1},
                          "names": ["=读书会", "书 & 画"], "links": 2,
                          **{figure: 10 ** 17 if figure == "attendance" else 5 for figure in FIGURES}}}
    return table.region_workbook("山西省 2022 年全民终身学习活动周情况统计表", "山西省", themes, units, date(2022, 11, 30),
                                 ("校验码：" + "0" * 64,), versions=True)


def file_parts(data):
    """Every part of an .xlsx but its time stamps (docProps/core.xml)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_the_region_xlsx_is_byte_for_byte_the_file_openpyxl_writes():
    """to_bytes writes the cells as text and the 按单位 sheet's body from its value rows
    (lwpwa/reports/sheet_xml.py); the same workbook with every value as an openpyxl cell, saved
    by openpyxl itself, is the same file, part for part."""
    from openpyxl.cell.cell import Cell

    from lwpwa.reports.xlsx import FORMULA_STARTS, cell_values, to_bytes

    ours = region_workbook_of(AWKWARD * 3)
    assert ours.worksheets[1].value_rows and ours.worksheets[1].max_row == len(AWKWARD) * 3 + 2
    reference = region_workbook_of(AWKWARD * 3)
    for ws in reference.worksheets:
        for row, (values, styles) in getattr(ws, "value_rows", {}).items():
            for column, (value, style) in enumerate(zip(values, styles), start=1):
                cell = Cell(ws, row=row, column=column, value=value, style_array=style)
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"  # as put() keeps it
                ws._add_cell(cell)
        ws.value_rows = {}
    assert [cell_values(ws) for ws in ours.worksheets] == [cell_values(ws) for ws in reference.worksheets]
    buffer = io.BytesIO()
    reference.save(buffer)
    assert file_parts(to_bytes(ours)) == file_parts(buffer.getvalue())
    read = load_workbook(io.BytesIO(to_bytes(region_workbook_of(AWKWARD))))
    assert [read.worksheets[1].cell(r, 1).value for r in range(2, len(AWKWARD) + 2)] == [
        name or None for name in AWKWARD]
    assert all(read.worksheets[1].cell(r, 1).quotePrefix == name.startswith(FORMULA_STARTS)
               for r, name in enumerate(AWKWARD, start=2))


def test_a_sheet_with_dates_formulas_or_links_is_left_to_openpyxl():
    from datetime import datetime

    from openpyxl import Workbook

    from lwpwa.reports.xlsx import to_bytes

    workbook = Workbook()
    ws = workbook.active
    ws["A1"], ws["B1"], ws["C1"] = datetime(2022, 11, 30, 9), "=SUM(1, 2)", "链接"
    ws["C1"].hyperlink = "https://example.org/"
    ws["A2"], ws["B2"] = 2.5, True
    other = workbook.create_sheet("二")
    other["A1"] = "纯文本"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert file_parts(to_bytes(workbook)) == file_parts(buffer.getvalue())
