"""Property-based (hypothesis): the nastiest strings, numbers and structures in every field of
every JSON endpoint, query and web form never answer 500, and nothing they leave stored stops an
export: afterwards every export downloads, and every stored text is one openpyxl can write.

A few hundred examples in all (the budgets below); each example is one request."""
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from conftest import ZONE, checkin, sync_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import String, select
from test_workspace_support import csrf_token, sign_in

from lwpwa.extensions import db
from lwpwa.residents.service import mint_cards

NASTY_TEXT = ["", " ", "\x00", "\ud800", "a\udfffb", "\u202eevil", "\u2066x\u2069", "\x1b[31m", "\r\n", "\t",
              "\x85", "\ufeff", "\uffff", "e\u0301", "²", "١٢٣", "9" * 5000, "-1", "0", "2147483648",
              "9999-12-31", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "2026-02-30",
              "javascript:alert(1)", "https://x.cn/\na", "=HYPERLINK(\"http://x\")", "@SUM(1)",
              "' OR 1=1 --", "<script>alert(1)</script>", "%00", "../../etc/passwd", "null", "NaN",
              "zh_Hans", "140105", "370000", "000000", "true", "李" * 300]
NASTY_NUMBERS = [0, -1, 1, 2**31 - 1, 2**31, 2**63, -(2**63), 2**70, 10**400, 1e308, -0.0, float("inf"),
                 float("-inf"), float("nan"), True, False]

any_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=40)
nasty_strings = st.one_of(st.sampled_from(NASTY_TEXT), any_text)
scalars = st.one_of(nasty_strings, st.sampled_from(NASTY_NUMBERS), st.integers(), st.floats(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(nasty_strings, inner, max_size=4)), max_leaves=8)
deep = st.integers(min_value=900, max_value=5000).map(lambda n: "[" * n + "]" * n)


def form_safe(text):
    """What a browser can send in a form (UTF-8: no lone surrogates)."""
    return text.encode("utf-8", "replace").decode("utf-8")


SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


