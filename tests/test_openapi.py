"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 document of every route, and real answers fit it.

A route added under /api/v1 without its entry in lwpwa/api/openapi.py fails
test_every_api_route_is_documented_and_every_documented_route_exists.
"""
import re
import uuid
from datetime import datetime, timedelta
from json import dumps

import jsonschema_rs
import pytest
from conftest import ZONE, checkin, sync_body
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lwpwa.accounts.models import ROLES
from lwpwa.extensions import db
from lwpwa.residents import codes
from lwpwa.residents import service as residents

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
DOC_URI = "urn:lwpwa:openapi"


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")  # public: no Authorization header
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def walk(node, where="#"):
    """Every (JSON pointer, dict) in the document."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}/{index}")


def escape(key):
    return str(key).replace("~", "~0").replace("/", "~1")


def resolve(doc, pointer):
    node = doc
    for part in pointer.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def flask_path(rule):
    """/api/v1/activities/<int:activity_id> → /api/v1/activities/{activity_id}"""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


# --- (a) the document's shape -----------------------------------------------------------------

def test_the_document_is_openapi_3_1_with_english_and_chinese_info(doc):
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    info = doc["info"]
    assert info["title"] == "lwpwa API" and info["version"]
    assert "Bearer" in info["description"] and re.search(r"[\u4e00-\u9fff]", info["description"])
    assert doc["servers"] == [{"url": "/"}]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["resident"] == {**schemes["resident"], "type": "apiKey", "in": "header",
                                   "name": "Authorization"}
    for name in ("Error", "User", "TokenResponse", "Theme", "Campaign", "Region", "Activity",
                 "ActivityInput", "ResidentInput", "Registration", "SyncRequest", "SyncItem",
                 "SyncResult", "SyncResponse", "ActivityStats"):
        assert name in doc["components"]["schemas"], name


def test_every_ref_resolves_within_the_document(doc):
    refs = [(where, node["$ref"]) for where, node in walk(doc) if "$ref" in node]
    assert refs
    for where, target in refs:
        assert target.startswith("#/"), f"{where}: external $ref {target}"
        try:
            resolve(doc, target)
        except (KeyError, IndexError, ValueError):
            pytest.fail(f"{where}: $ref {target} does not resolve")


def test_every_schema_is_valid_json_schema_2020_12(doc):
    schemas = list(doc["components"]["schemas"].values())
    schemas += [node["schema"] for _where, node in walk(doc["paths"]) if "schema" in node]
    for schema in schemas:
        Draft202012Validator.check_schema(schema)


def test_every_pattern_is_one_schemathesis_keeps(doc):
    """schemathesis checks patterns with jsonschema-rs (Rust's regex, which has no surrogates):
    a pattern it cannot compile is dropped whole, and generated requests stop keeping to it."""
    patterns = {node["pattern"] for _where, node in walk(doc) if isinstance(node.get("pattern"), str)}
    assert patterns
    for pattern in patterns:
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})


def test_every_operation_is_complete(doc):
    tags = {tag["name"] for tag in doc["tags"]}
    schemes = doc["components"]["securitySchemes"]
    seen_ids = set()
    for path, method, operation in operations(doc):
        name = f"{method.upper()} {path}"
        assert operation["operationId"] not in seen_ids, name
        seen_ids.add(operation["operationId"])
        assert operation["summary"] and operation["description"], name
        assert set(operation["tags"]) <= tags, name
        for requirement in operation.get("security", doc["security"]):
            assert set(requirement) <= set(schemes), name
        in_template = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "path"}
        assert in_template == declared, name
        assert all(p["required"] for p in operation.get("parameters", ()) if p["in"] == "path")
        responses = operation["responses"]
        assert responses, name
        assert any(status.startswith("2") for status in responses), name
        for status, response in responses.items():
            assert re.fullmatch(r"[1-5][0-9][0-9]", status), name
            assert response["description"], f"{name} {status}"
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert {"$ref": "#/components/schemas/Error"} in [schema, *schema.get("allOf", ())], \
                    f"{name} {status} must answer the Error shape"
        if "429" in responses:
            assert responses["429"]["headers"]["Retry-After"]["required"] is True, name
        if "requestBody" in operation:
            assert "invalid_json" in error_codes(responses["400"]), name
            assert "413" in responses, name


def error_codes(response):
    schema = response["content"]["application/json"]["schema"]
    for part in schema.get("allOf", ()):
        if "properties" in part:
            return part["properties"]["error"]["properties"]["code"]["enum"]
    return []


def test_sync_explains_every_status_and_reason(doc):
    sync = doc["paths"]["/api/v1/sync"]["post"]
    result = doc["components"]["schemas"]["SyncResult"]["properties"]
    assert result["status"]["enum"] == ["accepted", "duplicate", "held", "rejected", "voided"]
    assert result["reason"]["enum"] == ["invalid", "unknown_code", "revoked_code",
                                        "unknown_activity", "forbidden_activity", "void_not_allowed", None]
    for word in [*result["status"]["enum"], *result["reason"]["enum"][:-1], "1000", "sent_at"]:
        assert f"`{word}`" in sync["description"] or word in sync["description"], word
    assert error_codes(sync["responses"]["413"]) == ["batch_too_large", "too_large"]


