"""Signing in to the web pages: CSRF, password managers, rate limits, sessions that end."""
import re

from lwpwa.extensions import db


def csrf_token(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def sign_in(client, username, password="correct horse battery"):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def test_the_form_suits_password_managers(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html


def test_sign_in_and_out(client, make):
    user = make.user("site_lead", org=make.org())
    response = sign_in(client, user.username)
    assert response.status_code == 302
    assert user.username in client.get("/").get_data(as_text=True)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert user.username not in client.get("/").get_data(as_text=True)


def test_posts_without_csrf_are_refused(client, make):
    user = make.user("admin")
    response = client.post("/login", data={"username": user.username, "password": "correct horse battery"})
    assert response.status_code == 400
    assert user.username not in client.get("/").get_data(as_text=True)


def test_wrong_password_says_so_and_signs_nobody_in(client, make):
    user = make.user("admin")
    response = sign_in(client, user.username, "wrong password")
    assert response.status_code == 200 and "用户名或密码错误" in response.get_data(as_text=True)


def test_a_password_change_ends_old_sessions(client, make):
    user = make.user("admin")
    sign_in(client, user.username)
    assert user.username in client.get("/").get_data(as_text=True)
    user.session_version += 1
    db.session.commit()
    assert user.username not in client.get("/").get_data(as_text=True)


def test_web_login_is_limited_per_username(client, make):
    user = make.user("admin")
    for _ in range(10):
        assert sign_in(client, user.username, "wrong password").status_code == 200
    response = sign_in(client, user.username)
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_a_session_cookie_copied_before_logout_no_longer_works(client, app, make):
    user = make.user("admin")
    sign_in(client, user.username)
    stolen = client.get_cookie("session").value
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    client.post("/logout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert user.username not in thief.get("/").get_data(as_text=True)


def test_the_start_page_leads_each_role_to_its_workspace(app, client, make):
    org = make.org()
    for role, scope, target in (("site_lead", {"org": org}, "/unit/"), ("bureau", {"region_code": "140100"}, "/region/"),
                                ("admin", {}, "/admin/"), ("volunteer", {"org": org}, "/app/")):
        user = make.user(role, **scope)
        browser = app.test_client()
        sign_in(browser, user.username)
        assert f'href="{target}"' in browser.get("/").get_data(as_text=True), role
