"""Helpers shared by the workspace tests (no tests here): signing in and posting with CSRF."""
import re

import pytest

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path="/unit/"):
    html = client.get(path).get_data(as_text=True)
    return CSRF.search(html).group(1)


def sign_in(client, user, password="correct horse battery"):
    html = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": user.username, "password": password,
                                           "csrf_token": CSRF.search(html).group(1)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post(client, path, data=None, **kwargs):
    """POST with the session's CSRF token, as the page's form would."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(path, data=data, **kwargs)


@pytest.fixture
def lead(client, unit):
    """The unit's site lead, signed in."""
    sign_in(client, unit.lead)
    return client


@pytest.fixture
def other(make, unit):
    """Unit B in another city (Datong), with its own lead, activity, volunteer."""

    class Other:
        pass

    b = Other()
    b.org = make.org(region_code="140200")
    b.lead = make.user("site_lead", org=b.org)
    b.volunteer = make.user("volunteer", org=b.org)
    b.activity = make.activity(b.org, unit.campaign, name="乙单位的活动")
    return b
