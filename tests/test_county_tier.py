"""County-level bureaus (区县, Shandong delegates the week to 县(市、区)): accounts from the CLI,
the admin pages and the API; they see their county's units and nothing of the next county;
`group_by=county`; and the chain unit → county → city → province of submitted tables."""
import re

import pytest
from test_submissions_api import submit, sync
from test_workspace_support import CSRF, sign_in

from lwpwa.accounts.models import User
from lwpwa.extensions import db


def last_line(result):
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


@pytest.fixture
def counties(client, make):
    """Two units in 小店区 140105, one in 迎泽区 140106, with check-ins; a county bureau each."""
    campaign = make.campaign()
    units = {}
    for key, code in (("xiaodian1", "140105"), ("xiaodian2", "140105"), ("yingze", "140106")):
        org = make.org(region_code=code, name=f"单位-{key}")
        activity = make.activity(org, campaign)
        sync(client, make.auth(make.user("volunteer", org=org)), activity, [make.resident()[1] for _ in range(2)],
             tally=1)
        units[key] = {"org": org, "lead": make.auth(make.user("site_lead", org=org)), "activity": activity}
    xiaodian = make.user("bureau", region_code="140105")
    yingze = make.user("bureau", region_code="140106")
    return campaign, units, xiaodian, yingze


def test_a_county_bureau_account_from_the_cli(runner, app):
    user_id = last_line(runner.invoke(args=["create-user", "xiaodian", "--password", "long enough pw",
                                            "--role", "bureau", "--region", "140105"]))
    assert db.session.get(User, int(user_id)).region_code == "140105"
    refused = runner.invoke(args=["create-user", "nowhere", "--password", "long enough pw", "--role", "bureau",
                                  "--region", "149999"])
    assert refused.exit_code != 0


def test_a_county_bureau_sees_its_county_and_nothing_of_the_next(client, make, counties):
    campaign, units, xiaodian, _yingze = counties
    headers = make.auth(xiaodian)
    own = client.get(f"/api/v1/stats?campaign_id={campaign.id}&group_by=org", headers=headers).get_json()
    assert own["region_code"] == "140105"
    assert {row["key"] for row in own["rows"]} == {str(units[k]["org"].id) for k in ("xiaodian1", "xiaodian2")}
    assert own["totals"]["attendance"] == 6 and own["totals"]["attendance_tallied"] == 2
    yingze_org = units["yingze"]["org"]
    for url in (f"/api/v1/stats?campaign_id={campaign.id}&region=140106",
                f"/api/v1/stats?campaign_id={campaign.id}&region=140100",
                f"/api/v1/regions/140106/report.xlsx?campaign_id={campaign.id}",
                f"/api/v1/orgs/{yingze_org.id}/report.xlsx?campaign_id={campaign.id}",
                f"/api/v1/orgs/{yingze_org.id}/submissions?campaign_id={campaign.id}",
                f"/api/v1/activities/{units['yingze']['activity'].id}/stats"):
        assert client.get(url, headers=headers).status_code == 404, url
    version = submit(client, yingze_org, campaign, units["yingze"]["lead"]).get_json()
    assert client.post(f"/api/v1/submissions/{version['id']}/accept", json={}, headers=headers).status_code == 404
    assert client.get(f"/api/v1/submissions/{version['id']}", headers=headers).status_code == 404
    mine = submit(client, units["xiaodian1"]["org"], campaign, units["xiaodian1"]["lead"]).get_json()
    assert client.post(f"/api/v1/submissions/{mine['id']}/accept", json={}, headers=headers).status_code == 200

    web = sign_in(client.application.test_client(), xiaodian)
    assert web.get("/region/").headers["Location"].endswith("/region/140105/")
    page = web.get(f"/region/140105/?campaign={campaign.id}&basis=live").get_data(as_text=True)
    assert "单位-xiaodian1" in page and "单位-yingze" not in page
    for url in ("/region/140106/", "/region/140100/", f"/region/140106/table?campaign={campaign.id}",
                f"/region/units/{yingze_org.id}/submissions?campaign={campaign.id}"):
        assert web.get(url).status_code == 404, url
    assert web.get("/admin/").status_code == 403


