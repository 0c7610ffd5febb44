"""Every route × every role × own unit / other unit / other region, generated from the URL map.

A route without a rule fails here: it must declare its roles (`token_required`, `role_required`)
or be listed as public below, and every path parameter must be known to `param_value`.
"""
import re
import uuid
from datetime import timedelta

import pytest
from conftest import checkin, sync_body
from evidence_helpers import photo_with_gps

from lwpwa.accounts import tokens
from lwpwa.checkins.models import Checkin
from lwpwa.evidence.photos import store_photo
from lwpwa.extensions import db
from lwpwa.flags.models import Flag, FlagActivity
from lwpwa.residents.service import mint_cards
from lwpwa.submissions.service import submit as submit_table

# Public on purpose: pages for everyone, the PWA shell, reference data, login and the
# resident's own key (checked by RESIDENT_KEY_ROUTES).
PUBLIC = {
    "static", "web.index", "web.set_language", "accounts.login", "health.healthz",
    "reference_api.themes", "reference_api.forms", "reference_api.campaigns", "reference_api.regions",
    "openapi.openapi_json", "auth_api.create_token", "workspace_api.pair", "residents_api.register",
    "pwa.app_shell", "pwa.catalog", "pwa.icon", "pwa.manifest", "pwa.service_worker", "pwa.favicon",
}
RESIDENT_KEY_ROUTES = {
    "residents_api.show_me", "residents_api.erase_me", "residents_api.update_me",
    "residents_api.my_checkins", "residents_api.replace_my_code", "residents_api.my_qr_png",
    "residents_api.my_qr_svg",
}
SESSION_ONLY = {"accounts.logout"}  # any signed-in user; anonymous is sent to the login page
# Bureau pages that only a province (or an admin) may use: a city bureau gets 403.
PROVINCE_ONLY = ("bureau_admin.",)
ROLES = ("volunteer", "site_lead", "bureau_city", "bureau_province", "admin")
ROLE_OF = {"bureau_city": "bureau", "bureau_province": "bureau"}


class World:
    """Units A (Taiyuan), B (Datong), C (Jinan), each with everything a route can point at."""

    def __init__(self, client, make):
        self.campaign = make.campaign()
        self.other_campaign = make.campaign(region_code="370000")  # covers unit C only
        self.units = {}
        for key, region in (("A", "140105"), ("B", "140213"), ("C", "370102")):
            org = make.org(region_code=region, name=f"矩阵单位{key}")
            volunteer = make.user("volunteer", org=org)
            lead = make.user("site_lead", org=org)
            activity = make.activity(org, self.campaign)
            _resident, code = make.resident()
            volunteer_token = make.token(volunteer)
            headers = {"Authorization": f"Bearer {volunteer_token}"}
            device = f"device-{key}"
            early = activity.starts_at - timedelta(hours=9)
            response = client.post("/api/v1/sync", headers=headers, json=sync_body(
                [checkin(activity.id, code=code), checkin(activity.id, headcount=1, scanned_at=early)],
                device_id=device))
            assert response.status_code == 200
            held = db.session.query(Checkin).filter_by(activity_id=activity.id, status="held").one()
            card = mint_cards(org, 1)[0].code
            photo = store_photo(volunteer, activity, str(uuid.uuid4()), None, photo_with_gps(size=(8, 8)))[0]
            flag = Flag(campaign_id=self.campaign.id, kind="over_capacity", key=f"matrix:{key}", org_id=org.id,
                        activity_ids=[activity.id], device_ids=[], account_ids=[], count=1, detail={})
            db.session.add(flag)
            db.session.flush()
            db.session.add(FlagActivity(flag_id=flag.id, activity_id=activity.id))
            db.session.commit()
            self.units[key] = dict(org=org, volunteer=volunteer, lead=lead, activity=activity, device=device,
                                   held=held, card=card, token=tokens.find_token(volunteer_token),
                                   submission=submit_table(self.campaign, org, lead),
                                   photo=photo.client_id, flag=flag)
        self.bureaus = {
            "bureau_city": make.user("bureau", region_code="140100"),
            "bureau_province": make.user("bureau", region_code="140000"),
            "bureau_datong": make.user("bureau", region_code="140200"),
            "bureau_shandong": make.user("bureau", region_code="370000"),
        }
        self.bureau_tokens = {key: tokens.issue_token(user, name="script")[1] for key, user in self.bureaus.items()}
        self.admin = make.user("admin")
        db.session.commit()

    def user(self, role):
        if role in ("volunteer", "site_lead"):
            return self.units["A"]["volunteer" if role == "volunteer" else "lead"]
        return self.admin if role == "admin" else self.bureaus[role]

    def scopes(self, role):
        """(own unit key, other unit key or None, own region, other region, token owners)."""
        if role == "bureau_province":
            return "A", "C", "140000", "370000", ("bureau_province", "bureau_shandong")
        if role == "admin":
            return "A", None, "140000", None, ("bureau_city", None)
        return "A", "B", "140100", "140200", ("bureau_city", "bureau_datong")


