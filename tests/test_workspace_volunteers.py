"""Volunteers and devices: accounts, passwords, deactivation, pairing QR codes, revoking devices."""
import re
from datetime import timedelta

from sqlalchemy import select
from test_workspace_support import lead, other, post  # noqa: F401 (fixtures)

from lwpwa.accounts.models import ApiToken, PairingCode, User
from lwpwa.accounts.tokens import digest
from lwpwa.database import utcnow
from lwpwa.extensions import db
from lwpwa.workspace import pairing

PAYLOAD = re.compile(r"<code>(LWPAIR:[A-Za-z0-9_-]+)</code>")


def show_pairing_code(client, volunteer):
    response = post(client, f"/unit/volunteers/{volunteer.id}/pair")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<svg" in html and 'class="qr"' in html
    return PAYLOAD.search(html).group(1)


def test_create_a_volunteer_and_sign_in_with_the_password(lead, client, unit):
    response = post(lead, "/unit/volunteers", {"username": "Wang.Li", "display_name": "王丽", "password": "eight chars"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "wang.li"))
    assert (user.role, user.org_id, user.display_name) == ("volunteer", unit.org.id, "王丽")
    token = lead.post("/api/v1/auth/token", json={"username": "wang.li", "password": "eight chars"})
    assert token.status_code == 201


def test_the_volunteer_form_validates(lead, unit):
    for data in ({"username": "", "password": "eight chars"},
                 {"username": "has space", "password": "eight chars"},
                 {"username": "short", "password": "seven77"},
                 {"username": unit.volunteer.username, "password": "eight chars"}):
        response = post(lead, "/unit/volunteers", data)
        assert response.status_code == 400, data
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert lead.post("/unit/volunteers", data={"username": "nocsrf", "password": "eight chars"}).status_code == 400
    assert db.session.scalar(select(User).where(User.username.in_(("short", "nocsrf", "has space")))) is None


def test_reset_password_ends_old_sessions(lead, unit):
    assert post(lead, f"/unit/volunteers/{unit.volunteer.id}/password", {"password": "short"}).status_code == 400
    version = unit.volunteer.session_version
    assert post(lead, f"/unit/volunteers/{unit.volunteer.id}/password", {"password": "a new password"}).status_code == 302
    db.session.refresh(unit.volunteer)
    assert unit.volunteer.session_version == version + 1
    ok = lead.post("/api/v1/auth/token", json={"username": unit.volunteer.username, "password": "a new password"})
    assert ok.status_code == 201


def test_deactivate_signs_every_device_out(lead, unit):
    assert lead.get("/api/v1/me", headers=unit.headers).status_code == 200
    assert post(lead, f"/unit/volunteers/{unit.volunteer.id}/deactivate").status_code == 302
    assert lead.get("/api/v1/me", headers=unit.headers).status_code == 401
    payload_page = post(lead, f"/unit/volunteers/{unit.volunteer.id}/pair")
    assert payload_page.status_code == 404  # no pairing for a deactivated volunteer
    assert post(lead, f"/unit/volunteers/{unit.volunteer.id}/activate").status_code == 302
    db.session.refresh(unit.volunteer)
    assert unit.volunteer.is_active


def test_a_pairing_code_gives_the_phone_a_token_once(lead, client, unit):
    payload = show_pairing_code(lead, unit.volunteer)
    secret = payload.removeprefix("LWPAIR:")
    assert len(secret) >= 22  # at least 128 bits in base64url
    stored = db.session.scalar(select(PairingCode).where(PairingCode.user_id == unit.volunteer.id))
    assert stored.code_hash == digest(secret) and secret not in stored.code_hash
    assert timedelta(minutes=9) < stored.expires_at - stored.created_at <= timedelta(minutes=10)

    first = client.post("/api/v1/auth/pair", json={"code": payload, "device_name": "王丽的手机"})
    assert first.status_code == 201
    body = first.get_json()
    assert body["user"]["id"] == unit.volunteer.id
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).status_code == 200
    again = client.post("/api/v1/auth/pair", json={"code": payload})
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "invalid_pairing_code"
    html = lead.get("/unit/volunteers").get_data(as_text=True)
    assert "王丽的手机" in html


def test_pairing_codes_expire(app, unit):
    payload, code = pairing.create_code(unit.volunteer, unit.lead, now=utcnow() - timedelta(minutes=10, seconds=1))
    db.session.commit()
    assert pairing.redeem(payload) is None
    payload, code = pairing.create_code(unit.volunteer, unit.lead, now=utcnow() - timedelta(minutes=9, seconds=50))
    db.session.commit()
    assert pairing.redeem(payload) is not None


def test_of_two_redemptions_of_one_code_exactly_one_wins(app, unit):
    payload, _code = pairing.create_code(unit.volunteer, unit.lead)
    db.session.commit()
    won = pairing.redeem(payload, "phone A")
    lost = pairing.redeem(payload, "phone B")  # the UPDATE … WHERE used_at IS NULL sees it used
    assert won is not None and lost is None
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == unit.volunteer.id,
                                                     ApiToken.name.like("phone%"))).all() == [won[1]]


def test_bad_pairing_requests(client, unit):
    assert client.post("/api/v1/auth/pair", data="not json").status_code == 400
    assert client.post("/api/v1/auth/pair", json={}).get_json()["error"]["code"] == "validation_error"
    response = client.post("/api/v1/auth/pair", json={"code": "LWPAIR:" + "x" * 43})
    assert response.status_code == 401
    for body, fields in (({"code": None}, {"code"}), ({"code": "   "}, {"code"}),
                         ({"code": "LWPAIR:x\x1b", "device_name": 5}, {"code", "device_name"})):
        response = client.post("/api/v1/auth/pair", json=body)
        assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == fields
    # No device name (null) is the default name, as when it is left out.
    payload, _code = pairing.create_code(unit.volunteer, unit.lead)
    db.session.commit()
    assert client.post("/api/v1/auth/pair", json={"code": payload, "device_name": None}).status_code == 201
    assert "paired phone" in set(db.session.scalars(select(ApiToken.name).where(ApiToken.user_id == unit.volunteer.id)))


def test_revoke_a_device(lead, client, unit):
    payload = show_pairing_code(lead, unit.volunteer)
    token = client.post("/api/v1/auth/pair", json={"code": payload, "device_name": "旧手机"}).get_json()["token"]
    stored = db.session.scalar(select(ApiToken).where(ApiToken.name == "旧手机"))
    assert lead.post(f"/unit/devices/{stored.id}/revoke").status_code == 400  # no CSRF token
    assert post(lead, f"/unit/devices/{stored.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_another_units_volunteers_and_devices_are_not_found(lead, make, unit, other):
    their_token = make.token(other.volunteer)
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == other.volunteer.id))
    v = other.volunteer.id
    for path, data in ((f"/unit/volunteers/{v}/password", {"password": "hijacked!!"}),
                       (f"/unit/volunteers/{v}/deactivate", {}), (f"/unit/volunteers/{v}/activate", {}),
                       (f"/unit/volunteers/{v}/pair", {}), (f"/unit/devices/{stored.id}/revoke", {}),
                       (f"/unit/volunteers/{unit.lead.id}/pair", {})):  # not a volunteer
        assert post(lead, path, data).status_code == 404, path
    assert lead.get("/api/v1/me", headers={"Authorization": f"Bearer {their_token}"}).status_code == 200
    assert db.session.scalar(select(PairingCode)) is None
    html = lead.get("/unit/volunteers").get_data(as_text=True)
    assert other.volunteer.username not in html
