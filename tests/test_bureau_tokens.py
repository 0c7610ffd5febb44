"""A bureau makes named read-only tokens for its scripts: shown once, limited to its region,
last use shown, revocable; every form carries CSRF."""
import re

import pytest
from test_reports import province  # noqa: F401  (fixture)
from test_web_login import sign_in

from lwpwa.accounts.models import ApiToken
from lwpwa.extensions import db


def form_token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def taiyuan_bureau(client, make):
    user = make.user("bureau", region_code="140100")
    sign_in(client, user.username)
    return user


def make_token(client, name):
    page = client.get("/region/tokens/").get_data(as_text=True)
    response = client.post("/region/tokens/", data={"name": name, "csrf_token": form_token(page)})
    html = response.get_data(as_text=True)
    secret = re.search(r'<code class="secret" id="new-token">([^<]+)</code>', html)
    return response, html, secret.group(1) if secret else None


def test_a_named_read_only_token_shown_once_reads_only_its_region(client, make, province, taiyuan_bureau):  # noqa: F811
    campaign, _units = province
    response, html, secret = make_token(client, "市局汇总脚本")
    assert response.status_code == 200 and secret and secret.startswith("lw_")
    assert response.headers["Cache-Control"] == "no-store"
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "市局汇总脚本"))
    assert token.read_only and token.user_id == taiyuan_bureau.id
    # Shown once: the list never shows it again.
    listing = client.get("/region/tokens/").get_data(as_text=True)
    assert secret not in listing and "市局汇总脚本" in listing
    assert f'data-token="{token.id}" data-last-used=""' in listing

    headers = {"Authorization": f"Bearer {secret}"}
    own = client.get(f"/api/v1/stats?campaign_id={campaign.id}&group_by=org", headers=headers)
    assert own.status_code == 200 and own.get_json()["region_code"] == "140100"
    assert client.get(f"/api/v1/stats?campaign_id={campaign.id}&region=140200", headers=headers).status_code == 404
    assert client.get(f"/api/v1/regions/140000/report.xlsx?campaign_id={campaign.id}", headers=headers).status_code == 404
    assert client.post("/api/v1/activities", json={}, headers=headers).status_code == 403  # read only
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None
    assert f'data-token="{token.id}" data-last-used=""' not in client.get("/region/tokens/").get_data(as_text=True)


def test_revoking_a_token_stops_it(client, make, province, taiyuan_bureau):  # noqa: F811
    campaign, _units = province
    _r, _html, secret = make_token(client, "nightly export")
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "nightly export"))
    page = client.get("/region/tokens/").get_data(as_text=True)
    assert client.post(f"/region/tokens/{token.id}/revoke").status_code == 400  # no CSRF token
    response = client.post(f"/region/tokens/{token.id}/revoke", data={"csrf_token": form_token(page)})
    assert response.status_code == 302
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/stats?campaign_id={campaign.id}", headers=headers).status_code == 401
    assert f'data-token="{token.id}"' not in client.get("/region/tokens/").get_data(as_text=True)


def test_nobody_revokes_or_sees_another_users_token(client, make, taiyuan_bureau):
    other = make.user("bureau", region_code="140100")
    secret = make.token(other)
    theirs = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == other.id))
    page = client.get("/region/tokens/").get_data(as_text=True)
    assert "pytest" not in page
    response = client.post(f"/region/tokens/{theirs.id}/revoke", data={"csrf_token": form_token(page)})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None and secret


def test_a_token_needs_a_name_and_a_csrf_token(client, taiyuan_bureau):
    page = client.get("/region/tokens/").get_data(as_text=True)
    assert client.post("/region/tokens/", data={"name": "x"}).status_code == 400
    response = client.post("/region/tokens/", data={"name": "  ", "csrf_token": form_token(page)})
    assert response.status_code == 400 and 'id="new-token"' not in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_only_bureau_users_have_the_token_page(client, make):
    sign_in(client, make.user("admin").username)
    assert client.get("/region/tokens/").status_code == 403
