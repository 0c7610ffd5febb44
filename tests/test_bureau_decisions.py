"""The record in the web pages: the bureau's dashboard on the submitted basis with the live
difference apart, the tables still awaited with contacts and lateness, accept / return with a
comment (CSRF), the unit seeing the comment and resubmitting, a region's own table submitted
upward and decided by the province, and the verify page."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from test_submissions_api import sync
from test_workspace_support import CSRF, sign_in

from lwpwa.campaigns.models import Campaign
from lwpwa.extensions import db
from lwpwa.submissions.models import Submission


def post(client, path, data=None, page="/submissions/verify"):
    token = CSRF.search(client.get(page).get_data(as_text=True)).group(1)
    return client.post(path, data={**(data or {}), "csrf_token": token})


@pytest.fixture
def world(app, client, make):
    campaign = make.campaign()
    units = {}
    for key, code in (("xiaodian", "140105"), ("yingze", "140106")):
        org = make.org(region_code=code, name=f"单位-{key}")
        org.lead_name, org.reporter_name, org.phone = "李明", "王芳", "0351-1234567"
        lead = make.user("site_lead", org=org)
        activity = make.activity(org, campaign, theme="reading")
        sync(client, make.auth(make.user("volunteer", org=org)), activity, [make.resident()[1] for _ in range(2)],
             tally=1)
        web = sign_in(app.test_client(), lead)
        units[key] = {"org": org, "lead": lead, "web": web, "activity": activity,
                      "headers": make.auth(make.user("volunteer", org=org))}
    bureau = sign_in(app.test_client(), make.user("bureau", region_code="140100"))
    province = sign_in(app.test_client(), make.user("bureau", region_code="140000"))
    return campaign, units, bureau, province


def latest(org):
    return db.session.scalar(db.select(Submission).where(Submission.org_id == org.id)
                             .order_by(Submission.version.desc()).limit(1))


def test_return_with_a_comment_the_unit_sees_it_resubmits_and_the_bureau_accepts(client, world):
    campaign, units, bureau, _province = world
    unit = units["xiaodian"]
    assert post(unit["web"], f"/unit/table/submit?campaign={campaign.id}").status_code == 302
    first = latest(unit["org"])
    assert first.version == 1
    page = bureau.get(f"/region/units/{unit['org'].id}/submissions?campaign={campaign.id}").get_data(as_text=True)
    assert 'data-version="1" data-status="submitted"' in page and first.fingerprint in page

    # Returning needs a comment: without one nothing changes; a form without CSRF is refused.
    assert bureau.post(f"/region/submissions/{first.id}/return", data={"comment": "x"}).status_code in (302, 400)
    db.session.expire_all()
    assert latest(unit["org"]).status == "submitted"
    post(bureau, f"/region/submissions/{first.id}/return", {"comment": ""})
    db.session.expire_all()
    assert latest(unit["org"]).status == "submitted"
    post(bureau, f"/region/submissions/{first.id}/return", {"comment": "请补充新闻链接"})
    db.session.expire_all()
    assert (latest(unit["org"]).status, latest(unit["org"]).comment) == ("returned", "请补充新闻链接")
    # Deciding it again is refused with a message, the decision stays.
    response = post(bureau, f"/region/submissions/{first.id}/accept")
    assert response.status_code == 302
    db.session.expire_all()
    assert latest(unit["org"]).status == "returned"

    html = unit["web"].get(f"/unit/table?campaign={campaign.id}").get_data(as_text=True)
    assert 'id="bureau-comment"' in html and "请补充新闻链接" in html and 'data-latest-status="returned"' in html
    dashboard = unit["web"].get(f"/unit/?campaign={campaign.id}").get_data(as_text=True)
    assert 'id="returned"' in dashboard and "请补充新闻链接" in dashboard
    sync(unit["web"], unit["headers"], unit["activity"], tally=3)
    post(unit["web"], f"/unit/table/submit?campaign={campaign.id}")
    second = latest(unit["org"])
    assert second.version == 2 and second.snapshot["totals"]["attendance"] == 6
    post(bureau, f"/region/submissions/{second.id}/accept", {"comment": ""})
    db.session.expire_all()
    assert latest(unit["org"]).status == "accepted"
    html = unit["web"].get(f"/unit/table?campaign={campaign.id}").get_data(as_text=True)
    assert 'data-latest-status="accepted"' in html and "/unit/table/submit" not in html
    # A version of the table as a page, a print view and a file: version 1's figures.
    old = unit["web"].get(f"/unit/table?campaign={campaign.id}&version=1").get_data(as_text=True)
    assert f"校验码：{first.fingerprint}" in old
    printed = unit["web"].get(f"/unit/table/print?campaign={campaign.id}&version=1").get_data(as_text=True)
    assert f"校验码：{first.fingerprint}" in printed
    ws = load_workbook(io.BytesIO(unit["web"].get(f"/unit/table.xlsx?campaign={campaign.id}&version=1").data)).active
    assert any(str(c.value).startswith(f"校验码：{first.fingerprint}") for c in ws["A"])
    assert unit["web"].get(f"/unit/table?campaign={campaign.id}&version=9").status_code == 404
    assert unit["web"].get(f"/unit/table?campaign={campaign.id}&version=x").status_code == 404


def test_the_dashboard_counts_the_submitted_versions_and_shows_the_live_difference_apart(client, world):
    campaign, units, bureau, _province = world
    post(units["xiaodian"]["web"], f"/unit/table/submit?campaign={campaign.id}")
    sync(client, units["xiaodian"]["headers"], units["xiaodian"]["activity"], tally=4)
    html = bureau.get(f"/region/140100/?campaign={campaign.id}").get_data(as_text=True)
    assert re.search(r'data-total="attendance">3<', html)  # xiaodian's version 1; yingze has none
    xiaodian = re.search(rf'<tr data-key="{units["xiaodian"]["org"].id}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert 'data-delta="4">+4<' in xiaodian and 'data-decision="submitted"' in xiaodian
    assert 'id="delta-total" data-delta="7"' in html  # +4 of xiaodian, +3 of yingze (all live, none submitted)
    live = bureau.get(f"/region/140100/?campaign={campaign.id}&basis=live").get_data(as_text=True)
    assert re.search(r'data-total="attendance">10<', live)
    assert bureau.get(f"/region/140100/?campaign={campaign.id}&basis=nope").status_code == 404

    # The table still awaited: yingze, with its contacts and how late it is.
    missing = re.search(r'<table class="data" id="missing">(.*?)</table>', html, re.S).group(1)
    assert "单位-yingze" in missing and "单位-xiaodian" not in missing
    assert "李明" in missing and "王芳" in missing and "0351-1234567" in missing
    row = db.session.get(Campaign, campaign.id)
    row.report_due_on = row.starts_on - timedelta(days=3)
    db.session.commit()
    html = bureau.get(f"/region/140100/?campaign={campaign.id}").get_data(as_text=True)
    overdue = re.search(r'data-overdue="(-?\d+)"', html).group(1)
    assert int(overdue) >= 3


def test_a_city_submits_its_table_upward_and_the_province_decides(client, world):
    campaign, units, bureau, province = world
    post(units["xiaodian"]["web"], f"/unit/table/submit?campaign={campaign.id}")
    html = bureau.get(f"/region/140100/submissions?campaign={campaign.id}").get_data(as_text=True)
    assert "/region/140100/submit" in html
    post(bureau, f"/region/140100/submit?campaign={campaign.id}")
    table = db.session.scalar(db.select(Submission).where(Submission.region_code == "140100"))
    assert table.version == 1 and table.snapshot["totals"]["attendance"] == 3
    assert table.snapshot["totals"]["units_missing"] == 1
    # The city does not decide its own table; the province does.
    assert post(bureau, f"/region/submissions/{table.id}/accept").status_code == 403
    overview = province.get(f"/region/140000/submissions?campaign={campaign.id}").get_data(as_text=True)
    assert '<tr data-key="140100" data-status="submitted">' in overview
    post(province, f"/region/submissions/{table.id}/return", {"comment": "迎泽区尚未报送"})
    db.session.expire_all()
    assert db.session.get(Submission, table.id).status == "returned"
    page = bureau.get(f"/region/140100/submissions?campaign={campaign.id}").get_data(as_text=True)
    assert "迎泽区尚未报送" in page
    # The region's table as a file carries the version's 校验码 while it is unchanged.
    ws = load_workbook(io.BytesIO(bureau.get(f"/region/140100/report.xlsx?campaign={campaign.id}").data)).active
    assert any(str(c.value).startswith(f"校验码：{table.fingerprint}") for c in ws["A"])
    assert province.post(f"/region/140100/submit?campaign={campaign.id}").status_code in (400, 403)


def test_the_verify_page_by_fingerprint_and_by_file(client, world):
    campaign, units, bureau, _province = world
    unit = units["xiaodian"]
    post(unit["web"], f"/unit/table/submit?campaign={campaign.id}")
    version = latest(unit["org"])
    found = bureau.get(f"/submissions/verify?fingerprint={version.fingerprint}")
    assert found.status_code == 200 and 'data-version="1"' in found.get_data(as_text=True)
    assert bureau.get("/submissions/verify?fingerprint=" + "1" * 64).status_code == 404
    assert 'data-valid="false"' in bureau.get("/submissions/verify?fingerprint=nonsense").get_data(as_text=True)
    data = unit["web"].get(f"/unit/table.xlsx?campaign={campaign.id}&version=1").data
    token = CSRF.search(bureau.get("/submissions/verify").get_data(as_text=True)).group(1)
    response = bureau.post("/submissions/verify", data={"csrf_token": token, "file": (io.BytesIO(data), "t.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and 'data-valid="true"' in response.get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(data))
    workbook.active["B5"] = "改过的活动名称"
    edited = io.BytesIO()
    workbook.save(edited)
    response = bureau.post("/submissions/verify", data={"csrf_token": token,
                                                        "file": (io.BytesIO(edited.getvalue()), "t.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert 'data-valid="false"' in html and "改过的活动名称" in html
    english = bureau.get(f"/submissions/verify?fingerprint={version.fingerprint}&lang=en").get_data(as_text=True)
    assert "Check a submitted table" in english


def test_the_region_table_page_shows_the_live_difference_per_unit_apart(client, world):
    campaign, units, bureau, _province = world
    post(units["xiaodian"]["web"], f"/unit/table/submit?campaign={campaign.id}")
    sync(client, units["xiaodian"]["headers"], units["xiaodian"]["activity"], tally=5)
    html = bureau.get(f"/region/140100/table?campaign={campaign.id}").get_data(as_text=True)
    row = re.search(rf'<tr data-unit="{units["xiaodian"]["org"].id}">(.*?)</tr>', html, re.S).group(1)
    assert "第1版（已报送）" in row and 'data-delta="5">+5<' in row
    assert re.search(r'data-total="attendance">3<', html)  # the record: version 1, not the 8 live
    printed = bureau.get(f"/region/140100/table?campaign={campaign.id}&print=1").get_data(as_text=True)
    assert "data-delta" not in printed and "第1版（已报送）" in printed


def test_the_decision_form_reads_the_comment_by_the_apis_declaration(client, world):
    campaign, units, bureau, _province = world
    unit = units["xiaodian"]
    post(unit["web"], f"/unit/table/submit?campaign={campaign.id}")
    first = latest(unit["org"])
    # What the API refuses the form refuses too, with the same message; nothing is decided.
    response = post(bureau, f"/region/submissions/{first.id}/return", {"comment": "请\x07核实"})
    assert response.status_code == 302
    page = bureau.get(response.headers["Location"]).get_data(as_text=True)
    assert "控制字符" in page or "control characters" in page
    response = post(bureau, f"/region/submissions/{first.id}/return", {"comment": "x" * 1001})
    db.session.expire_all()
    assert latest(unit["org"]).status == "submitted"
    # A comment is one line, as the API stores it.
    post(bureau, f"/region/submissions/{first.id}/return", {"comment": " 请补充\r\n新闻链接 "})
    db.session.expire_all()
    assert (latest(unit["org"]).status, latest(unit["org"]).comment) == ("returned", "请补充 新闻链接")


def test_the_verify_page_reads_a_fingerprint_as_the_api_does(client, world):
    campaign, units, bureau, _province = world
    unit = units["xiaodian"]
    post(unit["web"], f"/unit/table/submit?campaign={campaign.id}")
    version = latest(unit["org"])
    typed = bureau.get(f"/submissions/verify?fingerprint=%20{version.fingerprint.upper()}%20")
    assert typed.status_code == 200 and f'value="{version.fingerprint}"' in typed.get_data(as_text=True)
