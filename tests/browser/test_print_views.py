"""The print views printed by Chromium (page.pdf): the unit's table of 30 activities in page-sized
parts, each A4 landscape page with the label column and the header row; the print button works
without inline script; the sign-in sheet on A4 portrait."""
from print_helpers import A4_LANDSCAPE, pdf_pages
from playwright.sync_api import expect

from lwpwa.reports.table import TABLE_ROWS

from .test_cards_print import sign_in_to_the_web


def test_the_table_print_view_repeats_the_label_column_on_every_page(live_server, launch, new_context, tmp_path):
    token = live_server.lead_token
    for n in range(30 - len(live_server.api.call("GET", "/activities", token=token)[1])):
        live_server.api.create_activity(token, live_server.campaign_id, live_server.org_id,
                                        name=f"第{n + 1}场 读书分享会与智能手机应用培训")
    page = new_context(launch()).new_page()
    sign_in_to_the_web(page)
    page.goto("/unit/table/print")
    expect(page.locator("#print-button")).to_be_visible()  # print.js ran (no inline script)
    parts = page.locator(".print-part").count()
    assert parts >= 30 // 4
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) >= parts
    labels = [label for label, _key in TABLE_ROWS]
    for number, (width, height, words) in enumerate(pages, start=1):
        assert (round(width), round(height)) == tuple(round(v) for v in A4_LANDSCAPE)
        text = "".join(w[4] for w in words)
        assert "活动主题" in text, number
        assert sum(label in text for label in set(labels)) >= 3, number  # the label column
        assert "打印" not in text  # the toolbar does not print
        assert not [w for w in words if w[3] - w[1] < 9], number


def test_the_sign_in_sheet_prints_on_a4_portrait(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity("签到表打印")
    page = new_context(launch()).new_page()
    sign_in_to_the_web(page)
    page.goto(f"/unit/activities/{activity['id']}/sign-in-sheet")
    expect(page.locator("#print-button")).to_be_visible()
    pages = pdf_pages(page.pdf(prefer_css_page_size=True), tmp_path)
    assert pages and all((round(w), round(h)) == (595, 842) for w, h, _words in pages)
    assert "签到表" in "".join(w[4] for w in pages[0][2])
