"""The region's statistics table as a page, a print view and a download for a signed-in bureau:
the same numbers as the .xlsx of the API, which is the sum of its units' tables."""
import io
import re

from openpyxl import load_workbook
from test_reports import THEME_LABELS, find_row, province  # noqa: F401  (fixture)
from test_web_login import sign_in


from lwpwa.reports.table import TABLE_ROWS

ROW_KEYS = {label: key for label, key in TABLE_ROWS if not label.startswith("其中")}


def cells(html, row):
    """The cells of a body row of the region table, named by its label or its key (data-row)."""
    key = ROW_KEYS.get(row, row)
    found = re.search(rf"<tr[^>]*data-row=\"{key}\"><th scope=\"row\">[^<]*</th>(.*?)</tr>", html, re.S).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", found, re.S)


def test_the_table_page_matches_the_xlsx_cell_for_cell(client, make, province):  # noqa: F811
    campaign, units = province
    user = make.user("bureau", region_code="140000")
    sign_in(client, user.username)
    response = client.get(f"/region/140000/table?campaign={campaign.id}&basis=live")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{campaign.title}情况统计表" in html and "填报单位（公章）：山西省（汇总3个单位）" in html
    headers = re.findall(r'<th scope="col" data-theme="[a-z_]+">([^<]+)</th>', html)
    assert headers == THEME_LABELS

    xlsx = client.get(f"/region/140000/report.xlsx?campaign={campaign.id}&basis=live")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    header = find_row(ws, "活动主题")
    for offset, (label, key) in enumerate(TABLE_ROWS, start=1):
        assert ws.cell(header + offset, 1).value == label
        if key in ("content", "name", "form", "news_links"):
            continue
        page_values = [int(v) for v in cells(html, key)]
        sheet_values = [ws.cell(header + offset, c).value for c in range(2, ws.max_column + 1)]
        assert page_values == sheet_values, key
    assert cells(html, "attendance_tallied")[-1] == "3" and cells(html, "attendance_scanned")[-1] == "15"
    assert cells(html, "参与（或受益）人数（人次）")[-1] == "18"  # as tests/test_reports.py's region sum
    units_table = html[html.index('id="units-table"'):]
    assert units_table.count("<tr data-unit=") == 3 and "单位-jinan" not in html


def test_the_print_view_is_bare_and_the_same_table(client, make, province):  # noqa: F811
    campaign, _units = province
    sign_in(client, make.user("bureau", region_code="140100").username)
    html = client.get(f"/region/140100/table?campaign={campaign.id}&print=1&basis=live").get_data(as_text=True)
    assert 'class="print-view"' in html and "site-header" not in html and "<script" not in html
    assert "style=" not in html and "填报单位（公章）：太原市（汇总2个单位）" in html
    assert cells(html, "参与（或受益）人数（人次）")[-1] == "12"


def test_the_download_is_the_apis_workbook_and_scoped(client, make, province):  # noqa: F811
    campaign, _units = province
    user = make.user("bureau", region_code="140100")
    api = client.get(f"/api/v1/regions/140100/report.xlsx?campaign_id={campaign.id}", headers=make.auth(user))
    sign_in(client, user.username)
    page = client.get(f"/region/140100/report.xlsx?campaign={campaign.id}&basis=live")
    # Equal but for the line that says when a live table was exported.
    by_api, by_page = ([[c.value for c in row] for ws in load_workbook(io.BytesIO(r.data)).worksheets
                        for row in ws.iter_rows() if not str(row[0].value or "").startswith("说明：")]
                       for r in (api, page))
    assert by_api == by_page and len(by_api) > 10
    assert "filename*=UTF-8''" in page.headers["Content-Disposition"]
    assert client.get(f"/region/140200/report.xlsx?campaign={campaign.id}").status_code == 404