def param_value(world, rule, name, role, side):
    own, other, own_region, other_region, token_owners = world.scopes(role)
    unit = world.units[own if side == "own" else other]
    if name == "activity_id":
        return unit["activity"].id
    if name == "campaign_id":
        return world.campaign.id if side == "own" else world.other_campaign.id
    if name == "org_id":
        return unit["org"].id
    if name == "checkin_id":
        return unit["held"].id
    if name == "flag_id":
        return unit["flag"].id
    if name == "client_id":  # a check-in's id as made on the device
        return unit["held"].client_id
    if name == "submission_id":
        return unit["submission"].id
    if name == "photo_id":
        return unit["photo"]
    if name == "user_id":
        return unit["volunteer"].id
    if name == "device_id":
        return unit["device"]
    if name == "code" and "/cards/" in rule:
        return unit["card"]
    if name == "code":
        return own_region if side == "own" else other_region
    if name == "token_id" and rule.startswith("/region/"):
        owner = token_owners[0 if side == "own" else 1]
        return world.bureau_tokens[owner].id
    if name == "token_id":
        return unit["token"].id
    raise AssertionError(f"{rule}: teach the authorization matrix what <{name}> is")


def url_for_rule(world, rule, role, side):
    def fill(match):
        return str(param_value(world, rule.rule, match.group(2), role, side))
    own, _other, region, _other_region, _tokens = world.scopes(role)
    # Query parameters some pages need to know which campaign, region or unit (an admin's).
    query = f"?campaign_id={world.campaign.id}&region={region}&org={world.units[own]['org'].id}"
    if rule.rule.endswith("/verify"):  # which version a 校验码 names: the own unit's
        query += f"&fingerprint={world.units[own]['submission'].fingerprint}"
    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule.rule) + query


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, app.view_functions[rule.endpoint]


def test_every_route_has_a_rule(app):
    for rule, _method, view in routes(app):
        declared = hasattr(view, "required_roles")
        listed = rule.endpoint in PUBLIC | RESIDENT_KEY_ROUTES | SESSION_ONLY
        assert declared != listed, f"{rule.rule} ({rule.endpoint}): declare its roles or list it as public"


class Crashed:
    """A request that raised: reported with the others instead of stopping the matrix."""

    def __init__(self, exc):
        self.status_code = f"exception {exc.__class__.__name__}: {exc}"
        self.headers = {}


def request(client, method, url, headers=None):
    try:
        return client.open(url, method=method, headers=headers or {}, json={} if method != "GET" else None)
    except Exception as exc:  # noqa: BLE001 - every route's problem is listed at the end
        return Crashed(exc)


@pytest.fixture
def world(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; here only roles and scopes
    try:
        yield World(client, make)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def signed_in_clients(app, world):
    """Per role: an API header and a test client with a web session."""
    auth = {}
    for role in ROLES:
        user = world.user(role)
        secret, _token = tokens.issue_token(user, name="matrix")
        db.session.commit()
        web = app.test_client()
        response = web.post("/login", data={"username": user.username, "password": "correct horse battery"})
        assert response.status_code == 302, role
        auth[role] = ({"Authorization": f"Bearer {secret}"}, web)
    return auth


def test_every_route_for_every_role_and_scope(app, client, world):
    auth = signed_in_clients(app, world)
    anonymous = app.test_client()
    problems = []
    for rule, method, view in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        is_api = rule.rule.startswith("/api/")
        some_url = url_for_rule(world, rule, "bureau_city", "own")
        response = request(anonymous, method, some_url)
        if rule.endpoint in RESIDENT_KEY_ROUTES or is_api:
            if response.status_code != 401:
                problems.append(f"anonymous {method} {some_url}: {response.status_code}, expected 401")
            continue
        if response.status_code != 302 or "/login" not in response.headers.get("Location", ""):
            problems.append(f"anonymous {method} {some_url}: {response.status_code}, expected the login page")
    for rule, method, view in routes(app):
        roles = getattr(view, "required_roles", None)
        if roles is None:
            continue
        is_api = rule.rule.startswith("/api/")
        has_params = bool(rule.arguments)
        for role in ROLES:
            headers, web = auth[role]
            caller = client if is_api else web
            kwargs = {"headers": headers} if is_api else {}
            allowed = not roles or ROLE_OF.get(role, role) in roles
            if rule.endpoint.startswith(PROVINCE_ONLY) and role == "bureau_city":
                allowed = False
            own_url = url_for_rule(world, rule, role, "own")
            if not allowed:
                response = request(caller, method, own_url, **kwargs)
                if response.status_code != 403:
                    problems.append(f"{role} {method} {own_url}: {response.status_code}, expected 403")
                continue
            if has_params and world.scopes(role)[1] is not None:
                other_url = url_for_rule(world, rule, role, "other")
                response = request(caller, method, other_url, **kwargs)
                if response.status_code != 404:
                    problems.append(f"{role} {method} {other_url}: {response.status_code}, expected 404")
            if method == "GET":
                response = request(caller, method, own_url, **kwargs)
                if not isinstance(response.status_code, int) or response.status_code >= 400:
                    problems.append(f"{role} GET {own_url}: {response.status_code}, expected access")
    assert not problems, "\n".join(problems)


def test_the_world_is_what_the_matrix_thinks(world):
    """The matrix's 'other' objects really belong elsewhere (else a 404 would prove nothing)."""
    assert world.units["A"]["org"].region_code.startswith("1401")
    assert world.units["B"]["org"].region_code.startswith("1402")
    assert world.units["C"]["org"].region_code.startswith("37")
    assert len({u["activity"].id for u in world.units.values()}) == 3
