"""The statistics table page: the notice's attachment filled from verified counts, contacts,
.xlsx download, the A4 landscape print view, and submitting to the city bureau."""
import html as htmllib
import re
from io import BytesIO
from pathlib import Path

from conftest import checkin, sync_body
from openpyxl import load_workbook
from test_workspace_support import lead, other, post  # noqa: F401 (fixtures)

from lwpwa.activities.reference import THEMES
from lwpwa.extensions import db
from lwpwa.reports.table import TABLE_ROWS


def fill(client, make, unit):
    """Three activities of two themes with scans, tallies and volunteers."""
    second = make.activity(unit.org, unit.campaign, theme="smart_seniors", name="=1+1",
                           news_links=["https://example.org/n1"])
    reading = make.activity(unit.org, unit.campaign, theme="reading", name="读书沙龙", form="reading_salon",
                            content="共读", courses=[])
    codes = [make.resident()[1] for _ in range(3)]
    items = [checkin(unit.activity.id, code=c) for c in codes] + [checkin(unit.activity.id, headcount=5)]
    items += [checkin(second.id, code=codes[0]), checkin(second.id, code=codes[1], kind="volunteer")]
    items += [checkin(reading.id, code=codes[2]), checkin(reading.id, code=codes[2])]  # the same person twice
    response = client.post("/api/v1/sync", headers=unit.headers, json=sync_body(items))
    assert response.status_code == 200
    return [unit.activity, second, reading]


def cells_of(html):
    """The stat table's rows as lists of cell texts (th and td), in order."""
    table = re.search(r'<table class="stat-table">(.*?)</table>', html, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t([hd])([^>]*)>(.*?)</t[hd]>", row, re.S)
        rows.append([(htmllib.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br)[^>]+>", "", text))).strip(),
                      int((re.search(r'colspan="(\d+)"', attrs) or [0, 1])[1])) for _tag, attrs, text in cells])
    return rows


def test_the_page_mirrors_the_xlsx_and_the_stats_api(lead, make, unit):
    activities = fill(lead, make, unit)
    html = lead.get("/unit/table").get_data(as_text=True)
    rows = cells_of(html)
    header = rows[0]
    assert header[0] == ("活动主题", 1) and header[-1] == ("合计", 1)
    assert [label for label, _span in header[1:-1]] == [label for _k, label, _e in THEMES]
    spans = {label: span for label, span in header[1:-1]}
    assert spans["“智慧助老”"] == 2 and spans["全民阅读"] == 1 and spans["终身学习"] == 1
    assert [r[0][0] for r in rows[1:]] == [label for label, _key in TABLE_ROWS]

    workbook = load_workbook(BytesIO(lead.get("/unit/table.xlsx").data))
    ws = workbook.active
    # The page's body cells equal the sheet's, cell for cell (rows 4 to 13 of the sheet).
    for offset, row in enumerate(rows[1:]):
        sheet_row = [ws.cell(row=4 + offset, column=c).value for c in range(1, len(row) + 1)]
        page_row = [text for text, _span in row]
        assert [("" if v is None else str(v)) for v in sheet_row] == page_row
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["G3"].value == "“智慧助老”" and "G3:H3" in merged  # two activities: two columns, merged

    # The count rows equal each activity's stats from the API, and 合计 their sum.
    names = [text for text, _span in rows[2][1:-1]]
    attendance = [text for text, _span in rows[4][1:-1]]
    scanned = [text for text, _span in rows[5][1:-1]]
    tallied = [text for text, _span in rows[6][1:-1]]
    volunteers = [text for text, _span in rows[7][1:-1]]
    for activity in activities:
        stats = lead.get(f"/api/v1/activities/{activity.id}/stats", headers=unit.lead_headers).get_json()
        column = names.index(activity.name)
        assert int(attendance[column]) == stats["attendance"]
        assert (int(scanned[column]), int(tallied[column])) == (stats["scanned"], stats["headcount"])
        assert int(volunteers[column]) == stats["volunteers"]
    assert int(rows[4][-1][0]) == 8 + 1 + 1  # 3 scanned + 5 tally; 1; the same person once a day
    assert (int(rows[5][-1][0]), int(rows[6][-1][0])) == (5, 5)
    assert int(rows[7][-1][0]) == 1
    # 合计 equals the unit's row of the bureaus' counts API.
    bureau = make.auth(make.user("bureau", region_code="140100"))
    stats = lead.get(f"/api/v1/stats?campaign_id={unit.campaign.id}&region=140100&group_by=org",
                     headers=bureau).get_json()
    (mine,) = [r for r in stats["rows"] if r["key"] == str(unit.org.id)]
    assert (mine["activities"], mine["attendance"], mine["volunteers"]) == (3, int(rows[4][-1][0]), int(rows[7][-1][0]))
    # Every count row and its parts: 合计 equals the unit's row of the counts API, cell by cell.
    for offset, (_label, key) in enumerate(TABLE_ROWS, start=1):
        if key in mine:
            assert int(rows[offset][-1][0]) == mine[key], key
    # "=1+1" is a name, shown as text on the page and stored as text in the sheet.
    assert "=1+1" in names
    cell = next(c for c in ws[5] if c.value == "=1+1")
    assert cell.data_type == "s"


