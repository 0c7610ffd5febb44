"""Small fixes of issue 13's walk-through: an activity lies within its campaign's week (API and
form), the CSV's Content-Type says its charset once, the mode list says 线下, a favicon."""
from datetime import datetime, time, timedelta

from lwpwa.workspace.forms import MODE_CHOICES


def body(unit, starts_at, ends_at):
    return {"campaign_id": unit.campaign.id, "org_id": unit.org.id, "theme": "reading", "name": "读书会",
            "content": "共读", "form": "reading_salon", "mode": "offline", "venue": "图书馆",
            "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "news_links": [], "courses": []}


def test_an_activity_outside_its_campaigns_week_is_refused_with_a_clear_error(client, unit):
    zone = unit.campaign.zone
    after = datetime.combine(unit.campaign.ends_on + timedelta(days=1), time(9), zone)
    before = datetime.combine(unit.campaign.starts_on - timedelta(days=1), time(20), zone)
    last_evening = datetime.combine(unit.campaign.ends_on, time(20), zone)
    for starts, ends, field in ((after, after + timedelta(hours=2), "starts_at"),
                                (before, before + timedelta(hours=2), "starts_at"),
                                (last_evening, last_evening + timedelta(hours=5), "ends_at")):
        response = client.post("/api/v1/activities", json=body(unit, starts, ends), headers=unit.lead_headers)
        assert response.status_code == 400, (starts, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert unit.campaign.ends_on.isoformat() in error["fields"].get(field, ""), error
    inside = datetime.combine(unit.campaign.ends_on, time(9), zone)
    response = client.post("/api/v1/activities", json=body(unit, inside, inside + timedelta(hours=2)),
                           headers=unit.lead_headers)
    assert response.status_code == 201, response.get_json()
    moved = client.patch(f"/api/v1/activities/{response.get_json()['id']}", headers=unit.lead_headers,
                         json={"starts_at": after.isoformat(), "ends_at": (after + timedelta(hours=1)).isoformat()})
    assert moved.status_code == 400
    assert "ends_at" in moved.get_json()["error"]["fields"] or "starts_at" in moved.get_json()["error"]["fields"]


def test_the_activity_form_refuses_dates_outside_the_week_at_the_field(client, unit):
    from test_workspace_activities import form_data
    from test_workspace_support import post, sign_in
    sign_in(client, unit.lead)
    after = unit.campaign.ends_on + timedelta(days=2)
    response = post(client, "/unit/activities/new", form_data(
        unit, name="周外的活动", starts_at=f"{after.isoformat()}T09:00", ends_at=f"{after.isoformat()}T11:00"))
    assert response.status_code in (200, 400)
    assert "活动须在活动周" in response.get_data(as_text=True)


def test_the_mode_list_says_in_person_not_offline(client):
    from flask_babel import force_locale
    with force_locale("zh_Hans"):
        assert [str(choice.label) for choice in MODE_CHOICES] == ["线下", "线上", "线上线下结合"]


def test_csv_content_type_names_its_charset_once(client, make, unit):
    bureau = make.auth(make.user("bureau", region_code="140000"))
    response = client.get(f"/api/v1/stats?campaign_id={unit.campaign.id}&region=140000&group_by=org&format=csv",
                          headers=bureau)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_flask_commands_find_the_key_that_make_run_keeps(tmp_path):
    from lwpwa.config import instance_secret
    assert instance_secret(tmp_path) == ""
    (tmp_path / ".secret_key").write_text("k" * 48 + "\n", encoding="utf-8")
    assert instance_secret(tmp_path) == "k" * 48


def test_the_tokens_page_makes_one_token_per_form_and_shows_local_times(client, make, unit):
    import re

    from sqlalchemy import func, select
    from test_workspace_support import sign_in

    from lwpwa.accounts.models import ApiToken
    from lwpwa.extensions import db
    bureau = make.user("bureau", region_code="140000")
    sign_in(client, bureau)
    page = client.get("/region/tokens/").get_data(as_text=True)
    form = {name: value for name, value in re.findall(r'name="(csrf_token|once)" type="hidden" value="([^"]+)"', page)}
    if len(form) < 2:  # attribute order differs between WTForms versions
        form = {name: value for value, name in re.findall(r'value="([^"]+)"[^>]*name="(csrf_token|once)"', page)} | form
    assert set(form) == {"csrf_token", "once"}, page
    first = client.post("/region/tokens/", data={**form, "name": "每日汇总脚本"})
    assert first.status_code == 200 and "new-token" in first.get_data(as_text=True)
    html = first.get_data(as_text=True)
    assert f"campaign_id={unit.campaign.id}&amp;" in html
    assert "名称" in html and " UTC" not in html
    again = client.post("/region/tokens/", data={**form, "name": "每日汇总脚本"})  # the browser's reload
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == bureau.id)) == 1
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == bureau.id))
    local = token.created_at.astimezone(unit.campaign.zone).strftime("%Y-%m-%d %H:%M")
    assert local in client.get("/region/tokens/").get_data(as_text=True)


def test_admin_pages_name_regions(client, make, unit):
    from test_workspace_support import sign_in
    sign_in(client, make.user("bureau", region_code="140000"))
    html = client.get("/admin/").get_data(as_text=True)
    row = html[html.index(f'data-campaign="{unit.campaign.id}"'):]
    row = row[:row.index("</tr>")]
    assert "山西省" in row and "<td>140000</td>" not in row
