"""Browser tests: Debian's Chromium, driven by Playwright, against a live lwpwa server.

The server runs in a thread on a free port, on a throw-away SQLite database that the public CLI
creates (init-db, create-campaign, create-org, create-user); everything else is made through the
JSON API, as outside clients do. Under CI=true a missing browser fails the run instead of skipping.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import ZONE
from .server import start_live_server

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("LWPWA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]
# A loaded CI machine (two cores, two databases, a browser) is slower than a desk: wait longer
# for what must happen, never for a fixed time.
expect.set_options(timeout=15_000)
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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    _ensure_vendor_files()
    server = start_live_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


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
    """new_context(browser) → a context on the live server. Every page of it is watched: an
    uncaught script error or a Content-Security-Policy violation fails the test."""
    contexts = []
    problems = []

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        page.on("console", lambda message: "Content Security Policy" in message.text
                and problems.append(f"{page.url}: {message.text}"))

    def _new_context(browser, locale="zh-CN"):
        context = browser.new_context(base_url=live_server.url, locale=locale, timezone_id=str(ZONE),
                                      permissions=["camera"], service_workers="allow")
        context.set_default_timeout(15000)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()
    assert problems == []


@pytest.fixture
def qr_samples():
    if not (QR_SAMPLES / "manifest.json").exists():
        pytest.fail(f"the shared QR samples are missing at {QR_SAMPLES}", pytrace=False)
    return QR_SAMPLES