def test_the_contacts_form_saves_and_validates(lead, unit):
    response = post(lead, "/unit/table", {"lead_name": "赵主任", "reporter_name": "钱老师", "phone": "0351-7654321"})
    assert response.status_code == 302
    db.session.refresh(unit.org)
    assert (unit.org.lead_name, unit.org.reporter_name, unit.org.phone) == ("赵主任", "钱老师", "0351-7654321")
    html = lead.get("/unit/table").get_data(as_text=True)
    assert "负责人：赵主任" in html and "联系电话：0351-7654321" in html
    response = post(lead, "/unit/table", {"lead_name": "x" * 65, "reporter_name": "", "phone": "call me"})
    assert response.status_code == 400
    errors = re.findall(r'<p class="field-error">([^<]+)</p>', response.get_data(as_text=True))
    assert len(errors) == 2
    db.session.refresh(unit.org)
    assert unit.org.lead_name == "赵主任"
    assert lead.post("/unit/table", data={"lead_name": "无令牌"}).status_code == 400


def test_the_print_view_is_a4_landscape_and_holds_only_the_table(lead, make, unit):
    fill(lead, make, unit)
    html = lead.get("/unit/table/print").get_data(as_text=True)
    assert "workspace-print.css" in html
    assert cells_of(html) == cells_of(lead.get("/unit/table").get_data(as_text=True))
    assert "<form" not in html and "<script" not in html
    css = (Path(lead.application.static_folder) / "css" / "workspace-print.css").read_text()
    assert "@page { size: A4 landscape" in css


def test_submit_then_a_change_shows_changed_since_submission(lead, make, unit):
    assert "尚未报送" in lead.get("/unit/table").get_data(as_text=True)
    assert lead.post("/unit/table/submit").status_code == 400  # no CSRF token
    assert "尚未报送" in lead.get("/unit/table").get_data(as_text=True)
    assert post(lead, "/unit/table/submit").status_code == 302
    html = lead.get("/unit/table").get_data(as_text=True)
    assert "已于" in html and "报送后已有变更" not in html
    _resident, code = make.resident()
    lead.post("/api/v1/sync", headers=unit.headers, json=sync_body([checkin(unit.activity.id, code=code)]))
    html = lead.get("/unit/table").get_data(as_text=True)
    assert "报送后已有变更" in html
    assert "统计表报送后已有变更" in lead.get("/unit/").get_data(as_text=True)
    assert post(lead, "/unit/table/submit").status_code == 302
    assert "报送后已有变更" not in lead.get("/unit/table").get_data(as_text=True)


def test_another_units_table_is_never_shown(lead, make, unit, other):
    other.activity.name = "乙单位的秘密活动"
    db.session.commit()
    for path in ("/unit/table", "/unit/table/print"):
        assert "乙单位的秘密活动" not in lead.get(path).get_data(as_text=True)
    workbook = load_workbook(BytesIO(lead.get("/unit/table.xlsx").data))
    assert all("乙单位" not in str(c.value) for row in workbook.active.iter_rows() for c in row)
    shandong = make.campaign(region_code="370000")
    for path in ("/unit/table", "/unit/table.xlsx", "/unit/table/print"):
        assert lead.get(f"{path}?campaign={shandong.id}").status_code == 404
    assert post(lead, f"/unit/table/submit?campaign={shandong.id}").status_code == 404
