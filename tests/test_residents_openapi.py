"""The answers of a resident's own endpoints and of card profiles fit the OpenAPI document."""
import pytest
from conftest import checkin, sync_body
from test_openapi import Api

from lwpwa.residents import service as residents


@pytest.fixture
def api(client):
    return Api(client, client.get("/api/v1/openapi.json").get_json())


def test_my_endpoints_fit_the_document(api, client, make, unit):
    resident, code = make.resident(display_name="张三", age_group="60_plus")
    headers = {"Authorization": f"Resident {resident.key}"}
    client.post("/api/v1/sync", json=sync_body([checkin(unit.activity.id, code=code)]), headers=unit.headers)
    api.call("patch", "/api/v1/residents/me", 200, json={"display_name": "张秀英", "community": None},
             headers=headers)
    api.call("patch", "/api/v1/residents/me", 400, json={"age_group": "under_14"}, headers=headers)
    api.call("patch", "/api/v1/residents/me", 401, json={}, headers={"Authorization": "Resident x"})
    history = api.call("get", "/api/v1/residents/me/checkins", 200, headers=headers)
    assert len(history["checkins"]) == 1
    for path in ("/api/v1/residents/me/qr.png", "/api/v1/residents/me/qr.svg"):
        response = client.get(path + "?size=300", headers=headers)
        documented = api.doc["paths"][path]["get"]["responses"]["200"]["content"]
        assert response.status_code == 200 and response.mimetype in documented
        api.call("get", path, 400, path=path + "?size=1", headers=headers)
    replaced = api.call("post", "/api/v1/residents/me/code", 201, headers=headers)
    assert replaced["code"] != code


def test_card_profile_answers_fit_the_document(api, make, unit):
    card = residents.mint_cards(unit.org, 1)[0].code
    template = "/api/v1/cards/{code}/profile"
    path = template.format(code=card)
    body = {"display_name": "王奶奶", "age_group": "60_plus", "consent": True}
    profile = api.call("post", template, 200, path=path, json=body, headers=unit.headers)
    assert profile["display_name"] == "王奶奶"
    api.call("post", template, 400, path=path, json={"consent": False}, headers=unit.headers)
    api.call("post", template, 404, path=template.format(code="0" * 17), json=body, headers=unit.headers)
    api.call("post", template, 403, path=path, json=body,
             headers=make.auth(make.user("bureau", region_code="140100")))
    api.call("delete", template, 204, path=path, headers=unit.headers)
    api.call("delete", template, 401, path=path)


def test_what_the_pwa_sends_fits_the_document(api):
    """Left-empty fields come as null (static/app/mycode.js)."""
    api.call("post", "/api/v1/residents", 201, json={"display_name": None, "age_group": None,
                                                     "community": None, "consent": True,
                                                     "guardian_consent": False})
    api.call("post", "/api/v1/residents", 400, json={"consent": True, "age_group": "under_14"})
