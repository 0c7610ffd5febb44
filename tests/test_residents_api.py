"""Public registration of residents with consent; a resident's own key; erasure."""
import pytest

from lwpwa.extensions import db
from lwpwa.residents import codes
from lwpwa.residents.models import Resident


def register(client, **body):
    return client.post("/api/v1/residents", json=body)


def test_registration_with_consent_gives_a_code_and_a_private_key(client):
    response = register(client, display_name="张秀英", age_group="60_plus", community="坞城社区", consent=True)
    assert response.status_code == 201
    body = response.get_json()
    assert codes.parse(body["code"]) == body["code"] and len(body["code"]) == 17
    assert len(body["resident_key"]) >= 32
    resident = db.session.query(Resident).one()
    # The key is kept hashed; the code holds no personal data.
    assert body["resident_key"] not in (resident.key_hash or "")
    assert "张" not in body["code"]
    me = client.get("/api/v1/residents/me", headers={"Authorization": f"Resident {body['resident_key']}"})
    assert me.get_json()["display_name"] == "张秀英" and me.get_json()["code"] == body["code"]


def test_a_code_has_at_least_80_random_bits_and_no_repeats():
    assert codes.BODY_LENGTH * 5 >= 80
    assert len({codes.new_code() for _ in range(2000)}) == 2000


def test_nothing_is_required_but_consent(client):
    assert register(client, consent=True).status_code == 201


@pytest.mark.parametrize("body, status, code", [
    ({}, 400, "consent_required"),
    ({"consent": False}, 400, "consent_required"),
    ({"consent": "yes"}, 400, "validation_error"),
    ({"consent": True, "age_group": "under_14"}, 400, "guardian_consent_required"),
    ({"consent": True, "age_group": "under_14", "guardian_consent": False}, 400, "guardian_consent_required"),
    ({"consent": True, "age_group": "70_plus"}, 400, "validation_error"),
    ({"consent": True, "display_name": "名" * 65}, 400, "validation_error"),
    ({"consent": True, "display_name": 42}, 400, "validation_error"),
    ({"consent": True, "community": "x\u0000y"}, 400, "validation_error"),
    ({"consent": True, "community": "社" * 101}, 400, "validation_error"),
])
def test_the_validation_matrix(client, body, status, code):
    response = register(client, **body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert db.session.query(Resident).count() == 0


def test_an_under_14_with_guardian_consent_registers(client):
    response = register(client, consent=True, age_group="under_14", guardian_consent=True)
    assert response.status_code == 201
    assert db.session.query(Resident).one().guardian_consent_at is not None


def test_non_json_is_a_clear_400(client):
    response = client.post("/api/v1/residents", data="consent=true", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


def test_erasure_removes_personal_data_and_the_key_stops_working(client):
    body = register(client, display_name="李四", age_group="18_59", community="某社区", consent=True).get_json()
    headers = {"Authorization": f"Resident {body['resident_key']}"}
    assert client.delete("/api/v1/residents/me", headers=headers).status_code == 204
    resident = db.session.query(Resident).filter_by(source="registration").one()
    assert (resident.display_name, resident.age_group, resident.community, resident.key_hash) == (None,) * 4
    assert resident.erased_at is not None
    assert client.delete("/api/v1/residents/me", headers=headers).status_code == 401
    assert client.get("/api/v1/residents/me", headers=headers).status_code == 401


def test_a_wrong_key_is_401(client):
    for header in ("Resident nope", "Bearer something", ""):
        response = client.delete("/api/v1/residents/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_resident_key"


def test_registration_is_rate_limited_per_address_but_allows_60_a_minute(client):
    for _ in range(60):
        assert register(client, consent=True).status_code == 201
    response = register(client, consent=True)
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_nulls_are_none_and_the_document_says_so(client):
    """The PWA sends null for what was left empty; consent null is consent not given."""
    body = {"display_name": None, "age_group": None, "community": None, "consent": True,
            "guardian_consent": None}
    assert register(client, **body).status_code == 201
    response = register(client, **{**body, "consent": None})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "consent_required"
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["ResidentInput"]
    assert {"type": "null"} in schema["properties"]["age_group"]["anyOf"]
    assert schema["required"] == ["consent"] and schema["properties"]["consent"] == {
        "const": True, "description": schema["properties"]["consent"]["description"]}


def test_bad_fields_are_reported_before_the_missing_consent(client):
    response = register(client, consent=False, display_name=42, age_group="old")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and set(error["fields"]) == {"display_name", "age_group"}