class World:
    """A unit with a lead, a volunteer, a card, a resident key, an activity; a province bureau."""

    def __init__(self, app, client, make):
        self.app, self.client = app, client
        self.campaign = make.campaign()
        self.org = make.org()
        self.lead = make.user("site_lead", org=self.org)
        self.volunteer = make.user("volunteer", org=self.org)
        self.bureau = make.user("bureau", region_code="140000")
        self.activity = make.activity(self.org, self.campaign)
        self.resident, self.code = make.resident(display_name="张三")
        self.card = mint_cards(self.org, 1)[0].code
        db.session.commit()
        self.lead_headers, self.volunteer_headers = make.auth(self.lead), make.auth(self.volunteer)
        self.bureau_headers = make.auth(self.bureau)
        self.resident_headers = {"Authorization": f"Resident {self.resident.key}"}
        self.lead_web = sign_in(app.test_client(), self.lead)
        self.bureau_web = sign_in(app.test_client(), self.bureau)

    def json_endpoints(self):
        """(method, path, headers, a valid body) for every endpoint that reads a JSON body."""
        start = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
        activity = {"campaign_id": self.campaign.id, "org_id": self.org.id, "theme": "reading", "name": "读书",
                    "content": "内容", "form": "lecture", "mode": "offline", "venue": "活动室",
                    "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
                    "news_links": ["https://example.cn/a"], "courses": ["课程"], "capacity": 30}
        profile = {"display_name": "王五", "age_group": "60_plus", "community": "社区", "consent": True,
                   "guardian_consent": False}
        item = checkin(self.activity.id, code=self.code)
        return [
            ("POST", "/api/v1/activities", self.lead_headers, activity),
            ("PATCH", f"/api/v1/activities/{self.activity.id}", self.lead_headers,
             {k: v for k, v in activity.items() if k not in ("campaign_id", "org_id")} | {"is_cancelled": False}),
            ("POST", "/api/v1/residents", {}, profile),
            ("PATCH", "/api/v1/residents/me", self.resident_headers, profile),
            ("POST", f"/api/v1/cards/{self.card}/profile", self.volunteer_headers, profile),
            ("POST", "/api/v1/sync", self.volunteer_headers, sync_body([item])),
            ("POST", "/api/v1/sync", self.volunteer_headers, {"item": item}),  # nasty values inside an item
            ("POST", "/api/v1/auth/token", {}, {"username": "nobody", "password": "wrong password",
                                                "device_name": "phone"}),
            ("POST", "/api/v1/auth/pair", {}, {"code": "LWPAIR:abc", "device_name": "phone"}),
        ]

    def queries(self):
        """(client, path, headers, parameter names) for pages and API reads with a query."""
        api, lead, bureau = self.client, self.lead_web, self.bureau_web
        return [
            (api, "/api/v1/activities", self.volunteer_headers, ("campaign_id", "on", "org_id")),
            (api, "/api/v1/stats", self.bureau_headers, ("campaign_id", "region", "group_by", "format", "basis")),
            (api, "/api/v1/regions", {}, ("parent",)),
            (api, f"/api/v1/orgs/{self.org.id}/report.xlsx", self.lead_headers, ("campaign_id",)),
            (api, "/api/v1/regions/140100/report.xlsx", self.bureau_headers, ("campaign_id", "basis")),
            (api, "/api/v1/residents/me/qr.png", self.resident_headers, ("size",)),
            (api, "/api/v1/residents/me/qr.svg", self.resident_headers, ("size",)),
            (lead, "/unit/", {}, ("campaign",)),
            (lead, "/unit/table", {}, ("campaign",)),
            (lead, "/unit/activities/new", {}, ("copy",)),
            (lead, "/unit/review", {}, ("campaign", "activity")),
            (lead, "/org/cards", {}, ("org",)),
            (bureau, "/region/140000/table", {}, ("campaign", "campaign_id", "sort", "dir", "print", "basis")),
            (bureau, "/region/140000/", {}, ("campaign",)),
            (api, "/login", {}, ("next",)),
            (api, "/lang/en", {}, ("next",)),
        ]

    def forms(self):
        """(client, path, the page holding its CSRF token, a valid form)."""
        lead, bureau = self.lead_web, self.bureau_web
        start = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
        return [
            (lead, "/unit/activities/new", "/unit/activities/new",
             {"campaign": str(self.campaign.id), "theme": "reading", "name": "读书", "form": "lecture",
              "mode": "offline", "content": "内容", "courses": "课程", "venue": "活动室",
              "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
              "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "capacity": "30",
              "news_links": "https://example.cn/a"}),
            (lead, f"/unit/table?campaign={self.campaign.id}", "/unit/table",
             {"lead_name": "李明", "reporter_name": "王芳", "phone": "0351-1234567"}),
            (lead, "/unit/volunteers", "/unit/volunteers",
             {"username": "helper", "display_name": "助手", "password": "eight chars"}),
            (bureau, "/admin/units/new", "/admin/units/new",
             {"name": "新单位", "region": "140105", "kind": "library", "lead_name": "甲", "reporter_name": "乙",
              "phone": "0351-1"}),
            (bureau, "/admin/campaigns/new", "/admin/campaigns/new",
             {"title": "活动周", "slogan": "口号", "region": "140100", "starts_on": "2026-12-10",
              "ends_on": "2026-12-20", "report_due_on": "2026-12-25", "timezone": "Asia/Shanghai"}),
            (bureau, "/admin/accounts/new", "/admin/accounts/new",
             {"username": "city.x", "password": "eight chars", "region": "140100"}),
            (bureau, "/region/tokens/", "/region/tokens/", {"name": "脚本"}),
        ]

    def exports(self):
        """Every export of the unit and the region: each must download."""
        campaign = self.campaign.id
        activity_ids = db.session.scalars(select(db.metadata.tables["activities"].c.id)).all()
        yield self.client, f"/api/v1/orgs/{self.org.id}/report.xlsx?campaign_id={campaign}", self.lead_headers
        yield self.client, f"/api/v1/regions/140000/report.xlsx?campaign_id={campaign}", self.bureau_headers
        for group in ("org", "theme", "day", "city"):
            yield self.client, f"/api/v1/stats?campaign_id={campaign}&region=140000&group_by={group}&format=csv", \
                self.bureau_headers
        yield self.lead_web, f"/unit/table.xlsx?campaign={campaign}", {}
        yield self.lead_web, f"/unit/table/print?campaign={campaign}", {}
        yield self.lead_web, f"/unit/table?campaign={campaign}", {}
        yield self.lead_web, f"/unit/?campaign={campaign}", {}
        yield self.lead_web, f"/unit/review?campaign={campaign}", {}
        yield self.lead_web, "/unit/volunteers", {}
        yield self.bureau_web, f"/region/140000/report.xlsx?campaign={campaign}", {}
        yield self.bureau_web, f"/region/140000/table?campaign={campaign}", {}
        yield self.bureau_web, "/admin/", {}
        yield self.client, f"/api/v1/activities?campaign_id={campaign}", self.volunteer_headers
        for activity_id in activity_ids:
            yield self.lead_web, f"/unit/activities/{activity_id}", {}
            yield self.lead_web, f"/unit/activities/{activity_id}/sign-in-sheet", {}


