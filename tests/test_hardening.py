"""Issue 15: bad input never answers 500, stored text is clean, and each weakness an outside
tester found is closed at its root. Every test here failed on the code before the fix."""
import io
import os
import re
import shutil
import stat
import subprocess
import zipfile
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from conftest import ZONE, checkin, sync_body
from sqlalchemy import select
from test_workspace_support import csrf_token, lead, other, post, sign_in  # noqa: F401 (fixtures)
from werkzeug.http import parse_options_header

from lwpwa import create_app
from lwpwa.accounts import tokens
from lwpwa.accounts.models import ApiToken, User
from lwpwa.accounts.passwords import password_problem
from lwpwa.accounts.service import AccountError, create_user
from lwpwa.activities.models import Activity
from lwpwa.checkins.models import Checkin
from lwpwa.extensions import db
from lwpwa.residents import service as residents
from lwpwa.residents.models import SignInCode
from lwpwa.workspace import importer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEEP = "[" * 3000 + "]" * 3000


def json_routes(app):
    """Every API route that takes a body, with a URL whose path parameters are filled."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT"}):
            yield method, re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "X", rule.rule)


def activity_body(unit, **fields):
    start = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
    body = {"campaign_id": unit.campaign.id, "org_id": unit.org.id, "theme": "reading", "name": "读书会",
            "form": "lecture", "mode": "offline", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat()}
    body.update(fields)
    return body


# --- no 500 from bad input --------------------------------------------------------------------

def test_json_nested_too_deep_is_invalid_json_on_every_json_endpoint(app, client, make, unit):
    admin = make.auth(make.user("admin"))
    seen = 0
    for method, path in json_routes(app):
        for headers in ({}, admin, unit.headers):
            response = client.open(path, method=method, data=DEEP, headers=headers,
                                   content_type="application/json")
            assert response.status_code < 500, (method, path, response.status_code)
            if response.status_code == 400:
                assert response.get_json()["error"]["code"] == "invalid_json", (method, path)
                seen += 1
    assert seen >= 10  # token, pair, residents, sync, activities … really parsed the body


def test_a_chunked_body_over_the_limit_is_413_not_invalid_json(app, client):
    body = b'{"username": "' + b"a" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    response = client.post("/api/v1/auth/token", input_stream=BytesIO(body), content_type="application/json",
                           environ_overrides={"wsgi.input_terminated": True},
                           headers={"Transfer-Encoding": "chunked"})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_a_lone_surrogate_rejects_only_its_own_sync_item(client, unit, make):
    _resident, code = make.resident()
    good = checkin(unit.activity.id, code=code)
    body = ('{"device_id": "d", "sent_at": "%s", "checkins": [%s, '
            '{"id": "\\ud800", "activity_id": %d, "kind": "attendee", "code": "\\udfff\\u0000\\u202e", '
            '"scanned_at": "%s"}]}') % (datetime.now(ZONE).isoformat(), __import__("json").dumps(good),
                                        unit.activity.id, datetime.now(ZONE).isoformat())
    response = client.post("/api/v1/sync", data=body, content_type="application/json", headers=unit.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [(r["status"], r["reason"]) for r in response.get_json()["results"]] == [
        ("accepted", None), ("rejected", "invalid")]
    raw = db.session.scalar(select(Checkin.raw).where(Checkin.status == "rejected"))
    assert "\\ud800" in raw and "\ud800" not in raw


def test_lone_surrogates_and_controls_in_stored_fields_are_400(client, unit):
    for name in ("\ud800", "a\x00b", "a\x1bb", "\u202eevil", "a\nb", "\x85"):
        response = client.post("/api/v1/activities", json=activity_body(unit, name=name), headers=unit.lead_headers)
        assert response.status_code == 400, repr(name)
        assert "name" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/sync", json=sync_body([], device_id="\ud800"), headers=unit.headers)
    assert response.status_code == 400 and "device_id" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/residents", json={"consent": True, "display_name": "李\u2066四"})
    assert response.status_code == 400 and "display_name" in response.get_json()["error"]["fields"]
    # Multi-line content keeps its lines; text is stored in NFC.
    response = client.post("/api/v1/activities", headers=unit.lead_headers,
                           json=activity_body(unit, name="Cafe\u0301", content="第一行\r\n第二行"))
    assert response.status_code == 201
    assert (response.get_json()["name"], response.get_json()["content"]) == ("Caf\u00e9", "第一行\n第二行")


@pytest.mark.parametrize("path", ["/api/v1/residents/me/qr.png?size=²", "/api/v1/residents/me/qr.png?size=١٢٠",
                                  "/api/v1/residents/me/qr.png?size=%20200", "/api/v1/residents/me/qr.svg?size=" + "9" * 5000])
def test_unicode_digits_in_integer_parameters_are_400(client, make, path):
    resident, _code = make.resident()
    response = client.get(path, headers={"Authorization": f"Resident {resident.key}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "validation_error"


def test_integer_and_date_parameters_at_the_edges(client, unit, make):
    for query in ("campaign_id=²", "campaign_id=" + "9" * 40, "on=9999-12-31", "on=0001-01-01", "org_id=-1"):
        response = client.get(f"/api/v1/activities?{query}", headers=unit.headers)
        assert response.status_code == 400, query
    admin = make.user("admin")
    web = client.application.test_client()
    sign_in(web, admin)
    for query in ("org=" + "9" * 40, "org=²", "org=99999999999"):
        assert web.get(f"/org/cards?{query}").status_code == 404, query


def test_activity_times_at_the_calendars_edge_are_refused_everywhere(client, unit, lead):
    for start in ("9999-12-31T20:00:00+00:00", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00"):
        response = client.post("/api/v1/activities", headers=unit.lead_headers,
                               json=activity_body(unit, starts_at=start, ends_at=start))
        assert response.status_code == 400 and "starts_at" in response.get_json()["error"]["fields"]
    activity = unit.activity
    response = client.patch(f"/api/v1/activities/{activity.id}", headers=unit.lead_headers,
                            json={"ends_at": "9999-12-31T23:00:00+00:00"})
    assert response.status_code == 400
    form = {"campaign": unit.campaign.id, "theme": "reading", "name": "远古", "form": "lecture",
            "mode": "offline", "starts_at": "9999-12-31T20:00", "ends_at": "9999-12-31T22:00"}
    assert post(lead, "/unit/activities/new", form).status_code == 400
    from test_workspace_import import plan, row, upload

    response = upload(lead, plan(row(starts="9999-12-31 20:00", ends="9999-12-31 22:00"),
                                 row(name="x", **{"容纳人数": "²"})))
    assert response.status_code == 400
    assert db.session.scalar(select(Activity).where(Activity.name.in_(("远古", "x")))) is None
    assert client.get("/api/v1/activities", headers=unit.headers).status_code == 200


def test_cr_lf_and_tabs_in_next_never_leave_the_site(client, unit):
    for target in ("/%09/evil.example", "/%0d%0a/evil.example", "/\\evil.example", "%09//evil.example",
                   "https://evil.example", "//evil.example", "/%5Cevil.example"):
        page = client.get("/login?next=" + target)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
        response = client.post("/login?next=" + target, data={
            "username": unit.lead.username, "password": "correct horse battery", "csrf_token": token})
        location = response.headers["Location"]
        assert response.status_code == 302 and location.startswith("/") and not location.startswith(("//", "/\\")), \
            (target, location)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        language = client.get("/lang/en?next=" + target)
        assert not language.headers["Location"].startswith("//"), target


# --- one rule for stored text, and exports that never fail ----------------------------------------

def test_control_characters_never_reach_a_unit_table(client, unit, lead, runner, make):
    for links in (["https://example.cn/a\nb"], ["javascript:alert(1)"], ["https://exa mple.cn"],
                  ["https://example.cn/\x07"]):
        response = client.post("/api/v1/activities", headers=unit.lead_headers,
                               json=activity_body(unit, news_links=links))
        assert response.status_code == 400 and "news_links" in response.get_json()["error"]["fields"], links
    response = client.post("/api/v1/activities", headers=unit.lead_headers,
                           json=activity_body(unit, courses=["课程\x0b一"]))
    assert response.status_code == 400
    assert post(lead, f"/unit/table?campaign={unit.campaign.id}",
                {"lead_name": "李\x07明", "reporter_name": "", "phone": ""}).status_code == 400
    result = runner.invoke(args=["create-org", "单位\x1b[31m", "--region", "140105"])
    assert result.exit_code != 0 and "控制字符" in result.output
    result = runner.invoke(args=["create-org", "好单位", "--region", "140105", "--lead", "\u202e明李"])
    assert result.exit_code != 0
    # Whatever got in before the rule (written straight to the database) still exports.
    unit.org.name = "旧\x01单位"
    unit.activity.name = "旧\x02活动"
    db.session.commit()
    response = client.get(f"/api/v1/orgs/{unit.org.id}/report.xlsx?campaign_id={unit.campaign.id}",
                          headers=unit.lead_headers)
    assert response.status_code == 200


def test_a_quote_in_a_units_name_cannot_add_a_parameter_to_content_disposition(client, unit):
    unit.org.name = 'A"; filename*=UTF-8\'\'evil.exe; x="'
    db.session.commit()
    response = client.get(f"/api/v1/orgs/{unit.org.id}/report.xlsx?campaign_id={unit.campaign.id}",
                          headers=unit.lead_headers)
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    outside_quotes = re.sub(r'"(?:[^"\\]|\\.)*"', '""', header)
    assert outside_quotes.count("filename*=") == 1 and outside_quotes.count(";") == 2
    value, options = parse_options_header(header)
    assert value == "attachment" and options["filename"].endswith(".xlsx")
    assert "evil.exe" in options["filename"] and not options["filename"].endswith("evil.exe")


# --- the importer is bounded before openpyxl parses -----------------------------------------------

def _bomb():
    """A valid plan whose one cell inflates to 40 MiB (a few dozen KiB compressed)."""
    from test_workspace_import import plan, row

    source = zipfile.ZipFile(BytesIO(plan(row(name="A" * 20))))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if b"A" * 20 in data:  # the cell's text, inline in the sheet (openpyxl writes so)
                data = data.replace(b"A" * 20, b"A" * (40 * 1024 * 1024))
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def test_an_xlsx_that_inflates_too_far_is_refused_before_it_is_parsed(lead, monkeypatch):
    bomb = _bomb()
    assert len(bomb) < 200_000
    parsed = []
    monkeypatch.setattr(importer, "load_workbook", lambda *a, **k: parsed.append(1))
    with pytest.raises(importer.ImportProblem):
        importer.read_rows(bomb)
    assert parsed == []
    from test_workspace_import import upload

    response = upload(lead, bomb)
    assert response.status_code == 400 and parsed == []


def test_an_xlsx_with_too_many_cells_is_refused():
    out = BytesIO()
    cells = b"".join(b'<c r="A%d"/>' % i for i in range(importer.MAX_CELLS + 1))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>" + cells + b"</row></sheetData></worksheet>")
    with pytest.raises(importer.ImportProblem):
        importer.check_size(out.getvalue())


# --- accounts ---------------------------------------------------------------------------------------

def test_an_unknown_username_costs_the_same_one_argon2_verification(client, unit, monkeypatch):
    from argon2 import PasswordHasher

    calls = []
    original_hash, original_verify = PasswordHasher.hash, PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "hash", lambda self, *a, **k: calls.append("hash") or original_hash(self, *a, **k))
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, *a, **k: calls.append("verify") or original_verify(self, *a, **k))
    client.post("/api/v1/auth/token", json={"username": "nobody", "password": "whatever it is"})  # warm-up
    for username in ("nobody-else", unit.volunteer.username):
        calls.clear()
        response = client.post("/api/v1/auth/token", json={"username": username, "password": "wrong password"})
        assert response.status_code == 401
        assert calls == ["verify"], username


def test_no_username_oracle_across_units(lead, unit, other):
    taken_elsewhere = other.volunteer.username
    elsewhere = post(lead, "/unit/volunteers", {"username": taken_elsewhere, "password": "eight chars"})
    at_home = post(lead, "/unit/volunteers", {"username": unit.volunteer.username, "password": "eight chars"})
    assert elsewhere.status_code == at_home.status_code == 400

    def message(response, name):
        found = re.search(r'class="field-error">([^<]+)<', response.get_data(as_text=True)).group(1)
        return found.replace(name, "NAME")

    assert message(elsewhere, taken_elsewhere) == message(at_home, unit.volunteer.username)
    suggestion = f"u{unit.org.id}.{taken_elsewhere}"
    assert suggestion in elsewhere.get_data(as_text=True)
    assert post(lead, "/unit/volunteers", {"username": suggestion, "password": "eight chars"}).status_code == 302
    with pytest.raises(AccountError):  # another unit's namespace is never available
        create_user(f"u{other.org.id}.x", "eight chars", "volunteer", org_id=unit.org.id)


@pytest.mark.parametrize("password", ["12345678", "password", "qwertyui", "11111111", "iloveyou1"])
def test_common_passwords_are_refused_everywhere(password, lead, unit, runner):
    assert password_problem(password) == "common"
    with pytest.raises(AccountError):
        create_user("someone", password, "volunteer", org_id=unit.org.id)
    assert post(lead, "/unit/volunteers", {"username": "someone", "password": password}).status_code == 400
    assert post(lead, f"/unit/volunteers/{unit.volunteer.id}/password", {"password": password}).status_code == 400
    result = runner.invoke(args=["create-user", "someone", "--password", password, "--role", "admin"])
    assert result.exit_code != 0
    assert password_problem("seven77") == "too_short" and password_problem("eight chars") is None


def test_a_password_reset_signs_the_phones_out(lead, client, unit):
    assert client.get("/api/v1/me", headers=unit.headers).status_code == 200
    assert post(lead, f"/unit/volunteers/{unit.volunteer.id}/password", {"password": "a new password"}).status_code == 302
    assert client.get("/api/v1/me", headers=unit.headers).status_code == 401


def test_every_account_lists_and_revokes_its_own_tokens(client, make, unit):
    for user in (unit.lead, make.user("admin"), make.user("bureau", region_code="140100"), unit.volunteer):
        first, second = make.token(user), make.token(user)
        listed = client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {first}"})
        assert listed.status_code == 200
        rows = listed.get_json()
        assert len(rows) >= 2 and sum(row["current"] for row in rows) == 1
        other_id = next(row["id"] for row in rows if not row["current"])
        assert client.delete(f"/api/v1/auth/tokens/{other_id}", headers={"Authorization": f"Bearer {first}"}).status_code == 204
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code in (200, 401)
    # Another account's token is not found, and stays alive.
    someone = make.token(unit.lead)
    theirs = tokens.find_token(someone).id
    assert client.delete(f"/api/v1/auth/tokens/{theirs}", headers=unit.headers).status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {someone}"}).status_code == 200


def test_the_devices_page_signs_out_one_of_my_tokens(client, make, unit):
    secret = make.token(unit.lead)
    token_id = tokens.find_token(secret).id
    sign_in(client, unit.lead)
    page = client.get("/account/devices")
    assert page.status_code == 200 and f"/account/devices/{token_id}/revoke" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    response = post(client, f"/account/devices/{token_id}/revoke", {"csrf_token": csrf_token(client, "/account/devices")})
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    volunteer_token = tokens.find_token(unit.headers["Authorization"].split()[1]).id
    assert post(client, f"/account/devices/{volunteer_token}/revoke",
                {"csrf_token": csrf_token(client, "/account/devices")}).status_code == 404


def test_a_read_only_token_can_revoke_itself(client, make):
    bureau = make.user("bureau", region_code="140100")
    secret, token = tokens.issue_token(bureau, name="script")
    token.read_only = True
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/api/v1/auth/tokens", headers=headers).status_code in (403, 405)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_campaign_must_cover_the_units_region(client, unit, make):
    shandong = make.campaign(region_code="370000")
    response = client.post("/api/v1/activities", headers=unit.lead_headers,
                           json=activity_body(unit, campaign_id=shandong.id))
    assert response.status_code == 400 and "campaign_id" in response.get_json()["error"]["fields"]


def test_erasure_leaves_nothing_linking_the_person_to_a_code(client, unit, make):
    resident, code = make.resident(age_group="under_14", guardian_consent=True)
    sync = client.post("/api/v1/sync", json=sync_body([checkin(unit.activity.id, code=code)]), headers=unit.headers)
    assert sync.get_json()["summary"]["accepted"] == 1
    before = client.get(f"/api/v1/activities/{unit.activity.id}/stats", headers=unit.headers).get_json()
    assert client.delete("/api/v1/residents/me", headers={"Authorization": f"Resident {resident.key}"}).status_code == 204
    db.session.expire_all()
    assert resident.guardian_consent_at is None
    stored_code = db.session.scalar(select(SignInCode).where(SignInCode.code == code))
    assert stored_code.is_revoked and stored_code.resident_id != resident.id
    rows = db.session.scalars(select(Checkin).where(Checkin.resident_id == resident.id)).all()
    assert rows and all(row.code_id is None for row in rows)
    assert not db.session.scalars(select(Checkin).where(Checkin.resident_id == stored_code.resident_id)).all()
    # The old code still answers revoked_code, and no count moved.
    again = client.post("/api/v1/sync", json=sync_body([checkin(unit.activity.id, code=code)]), headers=unit.headers)
    assert [(r["status"], r["reason"]) for r in again.get_json()["results"]] == [("rejected", "revoked_code")]
    assert client.get(f"/api/v1/activities/{unit.activity.id}/stats", headers=unit.headers).get_json() == before


# --- configuration and files ------------------------------------------------------------------------

def test_debug_mode_does_not_skip_the_secret_key_check():
    for secret in ("", "dev"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app({"SECRET_KEY": secret, "TESTING": False, "DEBUG": True})


def test_make_run_writes_its_secret_key_for_the_owner_only(tmp_path):
    shutil.copy(os.path.join(ROOT, "Makefile"), tmp_path / "Makefile")
    subprocess.run(["make", "-s", "instance/.secret_key", "PYTHON=python3"], cwd=tmp_path, check=True,
                   env={**os.environ, "MAKEFLAGS": ""}, preexec_fn=lambda: os.umask(0o022))
    key = tmp_path / "instance" / ".secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "instance").stat().st_mode) == 0o700
    recipe = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True).stdout.replace("\\\n", " ")
    writers = [line for line in recipe.splitlines() if "init-db" in line or "seed-demo" in line or "gunicorn " in line]
    assert writers and all("umask 077" in line for line in writers)


def test_no_store_on_everything_behind_a_login(client, unit, lead):
    for path in ("/unit/", "/unit/volunteers", "/account/devices", f"/unit/table?campaign={unit.campaign.id}"):
        assert lead.get(path).headers.get("Cache-Control") == "no-store", path
    report = client.get(f"/api/v1/orgs/{unit.org.id}/report.xlsx?campaign_id={unit.campaign.id}",
                        headers=unit.lead_headers)
    assert report.status_code == 200 and report.headers["Cache-Control"] == "no-store"
    with lead.get("/static/css/site.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"


def test_make_run_compresses_the_scripts_and_the_deploy_guide_does_too(app, client):
    app.config["COMPRESS_RESPONSES"] = True
    try:
        response = client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        import gzip

        assert b"self" in gzip.decompress(response.get_data())
        assert client.get("/sw.js").headers.get("Content-Encoding") is None
    finally:
        app.config["COMPRESS_RESPONSES"] = False
    with open(os.path.join(ROOT, "docs", "deploy.md"), encoding="utf-8") as handle:
        guide = handle.read()
    gzip_types = re.search(r"gzip_types ([^;]+);", guide).group(1).split()
    assert "text/javascript" in gzip_types and "application/wasm" in gzip_types
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as handle:
        assert "COMPRESS_RESPONSES=1" in handle.read()
