"""Province administration: a province bureau (or an admin) creates activity weeks, units and
city bureau accounts inside its province, with the CLI's rules; a city bureau may not."""
import re

import pytest
from test_web_login import sign_in

from lwpwa.accounts.models import User
from lwpwa.campaigns.models import Campaign
from lwpwa.extensions import db
from lwpwa.orgs.models import Org


def csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf(client, path), **data})


WEEK = {"title": "Test 2026年山西省全民终身学习活动周", "slogan": "终身学习 服务全民", "region": "140000",
        "starts_on": "2026-11-20", "ends_on": "2026-11-26", "plan_due_on": "2026-11-10",
        "report_due_on": "2026-12-25", "timezone": "Asia/Shanghai"}


@pytest.fixture
def shanxi_admin(client, make):
    sign_in(client, make.user("bureau", region_code="140000").username)


def test_a_province_creates_a_week(client, shanxi_admin):
    response = post(client, "/admin/campaigns/new", **WEEK)
    assert response.status_code == 302
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.title == WEEK["title"]))
    assert campaign.region_code == "140000" and str(campaign.report_due_on) == "2026-12-25"
    assert campaign.slogan == "终身学习 服务全民" and str(campaign.plan_due_on) == "2026-11-10"
    assert f'data-campaign="{campaign.id}"' in client.get("/admin/").get_data(as_text=True)
    again = post(client, "/admin/campaigns/new", **WEEK)
    assert again.status_code == 400 and db.session.scalar(
        db.select(db.func.count()).select_from(Campaign).where(Campaign.title == WEEK["title"])) == 1


@pytest.mark.parametrize("change", [
    {"ends_on": "2026-11-19"},            # ends before it starts
    {"report_due_on": "2026-11-01"},      # due before it starts
    {"timezone": "Mars/Olympus"},
    {"title": "   "},
    {"region": "370000"},                 # Shandong: not offered, refused
    {"region": "140105"},                 # a district: a week belongs to a province or a city
    {"starts_on": "2026-13-01"},
])
def test_bad_weeks_are_refused(client, shanxi_admin, change):
    response = post(client, "/admin/campaigns/new", **{**WEEK, **change})
    assert response.status_code == 400 and 'class="field-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Campaign).where(Campaign.title.like("Test %"))) == 0


def test_a_province_creates_units_in_its_province_only(client, shanxi_admin):
    response = post(client, "/admin/units/new", name="迎泽区社区学校", region="140106", kind="community_school",
                    lead_name="张三", reporter_name="李四", phone="0351-7654321")
    assert response.status_code == 302
    org = db.session.scalar(db.select(Org).where(Org.name == "迎泽区社区学校"))
    assert (org.region_code, org.kind, org.lead_name, org.reporter_name, org.phone) == \
        ("140106", "community_school", "张三", "李四", "0351-7654321")
    assert post(client, "/admin/units/new", name="迎泽区社区学校", region="140106", kind="other").status_code == 400
    assert post(client, "/admin/units/new", name="济南单位", region="370102", kind="other").status_code == 400
    assert post(client, "/admin/units/new", name="怪单位", region="140106", kind="spaceship").status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Org)) == 1


def test_a_province_creates_city_bureau_accounts(client, shanxi_admin):
    response = post(client, "/admin/accounts/new", username="Datong.Bureau", password="a long password", region="140200")
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "datong.bureau"))
    assert (user.role, user.region_code, user.org_id) == ("bureau", "140200", None)
    # The new account signs in and sees Datong.
    with client.session_transaction() as session:
        session.clear()
    sign_in(client, "datong.bureau", "a long password")
    assert client.get("/region/").headers["Location"].endswith("/region/140200/")


@pytest.mark.parametrize("data", [
    {"username": "x1", "password": "short", "region": "140200"},
    {"username": "x2", "password": "a long password", "region": "370100"},   # another province
    {"username": "x3", "password": "a long password", "region": "140000"},   # not the province itself
    {"username": "bad name!", "password": "a long password", "region": "140200"},
])
def test_bad_accounts_are_refused(client, shanxi_admin, data):
    assert post(client, "/admin/accounts/new", **data).status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.region_code != "140000")) == 0


def test_taken_usernames_are_refused(client, make, shanxi_admin):
    taken = make.user("bureau", region_code="140100")
    response = post(client, "/admin/accounts/new", username=taken.username, password="a long password", region="140200")
    assert response.status_code == 400 and taken.username in response.get_data(as_text=True)


def test_the_overview_shows_only_the_province(client, make, shanxi_admin):
    make.org(region_code="370102", name="济南某单位")
    make.org(region_code="140105", name="小店某单位")
    make.user("bureau", region_code="370100")
    html = client.get("/admin/").get_data(as_text=True)
    assert "小店某单位" in html and "济南某单位" not in html and "370100" not in html


def test_city_bureaus_and_unit_users_may_not_administer(client, make):
    sign_in(client, make.user("bureau", region_code="140100").username)
    for path in ("/admin/", "/admin/campaigns/new", "/admin/units/new", "/admin/accounts/new"):
        assert client.get(path).status_code == 403


def test_an_admin_may_create_anywhere(client, make):
    sign_in(client, make.user("admin").username)
    response = post(client, "/admin/accounts/new", username="shandong.bureau", password="a long password",
                    region="370000")
    assert response.status_code == 302
    assert post(client, "/admin/units/new", name="济南单位", region="370102", kind="other").status_code == 302
