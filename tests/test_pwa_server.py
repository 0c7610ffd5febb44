"""The server's side of the scanner PWA: shell, manifest, service worker, catalogs and icons."""
import io
import json
import re
from html.parser import HTMLParser

from PIL import Image

from lwpwa.pwa import assets


def build_of(sw_source):
    first_line = sw_source.split("\n", 1)[0]
    assert first_line.startswith("const BUILD = ") and first_line.endswith(";")
    return json.loads(first_line[len("const BUILD = "):-1])


class _Inline(HTMLParser):
    """Collects what the CSP forbids: inline scripts, style attributes, inline event handlers."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("inline <script>")
        for name in names:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("script body")


def test_app_shell_has_no_inline_script_or_style_and_a_strict_csp(client):
    response = client.get("/app/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "frame-ancestors 'none'",
                      "worker-src 'self'", "connect-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    parser = _Inline()
    parser.feed(response.get_data(as_text=True))
    assert parser.problems == []
    assert '<link rel="manifest" href="/manifest.webmanifest">' in response.get_data(as_text=True)


def test_activity_links_open_the_same_shell(client):
    assert client.get("/app/?activity=12").get_data() == client.get("/app/").get_data()


def test_manifest_as_api_md_says(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-cache"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/app/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-CN"
    assert manifest["name"] and manifest["short_name"]
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as png:
            assert png.status_code == 200 and png.mimetype == "image/png"
            width, height = Image.open(io.BytesIO(png.data)).size
        assert f"{width}x{height}" == icon["sizes"]


def test_service_worker_is_served_from_the_root_uncached_with_its_precache_list(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    build = build_of(response.get_data(as_text=True))
    assert re.fullmatch(r"[0-9a-f]{16}", build["version"])
    precache = set(build["precache"])
    assert {"/app/", "/manifest.webmanifest", "/app/i18n/zh_Hans.json", "/app/i18n/en.json",
            "/static/app/main.js", "/static/app/app.css", "/static/vendor/idb/index.js",
            "/static/vendor/zxing-wasm/reader/zxing_reader.wasm"} <= precache
    assert "/static/app/sw.js" not in precache
    for url in precache:
        with client.get(url) as answer:
            assert answer.status_code == 200, url


def test_a_new_build_gets_a_new_service_worker_version(app, client):
    before = build_of(client.get("/sw.js").get_data(as_text=True))["version"]
    app.config["PWA_BUILD_SALT"] = "another deployment"
    try:
        after = build_of(client.get("/sw.js").get_data(as_text=True))["version"]
    finally:
        app.config.pop("PWA_BUILD_SALT")
    assert after != before
    assert build_of(client.get("/sw.js").get_data(as_text=True))["version"] == before


def test_client_catalogs_hold_the_apps_strings_in_both_languages(client):
    zh = client.get("/app/i18n/zh_Hans.json")
    en = client.get("/app/i18n/en.json")
    assert zh.status_code == en.status_code == 200
    assert zh.headers["Cache-Control"] == "no-cache"
    zh_messages, en_messages = zh.get_json()["messages"], en.get_json()["messages"]
    assert set(zh_messages) == set(en_messages)
    assert {"Signed in", "Already signed in today", "Not a valid sign-in code"} <= set(en_messages)
    assert en_messages["Signed in"] == "Signed in"
    assert zh_messages["Signed in"] == "签到成功"
    untranslated = [msgid for msgid, text in zh_messages.items() if text == msgid]
    assert untranslated == []
    assert client.get("/app/i18n/fr.json").status_code == 404


def test_unknown_icon_sizes_are_not_found(client):
    assert client.get("/app/icons/icon-64.png").status_code == 404


def test_static_app_code_has_no_inline_handlers_or_styles():
    for path in assets.APP_DIR.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""["']style["']\s*:|\.style\.|setAttribute\(\s*["'](style|on\w+)["']|innerHTML""", text), path
        assert "eval(" not in text and "new Function" not in text, path