@pytest.fixture
def world(app, client, make):
    from lwpwa.extensions import limiter

    app.config["PROPAGATE_UNEXPECTED"] = False  # a 500 is an answer here, to be asserted on
    limiter.enabled = False  # hundreds of requests from one address and one username
    try:
        yield World(app, client, make)
    finally:
        limiter.enabled = True
        app.config["PROPAGATE_UNEXPECTED"] = True


def no_server_error(response, what):
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:500])


def assert_everything_exports(world):
    for client, path, headers in world.exports():
        with client.get(path, headers=headers) as response:
            assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row):
                if isinstance(value, str):
                    value.encode("utf-8")  # no lone surrogate was stored
                    assert not ILLEGAL_CHARACTERS_RE.search(value), (table.name, column.name, value)


WORST = ["\ud800", "\x00", "\u202e", "9" * 5000, 10**400, 2**70, -1, [], {}, None, True]


def test_the_worst_values_in_every_field_of_every_endpoint(world):
    """A sweep before the random search: each of the worst values in each field."""
    for method, path, headers, body in world.json_endpoints():
        for field in sorted(body):
            for value in WORST:
                if field == "item":
                    sent = sync_body([{**body["item"], "code": value}, checkin(world.activity.id, headcount=1)])
                else:
                    sent = {**body, field: value}
                response = world.client.open(path, method=method, json=sent, headers=headers)
                no_server_error(response, (method, path, field, value))
        for field in sorted(body.get("item", {})):
            for value in WORST:
                item = {**body["item"], field: value}
                sent = sync_body([item, checkin(world.activity.id, headcount=1)])
                response = world.client.open(path, method=method, json=sent, headers=headers)
                no_server_error(response, (method, path, field, value))
                assert len(response.get_json()["results"]) == 2
    assert_everything_exports(world)


def test_nasty_json_in_every_field_of_every_endpoint(world):
    endpoints = world.json_endpoints()

    @settings(max_examples=150, **SETTINGS)
    @given(st.integers(0, len(endpoints) - 1), st.data())
    def send(which, data):
        method, path, headers, body = endpoints[which]
        body = dict(body)
        choice = data.draw(st.sampled_from(["field", "item_field", "extra", "whole", "deep"]))
        if choice == "field" or (choice == "item_field" and "checkins" not in body and "item" not in body):
            body[data.draw(st.sampled_from(sorted(body)))] = data.draw(values)
        elif choice == "item_field":
            item = dict(body.pop("item", None) or body["checkins"][0])
            item[data.draw(st.sampled_from(sorted(item)))] = data.draw(values)
            body = sync_body([item, checkin(world.activity.id, headcount=1)])
        elif choice == "extra":
            body[data.draw(nasty_strings)] = data.draw(values)
        if choice == "whole":
            response = world.client.open(path, method=method, json=data.draw(values), headers=headers)
        elif choice == "deep":
            response = world.client.open(path, method=method, data=data.draw(deep), headers=headers,
                                         content_type="application/json")
        else:
            response = world.client.open(path, method=method, json=body, headers=headers)
        no_server_error(response, (method, path, choice))
        if path == "/api/v1/sync" and choice == "item_field" and response.status_code == 200:
            assert len(response.get_json()["results"]) == 2  # one bad item never fails the batch

    send()
    assert_everything_exports(world)


def test_nasty_query_parameters(world):
    queries = world.queries()

    @settings(max_examples=100, **SETTINGS)
    @given(st.integers(0, len(queries) - 1), st.data())
    def ask(which, data):
        client, path, headers, names = queries[which]
        params = {name: data.draw(nasty_strings) for name in data.draw(st.lists(st.sampled_from(names), min_size=1,
                                                                              max_size=len(names), unique=True))}
        query = "&".join(f"{quote(name)}={quote(form_safe(value), safe='')}" for name, value in params.items())
        with client.get(f"{path}?{query}", headers=headers) as response:
            no_server_error(response, (path, params))

    ask()


def test_nasty_text_in_every_web_form(world):
    forms = world.forms()

    @settings(max_examples=100, **SETTINGS)
    @given(st.integers(0, len(forms) - 1), st.data())
    def submit(which, data):
        client, path, page, form = forms[which]
        form = dict(form)
        for name in data.draw(st.lists(st.sampled_from(sorted(form)), min_size=1, max_size=2, unique=True)):
            form[name] = form_safe(data.draw(nasty_strings))
        form["csrf_token"] = csrf_token(client, page)
        response = client.post(path, data=form)
        no_server_error(response, (path, form))

    submit()
    assert_everything_exports(world)
