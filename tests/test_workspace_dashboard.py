"""The unit dashboard: campaign, deadline, activities with live counts, what needs attention."""
from datetime import datetime, timedelta

from conftest import ZONE, checkin, sync_body
from test_workspace_support import lead, other, sign_in  # noqa: F401 (fixtures)

from lwpwa.extensions import db


def test_only_site_leads_see_the_workspace(client, make, unit):
    assert client.get("/unit/").status_code == 302  # to the login page
    sign_in(client, unit.volunteer)
    assert client.get("/unit/").status_code == 403


def test_the_dashboard_shows_the_campaign_deadline_and_live_counts(lead, make, unit):
    _resident, code = make.resident(display_name="张三")
    response = lead.post("/api/v1/sync", headers=unit.headers,
                         json=sync_body([checkin(unit.activity.id, code=code),
                                         checkin(unit.activity.id, headcount=4)]))
    assert response.status_code == 200
    html = lead.get("/unit/").get_data(as_text=True)
    assert unit.campaign.title in html
    assert unit.campaign.report_due_on.isoformat() in html
    days_left = (unit.campaign.report_due_on - datetime.now(ZONE).date()).days
    assert f"还剩 {days_left} 天" in html
    assert unit.activity.name in html
    assert f'data-activity="{unit.activity.id}" data-kind="attendance">5<' in html  # 1 scanned + 4 tally
    assert "统计表尚未报送" in html


def test_attention_lists_held_check_ins_and_missing_news_links(lead, make, unit):
    past = make.activity(unit.org, unit.campaign, name="昨天的讲座",
                         starts_at=datetime.now(ZONE).replace(microsecond=0) - timedelta(days=1))
    _resident, code = make.resident()
    far = datetime.now(ZONE) + timedelta(days=3)
    lead.post("/api/v1/sync", headers=unit.headers,
              json=sync_body([checkin(unit.activity.id, code=code, scanned_at=far)]))
    html = lead.get("/unit/").get_data(as_text=True)
    assert "1 条签到等待您审核" in html
    assert "“昨天的讲座”还没有新闻链接" in html
    past.news_links = ["https://example.org/news/1"]
    db.session.commit()
    assert "“昨天的讲座”还没有新闻链接" not in lead.get("/unit/").get_data(as_text=True)


def test_a_campaign_of_another_province_is_not_found(lead, make, unit):
    shandong = make.campaign(region_code="370000")
    assert lead.get(f"/unit/?campaign={shandong.id}").status_code == 404
    assert lead.get(f"/unit/?campaign={unit.campaign.id}").status_code == 200


def test_the_dashboard_lists_only_the_own_unit(lead, other):
    assert other.activity.name not in lead.get("/unit/").get_data(as_text=True)


def test_a_cancelled_activity_keeps_its_counts_on_the_dashboard_but_not_in_the_totals(lead, make, unit):
    _resident, code = make.resident()
    lead.post("/api/v1/sync", headers=unit.headers, json=sync_body([checkin(unit.activity.id, code=code),
                                                                     checkin(unit.activity.id, headcount=2)]))
    unit.activity.is_cancelled = True
    db.session.commit()
    html = lead.get("/unit/").get_data(as_text=True)
    assert "已取消" in html and f'data-activity="{unit.activity.id}" data-kind="attendance">3<' in html
    assert "共 0 项活动 · 参与 0 人次" in html


def test_missing_contacts_need_attention(lead, unit):
    assert "请填写统计表下方的负责人" not in lead.get("/unit/").get_data(as_text=True)
    unit.org.phone = None
    db.session.commit()
    assert "请填写统计表下方的负责人" in lead.get("/unit/").get_data(as_text=True)


def test_live_counts_follow_the_stats_api(lead, make, unit, other):
    empty = lead.get("/unit/live.json").get_json()
    assert empty["activities"] == {str(unit.activity.id): {"attendance": 0, "volunteers": 0, "held": 0}}
    _resident, code = make.resident()
    late = datetime.now(ZONE) + timedelta(days=3)
    lead.post("/api/v1/sync", headers=unit.headers, json=sync_body([
        checkin(unit.activity.id, code=code), checkin(unit.activity.id, code=code, kind="volunteer"),
        checkin(unit.activity.id, headcount=3), checkin(unit.activity.id, code=code, scanned_at=late)]))
    response = lead.get("/unit/live.json")
    assert response.headers["Cache-Control"] == "no-store"
    live = response.get_json()["activities"][str(unit.activity.id)]
    stats = lead.get(f"/api/v1/activities/{unit.activity.id}/stats", headers=unit.lead_headers).get_json()
    assert live == {"attendance": stats["attendance"], "volunteers": stats["volunteers"], "held": stats["held"]}
    assert live == {"attendance": 4, "volunteers": 1, "held": 1}
    assert str(other.activity.id) not in response.get_json()["activities"]
    shandong = make.campaign(region_code="370000")
    assert lead.get(f"/unit/live.json?campaign={shandong.id}").status_code == 404


def test_the_dashboard_loads_its_live_script_as_a_module_file(lead, unit):
    html = lead.get("/unit/").get_data(as_text=True)
    assert '<script type="module" src="/static/js/workspace-live.js"></script>' in html
    assert 'data-live="/unit/live.json?campaign=' in html
