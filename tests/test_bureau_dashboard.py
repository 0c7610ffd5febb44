"""The region dashboard of a city bureau and of the province: scoping both ways, totals,
charts without network or inline style, server-side sorting, submission status per unit."""
import re
from datetime import timedelta

import pytest
from test_reports import scan
from test_web_login import sign_in

from lwpwa.campaigns.models import Campaign
from lwpwa.extensions import db
from lwpwa.submissions.service import submit


@pytest.fixture
def shanxi(client, make):
    """Units in Taiyuan (two), Datong (one) and Jinan (one), with check-ins in one campaign."""
    campaign = make.campaign()
    units = {}
    for key, code, n_people in (("xiaodian", "140105", 3), ("library", "140100", 1), ("datong", "140213", 2),
                                ("jinan", "370102", 4)):
        org = make.org(region_code=code, name=f"单位-{key}")
        volunteer = make.user("volunteer", org=org)
        activity = make.activity(org, campaign, theme="reading")
        people = [make.resident()[1] for _ in range(n_people)]
        scan(client, make.auth(volunteer), activity, people, tally=1)
        units[key] = org
    return campaign, units


def sign_out(client):
    with client.session_transaction() as session:
        session.clear()


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def rows_of(html, table_id):
    body = re.search(rf'<table class="data sortable" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return re.findall(r'<tr data-key="([^"]+)"(?: data-status="([^"]+)")?', body)


def test_a_city_bureau_sees_its_units_and_nothing_of_another_city(client, make, shanxi):
    campaign, units = shanxi
    sign_in(client, make.user("bureau", region_code="140100").username)
    assert client.get("/region/").headers["Location"].endswith("/region/140100/")
    response, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live")
    assert response.status_code == 200
    keys = [key for key, _status in rows_of(html, "units")]
    assert sorted(keys) == sorted([str(units["xiaodian"].id), str(units["library"].id)])
    assert "单位-datong" not in html and "单位-jinan" not in html
    assert 'data-total="attendance">6<' in html  # (3 + 1) + (1 + 1) person-times
    for url in ("/region/140200/", "/region/140000/", "/region/370000/", "/region/140213/",
                f"/region/140200/table?campaign={campaign.id}", f"/region/140200/report.xlsx?campaign={campaign.id}",
                f"/region/140200/anomalies?campaign={campaign.id}", "/region/999999/", "/region/abc/"):
        assert client.get(url).status_code == 404, url


def test_the_province_sees_every_city_drills_down_and_nothing_of_shandong(client, make, shanxi):
    campaign, units = shanxi
    sign_in(client, make.user("bureau", region_code="140000").username)
    response, html = page(client, f"/region/140000/?campaign={campaign.id}&basis=live")
    assert response.status_code == 200
    cities = dict(re.findall(r'<tr data-key="(\d+)">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', html))
    assert cities["140100"] == "太原市" and cities["140200"] == "大同市" and len(cities) == 11
    assert "370100" not in cities and "单位-jinan" not in html
    assert 'data-total="attendance">9<' in html
    _r, datong = page(client, f"/region/140200/?campaign={campaign.id}&basis=live")
    assert [key for key, _s in rows_of(datong, "units")] == [str(units["datong"].id)]
    assert client.get("/region/370000/").status_code == 404
    assert client.get("/region/370100/").status_code == 404


def test_volunteers_and_site_leads_are_refused_and_strangers_sent_to_sign_in(client, make, shanxi):
    _campaign, units = shanxi
    assert client.get("/region/140100/").status_code == 302
    for role in ("volunteer", "site_lead"):
        sign_out(client)
        sign_in(client, make.user(role, org=units["xiaodian"]).username)
        for url in ("/region/", "/region/140100/", "/region/tokens/", "/admin/"):
            assert client.get(url).status_code == 403, (role, url)


def test_a_campaign_outside_the_region_is_404(client, make, shanxi):
    shandong = make.campaign(region_code="370000")
    sign_in(client, make.user("bureau", region_code="140100").username)
    assert client.get(f"/region/140100/?campaign={shandong.id}").status_code == 404


def test_charts_are_server_side_svg_with_no_inline_style_or_script(client, make, shanxi):
    campaign, _units = shanxi
    sign_in(client, make.user("bureau", region_code="140100").username)
    response, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live")
    assert html.count("<svg") == 2 and "<polyline" in html and html.count('class="chart-bar"') == 9
    assert "地区概览" in html and "各主题参与人次" in html  # zh_Hans first
    # The one script is the map's, from static files (CSP: none inline); the charts need none.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(re.fullmatch(r'<script src="/static/[^"]+\.js" defer>', tag) for tag in scripts)
    assert "全民阅读" in html and "style=" not in html and " on" + "click" not in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    english = client.get(f"/region/140100/?campaign={campaign.id}&basis=live&lang=en").get_data(as_text=True)
    assert "Reading for all" in english and "Region dashboard" in english


def test_units_sort_on_the_server(client, make, shanxi):
    campaign, units = shanxi
    sign_in(client, make.user("bureau", region_code="140100").username)
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live&sort=attendance&dir=desc")
    assert [k for k, _s in rows_of(html, "units")] == [str(units["xiaodian"].id), str(units["library"].id)]
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live&sort=attendance&dir=asc")
    assert [k for k, _s in rows_of(html, "units")] == [str(units["library"].id), str(units["xiaodian"].id)]
    assert 'aria-sort="ascending"' in html
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live&sort=nonsense")
    assert len(rows_of(html, "units")) == 2


def test_submission_status_per_unit_submitted_changed_missing(client, make, shanxi):
    campaign, units = shanxi
    submit(campaign, units["xiaodian"], make.user("site_lead", org=units["xiaodian"]))
    submit(campaign, units["library"], make.user("site_lead", org=units["library"]))
    db.session.commit()
    sign_in(client, make.user("bureau", region_code="140100").username)
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live")
    assert dict(rows_of(html, "units")) == {str(units["xiaodian"].id): "submitted", str(units["library"].id): "submitted"}

    # New scans after the submission: the unit's table no longer says what was submitted.
    library_activity = make.activity(units["library"], campaign, theme="other")
    scan(client, make.auth(make.user("volunteer", org=units["library"])), library_activity, tally=3)
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live&sort=status")
    statuses = dict(rows_of(html, "units"))
    assert statuses == {str(units["xiaodian"].id): "submitted", str(units["library"].id): "changed"}
    # The headline counts both as submitted and the changed one among them ("其中 1 个…"), never
    # "1 submitted, of which 1 changed" beside a unit that is not counted.
    assert re.search(r'data-units="submitted">(\d+)<', html).group(1) == "2"
    assert "其中 1 个提交后有变动" in html

    # The province sees, per city, how many units are in which state; Datong has not submitted.
    sign_out(client)
    sign_in(client, make.user("bureau", region_code="140000").username)
    _r, html = page(client, f"/region/140000/?campaign={campaign.id}&basis=live")
    taiyuan = re.search(r'<tr data-key="140100">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', taiyuan)[-4:] == ["2", "1", "1", "0"]
    datong = re.search(r'<tr data-key="140200">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', datong)[-4:] == ["1", "0", "0", "1"]


def test_missing_after_the_due_date_is_overdue(client, make, shanxi):
    campaign, units = shanxi
    campaign = db.session.get(Campaign, campaign.id)
    campaign.report_due_on = campaign.starts_on - timedelta(days=1)
    db.session.commit()
    sign_in(client, make.user("bureau", region_code="140100").username)
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live")
    assert set(dict(rows_of(html, "units")).values()) == {"overdue"}
    assert "逾期未报" in html or "Missing, past due" in html


@pytest.mark.parametrize("code", ["140000", "140100", "140105"])
def test_the_dashboards_totals_are_the_counts_apis(client, make, shanxi, code):
    campaign, units = shanxi
    user = make.user("bureau", region_code="140000")
    scan(client, make.auth(make.user("volunteer", org=units["xiaodian"])),
         make.activity(units["xiaodian"], campaign, theme="other"), volunteers=[make.resident()[1]], tally=2)
    api = client.get(f"/api/v1/stats?campaign_id={campaign.id}&region={code}", headers=make.auth(user)).get_json()
    sign_in(client, user.username)
    html = client.get(f"/region/{code}/?campaign={campaign.id}&basis=live").get_data(as_text=True)
    shown = {key: int(n) for key, n in re.findall(r'data-total="(\w+)">(\d+)<', html)}
    assert shown == api["totals"] and api["totals"]["volunteers"] == 1


def test_the_verified_share_per_unit_and_region_sorts_on_the_server(client, make, shanxi):
    """xiaodian: 3 scanned + 1 tallied (75 %), library 1 + 1 (50 %); the region 4 of 6 (66 %)."""
    campaign, units = shanxi
    sign_in(client, make.user("bureau", region_code="140100").username)
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live&sort=verified_share&dir=desc")
    assert [key for key, _s in rows_of(html, "units")] == [str(units["xiaodian"].id), str(units["library"].id)]
    shares = dict(re.findall(r'data-share="([^"]+)">([^<]+)<', html))
    assert shares == {"region": "66 %", str(units["xiaodian"].id): "75 %", str(units["library"].id): "50 %"}
    assert 'data-total="attendance_tallied">2<' in html and 'data-total="attendance_scanned">4<' in html
    _r, html = page(client, f"/region/140100/?campaign={campaign.id}&basis=live&sort=verified_share&dir=asc")
    assert [key for key, _s in rows_of(html, "units")] == [str(units["library"].id), str(units["xiaodian"].id)]
    sign_out(client)
    sign_in(client, make.user("bureau", region_code="140000").username)
    _r, html = page(client, f"/region/140000/?campaign={campaign.id}&basis=live&sort=verified_share&dir=desc")
    cities = [key for key, _s in rows_of(html, "cities")]
    assert cities[:2] == ["140100", "140200"]  # 4/6 before 2/3 (equal: the official order), then none
    assert re.search(r'data-share="140300"><span class="muted">', html)
