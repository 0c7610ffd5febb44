"""The application shell: configuration, headers, errors, health, languages, SQLite settings."""
import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lwpwa import create_app
from lwpwa.extensions import db


def test_refuses_to_start_without_a_strong_secret_key():
    for secret in ("", "dev", "short-secret"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app({"SECRET_KEY": secret, "TESTING": False, "DEBUG": False})


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/api/v1/themes", "/login", "/no-such-page"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval' " not in script_src + " "
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/", base_url="http://localhost").headers
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers


def test_pages_have_no_inline_script_or_style_attributes(client):
    for path in ("/", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_api_errors_are_json_in_one_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": response.get_json()["error"]["message"], "fields": {}}}
    response = client.put("/api/v1/themes")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


def test_page_errors_are_pages(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "404" in response.get_data(as_text=True)


def test_healthz_while_the_database_is_current(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_healthz_is_503_on_an_unmigrated_database(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and "migrations not current" in response.get_json()["detail"]
    # The code's migrations are read once; the database's state is asked every time.
    with app.app_context():
        upgrade()
    assert app.test_client().get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_chinese_by_default_english_on_request(client):
    assert "使用二维码签到" in client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Sign in to activities with a QR code" in english
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    assert client.get("/lang/zh_Hans?next=https://evil.example/").headers["Location"] == "/"


def test_api_messages_follow_the_language(client):
    zh = client.get("/api/v1/nothing").get_json()["error"]["message"]
    en = client.get("/api/v1/nothing", headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert en == "Not found." and zh != en


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/wal.sqlite3"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with app.app_context():
        db.engine.dispose()


def test_check_says_what_is_ready(runner):
    result = runner.invoke(args=["check"])
    assert "database and migrations: reachable, current" in result.output
    assert "rate-limit store: memory://" in result.output and "not shared" in result.output


def test_behind_a_trusted_proxy_https_and_the_client_address_come_from_the_headers(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "TRUSTED_PROXIES": 1,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/proxy.sqlite3"})
    response = app.test_client().get("/", base_url="http://internal",
                                     headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "Strict-Transport-Security" in response.headers
    untrusted = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/proxy.sqlite3"})
    response = untrusted.test_client().get("/", base_url="http://internal", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
