"""Activities in the workspace: create, edit, copy, cancel and restore, with the API's rules."""
import re
from datetime import datetime, timedelta

import pytest
from conftest import ZONE
from sqlalchemy import select
from test_workspace_support import lead, other, post  # noqa: F401 (fixtures)

from lwpwa.activities.models import Activity
from lwpwa.extensions import db


def form_data(unit, **changes):
    start = datetime.now(ZONE).replace(second=0, microsecond=0) + timedelta(days=1)
    data = {"campaign": str(unit.campaign.id), "theme": "open_resources", "name": "开放课程推介会",
            "form": "lecture", "mode": "hybrid", "content": "推介优质课程", "courses": "手机摄影\n\n  短视频剪辑 ",
            "venue": "社区学校", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "capacity": "40",
            "news_links": "https://example.org/a\nhttps://example.org/b"}
    data.update(changes)
    return data


def activities_named(name):
    return db.session.scalars(select(Activity).where(Activity.name == name)).all()


def test_create_an_activity_with_every_field(lead, unit):
    response = post(lead, "/unit/activities/new", form_data(unit))
    assert response.status_code == 302
    (activity,) = activities_named("开放课程推介会")
    assert response.headers["Location"].endswith(f"/unit/activities/{activity.id}")
    assert (activity.org_id, activity.campaign_id, activity.created_by_id) == (unit.org.id, unit.campaign.id, unit.lead.id)
    assert activity.courses == ["手机摄影", "短视频剪辑"]
    assert activity.news_links == ["https://example.org/a", "https://example.org/b"]
    assert (activity.theme, activity.form, activity.mode, activity.capacity) == ("open_resources", "lecture", "hybrid", 40)
    # The form's local time is the campaign's (Asia/Shanghai), stored as that instant.
    assert activity.starts_at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M") == form_data(unit)["starts_at"]


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "必填"),
    ({"theme": "astrology"}, "theme", "不是有效的选择"),
    ({"starts_at": "tomorrow"}, "starts_at", "日期"),
    ({"capacity": "0"}, "capacity", "1 到 1000000"),
    ({"news_links": "example.org/news"}, "news_links", "http:// 或 https://"),
])
def test_bad_fields_are_shown_and_nothing_is_saved(lead, unit, changes, field, message):
    response = post(lead, "/unit/activities/new", form_data(unit, name=changes.get("name", "坏活动"),
                                                              **{k: v for k, v in changes.items() if k != "name"}))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请修改下面标出的内容" in html
    marked = re.search(rf'<[a-z]+ aria-invalid="true"[^>]* name="{field}"[^>]*>.*?<p class="field-error">([^<]+)</p>',
                       html, re.S)
    assert marked and message in marked.group(1), html
    assert activities_named("坏活动") == []


def test_the_end_must_be_after_the_start(lead, unit):
    data = form_data(unit, name="倒着的活动")
    data["ends_at"] = data["starts_at"]
    response = post(lead, "/unit/activities/new", data)
    assert response.status_code == 400
    assert '<p class="field-error">结束时间须晚于开始时间。</p>' in response.get_data(as_text=True)
    assert activities_named("倒着的活动") == []


def test_forms_without_csrf_are_refused(lead, unit):
    response = lead.post("/unit/activities/new", data=form_data(unit, name="无令牌"))
    assert response.status_code == 400
    assert activities_named("无令牌") == []
    response = lead.post(f"/unit/activities/{unit.activity.id}/cancel")
    assert response.status_code == 400
    db.session.refresh(unit.activity)
    assert unit.activity.is_cancelled is False


def test_edit_keeps_what_is_not_changed(lead, unit):
    html = lead.get(f"/unit/activities/{unit.activity.id}/edit").get_data(as_text=True)
    assert f'value="{unit.activity.name}"' in html
    local = unit.activity.starts_at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in html
    data = form_data(unit, name="改名后的讲座", theme="smart_seniors", courses="")
    data["starts_at"] = local
    data["ends_at"] = unit.activity.ends_at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")
    response = post(lead, f"/unit/activities/{unit.activity.id}/edit", data)
    assert response.status_code == 302
    db.session.refresh(unit.activity)
    assert unit.activity.name == "改名后的讲座"
    assert unit.activity.courses == []
    assert unit.activity.starts_at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M") == local


def test_copy_prefills_a_new_activity(lead, unit):
    unit.activity.content = "教老人用手机挂号"
    db.session.commit()
    html = lead.get(f"/unit/activities/new?copy={unit.activity.id}").get_data(as_text=True)
    assert f"{unit.activity.name}（副本）" in html
    assert "教老人用手机挂号" in html
    assert 'action="/unit/activities/new"' in html


def test_cancel_takes_an_activity_out_of_the_table_and_restore_brings_it_back(lead, unit):
    assert post(lead, f"/unit/activities/{unit.activity.id}/cancel").status_code == 302
    db.session.refresh(unit.activity)
    assert unit.activity.is_cancelled
    assert unit.activity.name not in lead.get("/unit/table").get_data(as_text=True)
    assert post(lead, f"/unit/activities/{unit.activity.id}/restore").status_code == 302
    db.session.refresh(unit.activity)
    assert not unit.activity.is_cancelled
    assert unit.activity.name in lead.get("/unit/table").get_data(as_text=True)


def test_another_units_activities_are_not_found(lead, unit, other):
    a = other.activity.id
    for path in (f"/unit/activities/{a}", f"/unit/activities/{a}/edit", f"/unit/activities/{a}/sign-in-sheet",
                 f"/unit/activities/new?copy={a}"):
        assert lead.get(path).status_code == 404, path
    for path in (f"/unit/activities/{a}/edit", f"/unit/activities/{a}/cancel", f"/unit/activities/{a}/restore"):
        assert post(lead, path, form_data(unit, name="劫持")).status_code == 404, path
    db.session.refresh(other.activity)
    assert other.activity.name == "乙单位的活动" and not other.activity.is_cancelled


def test_a_campaign_not_covering_the_unit_cannot_be_chosen(lead, make, unit):
    shandong = make.campaign(region_code="370000")
    response = post(lead, "/unit/activities/new", form_data(unit, name="山东的活动", campaign=str(shandong.id)))
    assert response.status_code == 400
    assert activities_named("山东的活动") == []


def test_ids_out_of_range_are_not_found(lead, unit):
    huge = 2**70
    for path in (f"/unit/activities/{huge}", f"/unit/activities/{2**31}/edit", f"/unit/?campaign={huge}",
                 f"/unit/activities/new?copy={huge}", "/unit/table?campaign=-1"):
        assert lead.get(path).status_code == 404, path
    for path in (f"/unit/review/{huge}", f"/unit/volunteers/{huge}/pair", f"/unit/devices/{huge}/revoke"):
        assert post(lead, path, {"decision": "approve", "note": "x"}).status_code == 404, path