# --- (b) the document and the URL map agree ---------------------------------------------------

def api_routes(app):
    """{(path, method): view} of every rule under /api/v1."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes[(flask_path(rule.rule), method.lower())] = app.view_functions[rule.endpoint]
    return routes


def test_every_api_route_is_documented_and_every_documented_route_exists(app, doc):
    routes = set(api_routes(app))
    documented = {(path, method) for path, method, _operation in operations(doc)}
    undocumented = sorted(f"{m.upper()} {p}" for p, m in routes - documented)
    missing = sorted(f"{m.upper()} {p}" for p, m in documented - routes)
    assert not undocumented, f"add these routes to lwpwa/api/openapi.py: {undocumented}"
    assert not missing, f"documented but not routed: {missing}"


def test_only_api_v1_is_described_healthz_is_not(doc):
    assert all(path.startswith("/api/v1/") for path in doc["paths"])
    assert "/healthz" not in doc["paths"]


def test_documented_security_and_roles_match_what_the_views_require(app, doc):
    for (path, method), view in api_routes(app).items():
        operation = doc["paths"].get(path, {}).get(method)
        if operation is None:
            continue  # undocumented: the test above names it
        security = operation.get("security", doc["security"])
        required_roles = getattr(view, "required_roles", None)
        name = f"{method.upper()} {path}"
        if required_roles is None:
            assert security != [{"bearer": []}], f"{name} takes no token"
            continue
        assert security == [{"bearer": []}], f"{name} needs a bearer token"
        assert set(operation["x-roles"]) == set(required_roles or ROLES), name
        assert error_codes(operation["responses"]["401"]) == ["invalid_token"], name
        if required_roles and set(required_roles) != set(ROLES):
            assert "forbidden_role" in error_codes(operation["responses"]["403"]), name


# --- (c) real answers fit the document --------------------------------------------------------

class Api:
    """Makes requests and checks each answer against the operation the document describes."""

    def __init__(self, client, doc):
        self.client, self.doc = client, doc
        self.registry = Registry().with_resource(
            DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012))

    def validate(self, pointer, instance):
        validator = Draft202012Validator({"$ref": DOC_URI + pointer}, registry=self.registry,
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        validator.validate(instance)

    def call(self, method, template, expect, *, path=None, json=None, **kwargs):
        operation = f"#/paths/{escape(template)}/{method}"
        if json is not None and expect < 300:
            self.validate(f"{operation}/requestBody/content/application~1json/schema", json)
        response = self.client.open(path or template, method=method.upper(), json=json, **kwargs)
        assert response.status_code == expect, response.get_data(as_text=True)
        documented = resolve(self.doc, operation)["responses"]
        assert str(expect) in documented, f"{method.upper()} {template} answers undocumented {expect}"
        for name, header in documented[str(expect)].get("headers", {}).items():
            assert not header.get("required") or name in response.headers, name
        if "content" in documented[str(expect)]:
            self.validate(f"{operation}/responses/{expect}/content/application~1json/schema",
                          response.get_json())
        else:
            assert response.get_data() == b""
        return response.get_json()


@pytest.fixture
def api(client, doc):
    return Api(client, doc)


def test_auth_answers_fit_the_document(api, unit):
    username = unit.volunteer.username
    body = api.call("post", "/api/v1/auth/token", 201,
                    json={"username": username, "password": "correct horse battery",
                          "device_name": "pytest"})
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert api.call("get", "/api/v1/me", 200, headers=headers)["username"] == username
    api.call("delete", "/api/v1/auth/token", 204, headers=headers)
    assert api.call("get", "/api/v1/me", 401, headers=headers)["error"]["code"] == "invalid_token"
    api.call("post", "/api/v1/auth/token", 400, data="not json", content_type="application/json")


def test_a_rate_limited_login_answers_429_with_retry_after(api, unit):
    wrong = {"username": unit.volunteer.username, "password": "wrong password"}
    for _attempt in range(10):
        api.call("post", "/api/v1/auth/token", 401, json=wrong)
    body = api.call("post", "/api/v1/auth/token", 429, json=wrong)
    assert body["error"]["code"] == "rate_limited"


def test_reference_answers_fit_the_document(api, doc):
    assert len(api.call("get", "/api/v1/themes", 200)) == 9
    assert api.call("get", "/api/v1/forms", 200)
    api.call("get", "/api/v1/campaigns", 200)
    assert api.call("get", "/api/v1/regions", 200)
    assert api.call("get", "/api/v1/regions", 200, path="/api/v1/regions?parent=140000")
    assert api.call("get", "/api/v1/openapi.json", 200) == doc


def test_activity_answers_fit_the_document(api, unit, make):
    start = datetime.now(ZONE).replace(microsecond=0) + timedelta(days=1)
    new = {"campaign_id": unit.campaign.id, "org_id": unit.org.id, "theme": "reading",
           "name": "读书沙龙", "content": "共读一本书", "form": "reading_salon", "mode": "hybrid",
           "venue": "图书馆", "starts_at": start.isoformat(),
           "ends_at": (start + timedelta(hours=2)).isoformat(),
           "news_links": ["https://example.org/news/1"], "courses": ["阅读入门"], "capacity": 40}
    created = api.call("post", "/api/v1/activities", 201, json=new, headers=unit.lead_headers)
    one = "/api/v1/activities/{activity_id}"
    by_id = one.format(activity_id=created["id"])
    assert api.call("get", "/api/v1/activities", 200, headers=unit.headers)
    api.call("get", "/api/v1/activities", 200, headers=unit.headers,
             path=f"/api/v1/activities?campaign_id={unit.campaign.id}&on={start.date()}")
    api.call("get", "/api/v1/activities", 400, headers=unit.headers, path="/api/v1/activities?on=x")
    api.call("get", one, 200, path=by_id, headers=unit.headers)
    api.call("patch", one, 200, path=by_id, json={"is_cancelled": True, "capacity": None},
             headers=unit.lead_headers)
    fields = api.call("post", "/api/v1/activities", 400, json={**new, "form": "party"},
                      headers=unit.lead_headers)["error"]["fields"]
    assert set(fields) == {"form"}
    api.call("post", "/api/v1/activities", 403, json=new, headers=unit.headers)
    api.call("patch", one, 403, path=by_id, json={"name": "x"}, headers=unit.headers)
    other = make.activity(make.org(), unit.campaign)
    api.call("get", one, 404, path=one.format(activity_id=other.id), headers=unit.headers)


def test_resident_answers_fit_the_document(api):
    registration = api.call("post", "/api/v1/residents", 201,
                            json={"display_name": "张三", "age_group": "60_plus", "consent": True})
    headers = {"Authorization": f"Resident {registration['resident_key']}"}
    me = api.call("get", "/api/v1/residents/me", 200, headers=headers)
    assert me["code"] == registration["code"]
    api.call("delete", "/api/v1/residents/me", 204, headers=headers)
    api.call("get", "/api/v1/residents/me", 401, headers=headers)
    for body, code in (({"consent": False}, "consent_required"),
                       ({"consent": True, "age_group": "under_14"}, "guardian_consent_required"),
                       ({"consent": True, "age_group": "old"}, "validation_error")):
        assert api.call("post", "/api/v1/residents", 400, json=body)["error"]["code"] == code


def test_sync_and_stats_answers_fit_the_document(api, unit, make):
    _resident, code = make.resident()
    erased, erased_code = make.resident()
    residents.erase(erased)
    db.session.commit()
    long_before = datetime.now(ZONE) - timedelta(hours=12)
    items = [checkin(unit.activity.id, code=code),
             checkin(unit.activity.id, code=code),
             checkin(unit.activity.id, headcount=3, scanned_at=long_before),
             checkin(unit.activity.id, code=erased_code),
             checkin(unit.activity.id, code=codes.new_code()),
             checkin(unit.activity.id + 1000, headcount=1),
             checkin(make.activity(make.org(), unit.campaign).id, headcount=1)]
    not_an_item = {"id": str(uuid.uuid4()), "activity_id": unit.activity.id, "kind": "guest",
                   "scanned_at": datetime.now(ZONE).isoformat(), "headcount": 1}
    body = sync_body(items)
    api.call("post", "/api/v1/sync", 200, json=body, headers=unit.headers)  # request checked too
    # The same ids again, and an item outside SyncItem: sent raw, so the request is not checked.
    answer = api.call("post", "/api/v1/sync", 200, headers=unit.headers,
                      data=dumps({**body, "checkins": [*items, not_an_item]}),
                      content_type="application/json")
    assert [(r["status"], r["reason"]) for r in answer["results"]] == [
        ("accepted", None), ("duplicate", None), ("held", None), ("rejected", "revoked_code"),
        ("rejected", "unknown_code"), ("rejected", "forbidden_activity"),
        ("rejected", "forbidden_activity"), ("rejected", "invalid")]
    stats = "/api/v1/activities/{activity_id}/stats"
    figures = api.call("get", stats, 200, path=stats.format(activity_id=unit.activity.id),
                       headers=unit.headers)
    assert (figures["attendance"], figures["held"]) == (1, 1)
    bureau = make.auth(make.user("bureau", region_code="140100"))
    api.call("post", "/api/v1/sync", 403, json=body, headers=bureau)
    api.call("post", "/api/v1/sync", 413, json={**body, "checkins": [{}] * 1001}, headers=unit.headers)
    api.call("post", "/api/v1/sync", 400, json={"checkins": "all"}, headers=unit.headers)
    api.call("post", "/api/v1/sync", 401, json=body)


def test_every_pattern_compiles_where_schemathesis_validates(doc):
    """A pattern the validator cannot compile is dropped by schemathesis, which then generates
    what the server refuses as valid (a lone-surrogate range once dropped every text pattern)."""
    import jsonschema_rs

    patterns = {node["pattern"] for _where, node in walk(doc) if isinstance(node.get("pattern"), str)}
    assert patterns
    for pattern in patterns:
        jsonschema_rs.Draft202012Validator({"pattern": pattern})  # raises if it cannot compile
