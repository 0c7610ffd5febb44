"""Public reference data: themes, campaigns, regions."""
import pytest

THEME_LABELS = ["终身学习", "开放学习资源", "强化社区教育和老年教育资源共享", "全民阅读",
                "“百姓学习之星”“终身学习品牌项目”推荐宣传展示", "“智慧助老”", "乡村振兴",
                "学习型城市（乡村、社区）建设", "其他"]


def test_the_nine_themes_in_table_order(client):
    themes = client.get("/api/v1/themes").get_json()
    assert [t["key"] for t in themes] == ["lifelong_learning", "open_resources", "resource_sharing",
                                          "reading", "stars_and_brands", "smart_seniors",
                                          "rural_revitalization", "learning_city", "other"]
    assert [t["label"] for t in themes] == THEME_LABELS


def test_the_two_2022_campaigns_of_the_notices(client):
    campaigns = {c["region_code"]: c for c in client.get("/api/v1/campaigns").get_json()}
    shanxi, shandong = campaigns["140000"], campaigns["370000"]
    assert shanxi["title"] == "2022年山西省全民终身学习活动周"
    assert shanxi["report_due_on"] == "2022-12-25"
    assert shandong["report_due_on"] == "2022-12-30"
    assert shanxi["slogan"] == "学习贯彻二十大，终身学习向未来"
    assert set(shanxi) >= {"id", "title", "slogan", "region_code", "starts_on", "ends_on",
                           "report_due_on", "timezone"}
    assert shanxi["timezone"] == "Asia/Shanghai"


def test_regions_by_parent(client):
    provinces = client.get("/api/v1/regions").get_json()
    assert {"code": "140000", "name": "山西省", "level": "province"} in provinces
    assert {"code": "370000", "name": "山东省", "level": "province"} in provinces
    cities = client.get("/api/v1/regions?parent=140000").get_json()
    assert {"code": "140100", "name": "太原市", "level": "city"} in cities
    assert len(cities) == 11
    assert len(client.get("/api/v1/regions?parent=370000").get_json()) == 16
    districts = client.get("/api/v1/regions?parent=140100").get_json()
    assert {"code": "140105", "name": "小店区", "level": "district"} in districts
    assert client.get("/api/v1/regions?parent=999999").get_json() == []


def test_campaigns_of_one_region(client):
    shanxi = client.get("/api/v1/campaigns?region=140000").get_json()
    assert shanxi and {c["region_code"] for c in shanxi} == {"140000"}
    assert client.get("/api/v1/campaigns?region=999999").get_json() == []  # unknown: nothing, as before
    assert len(client.get("/api/v1/campaigns?region=").get_json()) == len(client.get("/api/v1/campaigns").get_json())


def test_the_whole_country_and_an_empty_parent_are_the_provinces(client):
    provinces = client.get("/api/v1/regions").get_json()
    assert client.get("/api/v1/regions?parent=000000").get_json() == provinces
    assert client.get("/api/v1/regions?parent=").get_json() == provinces


@pytest.mark.parametrize("path, name", [
    ("/api/v1/regions?parent=14", "parent"), ("/api/v1/regions?parent=1401000", "parent"),
    ("/api/v1/regions?parent=abcdef", "parent"), ("/api/v1/regions?parent=%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2", "parent"),
    ("/api/v1/regions?parent=140000%0A", "parent"), ("/api/v1/regions?parent=140000&parent=370000", "parent"),
    ("/api/v1/campaigns?region=null", "region"), ("/api/v1/campaigns?region=140000&region=140000", "region"),
])
def test_a_region_code_is_six_ascii_digits_given_once(client, path, name):
    response = client.get(path)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and set(error["fields"]) == {name}
