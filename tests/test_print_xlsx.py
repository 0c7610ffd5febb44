"""A unit with 30 activities: the .xlsx prints on A4 landscape pages at full size, with print
titles, page numbers and stored row heights; LibreOffice renders it with no text under 9 pt and
no two text boxes overlapping; every page carries the row labels and the header row."""
import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from print_helpers import A4_LANDSCAPE, overlaps, pdf_pages, xlsx_to_pdf

from lwpwa.activities.reference import THEMES
from lwpwa.reports.table import COLUMNS_PER_PAGE, HEADER_ROW, TABLE_ROWS
from lwpwa.reports.xlsx import text_width

# LibreOffice without Calibri: about 9.3 px per width unit; the page is 10.89 in between margins.
PX_PER_UNIT, PRINTABLE_PX = 9.3, (11.69 - 0.8) * 96


@pytest.fixture
def thirty(make):
    campaign, org = make.campaign(), make.org(name="太原市小店区坞城街道社区学校")
    lead = make.user("site_lead", org=org)
    keys = [key for key, _label, _en in THEMES]
    for n in range(30):
        make.activity(org, campaign, starts_at=None, theme=keys[n % 7], name=f"第{n + 1}场 智能手机应用与防范电信诈骗培训",
                      content="帮助老年人学习使用智能手机进行网上挂号、移动支付，" * (1 + n % 3),
                      courses=["手机摄影入门", "微信使用"] if n % 4 == 0 else [],
                      news_links=[f"https://news.example.cn/2022/12/{n:02d}/report-{n}.html"])
    return campaign, org, make.auth(lead)


def test_thirty_activities_print_on_a4_landscape_at_full_size(client, thirty, tmp_path):
    campaign, org, headers = thirty
    response = client.get(f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}", headers=headers)
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]

    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert int(setup.scale) >= 90 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
    assert ws.print_title_cols.replace("$", "") == "A:A"
    assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text
    assert org.name in ws.oddHeader.left.text and ws.oddHeader.left.text.startswith("填报单位（公章）")
    last_row = ws.max_row
    assert all(ws.row_dimensions[r].height for r in range(1, last_row + 1))
    # Each page (between column breaks) is no wider than the page, label column included.
    breaks = [b.id for b in ws.col_breaks.brk] + [ws.max_column]
    width = lambda c: ws.column_dimensions[get_column_letter(c)].width  # noqa: E731
    start = 2
    for stop in breaks:
        assert stop - start + 1 <= COLUMNS_PER_PAGE
        units = width(1) + sum(width(c) for c in range(start, stop + 1))
        assert units * PX_PER_UNIT <= PRINTABLE_PX, (start, stop)
        start = stop + 1
    # Row heights hold the wrapped text (two cells per Chinese character, the width less 2).
    spans = {(m.min_row, m.min_col): sum(width(c) for c in range(m.min_col, m.max_col + 1))
             for m in ws.merged_cells.ranges}
    for r in range(HEADER_ROW, HEADER_ROW + len(TABLE_ROWS) + 1):
        for c in range(1, ws.max_column + 1):
            value = ws.cell(r, c).value
            if isinstance(value, str) and value:
                cell_width = spans.get((r, c), width(c))
                lines = sum(-(-text_width(part) // max(cell_width - 2, 1)) or 1 for part in value.split("\n"))
                assert ws.row_dimensions[r].height >= lines * 11 * 1.2, (r, c, value)

    pdf = xlsx_to_pdf(response.data, tmp_path)
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) >= 30 // COLUMNS_PER_PAGE
    labels = {label for label, _key in TABLE_ROWS}
    for number, (page_width, page_height, words) in enumerate(pages, start=1):
        assert (round(page_width), round(page_height)) == tuple(round(v) for v in A4_LANDSCAPE)
        text = "".join(w[4] for w in words)
        assert "活动主题" in text, number  # the header row repeats
        assert any(label in text for label in labels), number  # and the label column
        assert f"第{number}页共{len(pages)}页" in text.replace(" ", ""), number
        small = [w for w in words if w[3] - w[1] < 9]
        assert not small, (number, small[:5])
        clash = overlaps(words)
        assert not clash, (number, clash[:3])


def test_the_sign_in_sheet_xlsx_prints_on_a4_portrait(app, client, unit, make):
    from conftest import checkin, sync_body
    from evidence_helpers import lead_client

    _resident, code = make.resident(display_name="张三丰")
    client.post("/api/v1/sync", headers=unit.headers, json=sync_body([checkin(unit.activity.id, code=code)]))
    response = lead_client(app, unit.lead).get(f"/unit/activities/{unit.activity.id}/sign-in-sheet.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.scale) == 100
    assert ws.print_title_rows.replace("$", "") == "4:4" and "第 &P 页" in ws.oddFooter.center.text
    units = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1))
    assert units * PX_PER_UNIT <= (8.27 - 0.8) * 96  # as wide as the page, never wider
    values = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "张**" in values and "张三丰" not in values
