"""POST/DELETE /api/v1/auth/token: tokens for devices and scripts."""
from lwpwa.accounts import tokens
from lwpwa.accounts.models import ApiToken
from lwpwa.extensions import db


def login(client, username, password="correct horse battery", **extra):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password, **extra})


def test_a_token_for_the_right_password(client, make):
    org = make.org()
    user = make.user("volunteer", org=org)
    response = login(client, user.username, device_name="志愿者的手机")
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"] == {"id": user.id, "username": user.username, "role": "volunteer",
                            "org_id": org.id, "region_code": None}
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["username"] == user.username


def test_tokens_are_stored_hashed(client, make):
    user = make.user("admin")
    secret = login(client, user.username).get_json()["token"]
    stored = db.session.query(ApiToken).one()
    assert secret not in (stored.token_hash, stored.name) and len(stored.token_hash) == 64


def test_wrong_credentials_are_401_invalid_credentials(client, make):
    user = make.user("admin")
    for username, password in ((user.username, "wrong password"), ("nobody", "whatever1")):
        response = login(client, username, password)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_a_deactivated_user_gets_no_token(client, make):
    user = make.user("admin")
    user.is_active_account = False
    db.session.commit()
    assert login(client, user.username).status_code == 401


def test_missing_fields_and_bad_bodies(client):
    response = client.post("/api/v1/auth/token", json={"username": 3})
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"username", "password"}
    response = client.post("/api/v1/auth/token", data="{", content_type="application/json")
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_null_credentials_are_missing_and_a_null_device_name_is_none(client, make):
    response = client.post("/api/v1/auth/token", json={"username": None, "password": None})
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"username", "password"}
    user = make.user("volunteer", org=make.org())
    assert login(client, f"  {user.username.upper()} ", device_name=None).status_code == 201
    assert db.session.query(ApiToken).one().name is None


def test_the_password_is_taken_exactly_as_typed(client, make):
    user = make.user("admin")
    assert login(client, user.username, "correct horse battery ").status_code == 401
    response = login(client, user.username, "a\x00b")
    assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {"password"}


def test_delete_revokes_the_token_it_is_called_with(client, make):
    user = make.user("admin")
    headers = {"Authorization": f"Bearer {login(client, user.username).get_json()['token']}"}
    other = {"Authorization": f"Bearer {login(client, user.username).get_json()['token']}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=other).status_code == 200


def test_ten_failures_per_username_then_429_with_retry_after(client, make):
    user = make.user("admin")
    for _ in range(10):
        assert login(client, user.username, "wrong password").status_code == 401
    response = login(client, user.username)  # even the right password waits now
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"]["code"] == "rate_limited"
    # Other people at the same venue (same address) can still sign in.
    other = make.user("admin")
    assert login(client, other.username).status_code == 201


def test_successful_logins_from_one_address_are_not_limited_below_60_a_minute(client, make):
    users = [make.user("admin") for _ in range(3)]
    for i in range(60):
        assert login(client, users[i % 3].username).status_code == 201


def test_a_read_only_token_cannot_write(client, unit, make):
    secret, token = tokens.issue_token(unit.volunteer, name="script")
    token.read_only = True
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/activities/{unit.activity.id}", headers=headers).status_code == 200
    response = client.post("/api/v1/sync", json={"device_id": "d", "sent_at": "2022-12-15T10:00:05+08:00",
                                                 "checkins": []}, headers=headers)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "read_only_token"
