"""Browser tests: Debian's Chromium, driven by Playwright, against a live lwpwa server.

The server runs in a thread on a free port, on a throw-away SQLite database that the public CLI
creates (init-db, create-campaign, create-org, create-user); everything else is made through the
JSON API, as outside clients do. Under CI=true a missing browser fails the run instead of skipping.
"""
import os
import shutil
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .helpers import PASSWORD, Api, ZONE

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("LWPWA_CHROMIUM", "/usr/bin/chromium")
SECRET = "browser-tests-secret-key-0123456789-abcdefghij"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]
QR_SAMPLES = Path(os.environ.get("LWPWA_QR_SAMPLES", ROOT.parent / "shared" / "qr-samples"))


def _missing(what):
    if IN_CI:
        pytest.fail(f"{what} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(what)


def _ensure_vendor_files():
    """The decoder and idb come from npm (`npm ci`, as `make install` runs); install them if absent."""
    from lwpwa.pwa.assets import missing_vendor_files

    if missing_vendor_files() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    missing = missing_vendor_files()
    if missing:
        _missing(f"static/vendor/ lacks {', '.join(missing)}: run `npm ci`")


def _cli(env, *args):
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


class LiveServer:
    def __init__(self, app, url, api, campaign_id, org_id):
        self.app = app
        self.url = url
        self.api = api
        self.campaign_id = campaign_id
        self.org_id = org_id
        self._lead_token = None
        self.volunteer = "volunteer1"

    @property
    def lead_token(self):
        if self._lead_token is None:
            self._lead_token = self.api.token("lead1")
        return self._lead_token

    def new_activity(self, name="读书沙龙"):
        return self.api.create_activity(self.lead_token, self.campaign_id, self.org_id, name)

    def stats(self, activity_id):
        return self.api.stats(self.lead_token, activity_id)

    def new_version(self, salt):
        """Deploy "a new version": every file the service worker precaches gets a new hash."""
        self.app.config["PWA_BUILD_SALT"] = salt


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    _ensure_vendor_files()
    tmp = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{tmp}/lwpwa.sqlite3"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": "0",
           "PASSWORD_TIME_COST": "1", "PASSWORD_MEMORY_KIB": "1024", "PASSWORD_PARALLELISM": "1"}
    _cli(env, "init-db")
    today = date.today()
    campaign_id = int(_cli(env, "create-campaign", "--title", "浏览器测试活动周", "--region", "140000",
                           "--starts-on", (today - timedelta(days=3)).isoformat(),
                           "--ends-on", (today + timedelta(days=3)).isoformat()))
    org_id = int(_cli(env, "create-org", "测试社区学校", "--region", "140100"))
    _cli(env, "create-user", "volunteer1", "--password", PASSWORD, "--role", "volunteer", "--org", str(org_id))
    _cli(env, "create-user", "volunteer2", "--password", PASSWORD, "--role", "volunteer", "--org", str(org_id))
    _cli(env, "create-user", "lead1", "--password", PASSWORD, "--role", "site_lead", "--org", str(org_id))

    from lwpwa import create_app

    app = create_app({
        "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": database_url, "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False, "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_KIB": 1024,
        "PASSWORD_PARALLELISM": 1,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    yield LiveServer(app, url, Api(url), campaign_id, org_id)
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def launch(playwright_instance, tmp_path):
    """launch(camera=PATH_TO_Y4M or None) → a Chromium whose fake camera shows that file."""
    browsers = []

    def _launch(camera=None):
        args = list(CHROMIUM_ARGS)
        if camera:
            args.append(f"--use-file-for-fake-video-capture={camera}")
        browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args)
        browsers.append(browser)
        return browser

    yield _launch
    for browser in browsers:
        browser.close()


@pytest.fixture
def new_context(live_server):
    contexts = []

    def _new_context(browser, locale="zh-CN"):
        context = browser.new_context(base_url=live_server.url, locale=locale, timezone_id=str(ZONE),
                                      permissions=["camera"], service_workers="allow")
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()


@pytest.fixture
def qr_samples():
    if not (QR_SAMPLES / "manifest.json").exists():
        pytest.fail(f"the shared QR samples are missing at {QR_SAMPLES}", pytrace=False)
    return QR_SAMPLES
