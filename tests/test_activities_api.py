"""Activities: created by a unit's site lead, seen only inside the caller's scope."""
from datetime import datetime, timedelta

import pytest
from conftest import ZONE


def payload(unit, **changes):
    start = datetime.now(ZONE).replace(hour=9, minute=0, second=0, microsecond=0)
    body = {"campaign_id": unit.campaign.id, "org_id": unit.org.id, "theme": "open_resources",
            "name": "开放课程推介", "content": "推介优质在线课程", "form": "lecture", "mode": "online",
            "venue": "社区学校", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "news_links": ["https://example.org/news/1"], "courses": ["手机摄影入门"], "capacity": 50}
    body.update(changes)
    return body


def test_a_site_lead_creates_an_activity(client, unit):
    response = client.post("/api/v1/activities", json=payload(unit), headers=unit.lead_headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["id"] > 0 and body["theme"] == "open_resources" and body["courses"] == ["手机摄影入门"]
    assert body["starts_at"].endswith("+08:00")
    assert client.get(f"/api/v1/activities/{body['id']}", headers=unit.headers).get_json() == body


@pytest.mark.parametrize("changes, field", [
    ({"theme": "sports"}, "theme"),
    ({"form": "party"}, "form"),
    ({"mode": "radio"}, "mode"),
    ({"name": ""}, "name"),
    ({"name": "名" * 201}, "name"),
    ({"starts_at": "2022-12-15 09:00"}, "starts_at"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": "50"}, "capacity"),
    ({"news_links": ["javascript:alert(1)"]}, "news_links"),
    ({"news_links": "https://example.org"}, "news_links"),
    ({"courses": [1, 2]}, "courses"),
    ({"campaign_id": 999999}, "campaign_id"),
    ({"campaign_id": "1"}, "campaign_id"),
])
def test_bad_values_answer_400_with_the_field(client, unit, changes, field):
    response = client.post("/api/v1/activities", json=payload(unit, **changes), headers=unit.lead_headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]


def test_the_end_must_follow_the_start(client, unit):
    body = payload(unit)
    body["ends_at"] = body["starts_at"]
    response = client.post("/api/v1/activities", json=body, headers=unit.lead_headers)
    assert "ends_at" in response.get_json()["error"]["fields"]


def test_volunteers_and_bureaus_cannot_create(client, unit, make):
    assert client.post("/api/v1/activities", json=payload(unit), headers=unit.headers).status_code == 403
    bureau = make.auth(make.user("bureau", region_code="140100"))
    assert client.post("/api/v1/activities", json=payload(unit), headers=bureau).status_code == 403


def test_a_site_lead_cannot_create_for_another_unit(client, unit, make):
    other = make.org(name="别家")
    response = client.post("/api/v1/activities", json=payload(unit, org_id=other.id), headers=unit.lead_headers)
    assert response.status_code == 400 and "org_id" in response.get_json()["error"]["fields"]


def test_patch_changes_fields_and_validates(client, unit):
    url = f"/api/v1/activities/{unit.activity.id}"
    response = client.patch(url, json={"name": "改过的名字", "capacity": 80}, headers=unit.lead_headers)
    assert response.status_code == 200
    assert response.get_json()["name"] == "改过的名字" and response.get_json()["capacity"] == 80
    assert client.patch(url, json={"form": "nope"}, headers=unit.lead_headers).status_code == 400
    for field in ("theme", "name", "starts_at", "mode"):
        response = client.patch(url, json={field: None}, headers=unit.lead_headers)
        assert response.status_code == 400 and field in response.get_json()["error"]["fields"]
    assert client.patch(url, json={"name": "x"}, headers=unit.headers).status_code == 403


def test_listing_by_day_and_campaign(client, unit, make):
    tomorrow = unit.activity.starts_at + timedelta(days=1)
    later = make.activity(unit.org, unit.campaign, starts_at=tomorrow)
    today = datetime.now(ZONE).date()
    listed = client.get(f"/api/v1/activities?on={today}", headers=unit.headers).get_json()
    assert [a["id"] for a in listed] == [unit.activity.id]
    listed = client.get(f"/api/v1/activities?campaign_id={unit.campaign.id}", headers=unit.headers).get_json()
    assert [a["id"] for a in listed] == [unit.activity.id, later.id]
    assert client.get("/api/v1/activities?on=tomorrow", headers=unit.headers).status_code == 400


def test_scopes_unit_city_province(client, make):
    campaign = make.campaign()
    taiyuan_unit = make.org(region_code="140105", name="太原的单位")
    datong_unit = make.org(region_code="140200", name="大同的单位")
    jinan_unit = make.org(region_code="370102", name="济南的单位")
    a_taiyuan = make.activity(taiyuan_unit, campaign)
    a_datong = make.activity(datong_unit, campaign)
    a_jinan = make.activity(jinan_unit, campaign)

    def visible(user):
        headers = make.auth(user)
        listed = {a["id"] for a in client.get("/api/v1/activities", headers=headers).get_json()}
        for activity in (a_taiyuan, a_datong, a_jinan):
            one = client.get(f"/api/v1/activities/{activity.id}", headers=headers).status_code
            stats = client.get(f"/api/v1/activities/{activity.id}/stats", headers=headers).status_code
            assert (one == 200) == (activity.id in listed) == (stats == 200)
            assert one in (200, 404)
        return listed

    assert visible(make.user("volunteer", org=taiyuan_unit)) == {a_taiyuan.id}
    assert visible(make.user("bureau", region_code="140100")) == {a_taiyuan.id}
    assert visible(make.user("bureau", region_code="140200")) == {a_datong.id}
    assert visible(make.user("bureau", region_code="140000")) == {a_taiyuan.id, a_datong.id}
    assert visible(make.user("bureau", region_code="370000")) == {a_jinan.id}
    assert visible(make.user("admin")) == {a_taiyuan.id, a_datong.id, a_jinan.id}


def test_a_bureau_asking_for_another_regions_activity_gets_404_with_no_detail(client, make):
    campaign = make.campaign()
    activity = make.activity(make.org(region_code="140200"), campaign)
    bureau = make.auth(make.user("bureau", region_code="140100"))
    response = client.get(f"/api/v1/activities/{activity.id}", headers=bureau)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/activities/987654", headers=bureau).get_json() == response.get_json()


def test_ids_too_large_for_any_column_are_404_or_400_not_500(client, unit):
    huge = 2**40
    assert client.get(f"/api/v1/activities/{huge}", headers=unit.headers).status_code == 404
    assert client.patch(f"/api/v1/activities/{huge}", json={}, headers=unit.lead_headers).status_code == 404
    assert client.get(f"/api/v1/activities/{huge}/stats", headers=unit.headers).status_code == 404
    assert client.get(f"/api/v1/activities?campaign_id={huge}", headers=unit.headers).status_code == 400
    body = {"campaign_id": huge, "org_id": huge}
    response = client.post("/api/v1/activities", json=body, headers=unit.lead_headers)
    assert response.status_code == 400 and {"campaign_id", "org_id"} <= set(response.get_json()["error"]["fields"])