def test_group_by_county_in_a_city_and_a_province(client, make, counties):
    campaign, units, _xiaodian, _yingze = counties
    library = make.org(region_code="140100", name="太原市图书馆")  # a unit of the city itself
    make.activity(library, campaign)
    headers = make.auth(make.user("bureau", region_code="140100"))
    body = client.get(f"/api/v1/stats?campaign_id={campaign.id}&group_by=county", headers=headers).get_json()
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["140105"]["label"] == "小店区" and rows["140105"]["attendance"] == 6
    assert rows["140106"]["attendance"] == 3 and rows["140107"]["attendance"] == 0
    assert rows["140100"]["label"] == "太原市（市直）"
    assert all(key.startswith("1401") for key in rows)
    assert sum(row["attendance"] for row in body["rows"]) == body["totals"]["attendance"] == 9
    province = make.auth(make.user("bureau", region_code="140000"))
    shanxi = client.get(f"/api/v1/stats?campaign_id={campaign.id}&group_by=county&region=140000",
                        headers=province).get_json()
    assert {row["key"][:2] for row in shanxi["rows"]} == {"14"} and len(shanxi["rows"]) > 100
    own = client.get(f"/api/v1/stats?campaign_id={campaign.id}&group_by=county",
                     headers=make.auth(counties[2])).get_json()
    assert [row["key"] for row in own["rows"]] == ["140105"]


def test_the_chain_unit_county_city_province(client, make, counties):
    campaign, units, xiaodian, _yingze = counties
    for key in ("xiaodian1", "xiaodian2", "yingze"):
        assert submit(client, units[key]["org"], campaign, units[key]["lead"]).status_code == 201
    county, city, province = make.auth(xiaodian), make.auth(make.user("bureau", region_code="140100")), \
        make.auth(make.user("bureau", region_code="140000"))
    body = {"campaign_id": campaign.id}
    assert client.post("/api/v1/regions/140106/submissions", json=body, headers=county).status_code == 404
    assert client.post("/api/v1/regions/140105/submissions", json=body, headers=city).status_code == 403
    county_table = client.post("/api/v1/regions/140105/submissions", json=body, headers=county)
    assert county_table.status_code == 201
    county_table = county_table.get_json()
    assert (county_table["kind"], county_table["version"], county_table["region_code"]) == ("region", 1, "140105")
    assert county_table["totals"]["attendance"] == 6 and county_table["totals"]["units_missing"] == 0
    # The county does not decide its own table; the city does.
    own = client.post(f"/api/v1/submissions/{county_table['id']}/accept", json={}, headers=county)
    assert own.status_code == 403 and own.get_json()["error"]["code"] == "not_your_decision"
    assert client.post(f"/api/v1/submissions/{county_table['id']}/accept", json={}, headers=city).status_code == 200
    again = client.post("/api/v1/regions/140105/submissions", json=body, headers=county)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "table_accepted"

    city_table = client.post("/api/v1/regions/140100/submissions", json=body, headers=city).get_json()
    assert city_table["totals"]["attendance"] == 9
    listed = client.get(f"/api/v1/regions/140100/submissions?campaign_id={campaign.id}", headers=province).get_json()
    assert [v["version"] for v in listed] == [1] and listed[0]["changed_since"] is False
    returned = client.post(f"/api/v1/submissions/{city_table['id']}/return", json={"comment": "请核对迎泽区"},
                           headers=province)
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    # The city's table is read by the province, not by a county inside it.
    assert client.get(f"/api/v1/regions/140100/submissions?campaign_id={campaign.id}", headers=county).status_code == 404
    # The province's web page lists the tables of the cities below that have a bureau.
    web = sign_in(client.application.test_client(), make.user("bureau", region_code="140000"))
    html = web.get(f"/region/140000/submissions?campaign={campaign.id}").get_data(as_text=True)
    assert '<tr data-key="140100" data-status="returned">' in html


def test_a_province_creates_a_county_bureau_in_the_admin_pages(client, make):
    web = sign_in(client.application.test_client(), make.user("bureau", region_code="140000"))
    html = web.get("/admin/accounts/new").get_data(as_text=True)
    assert 'value="140105"' in html and 'value="370102"' not in html
    token = CSRF.search(html).group(1)
    response = web.post("/admin/accounts/new", data={"csrf_token": token, "username": "xiaodian-bureau",
                                                     "password": "long enough pw", "region": "140105"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(User).where(User.username == "xiaodian-bureau")).region_code == "140105"
    assert re.search("370102", web.get("/admin/accounts/new").get_data(as_text=True)) is None
