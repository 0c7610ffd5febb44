"""What the service worker precaches, and the version that changes whenever any of it changes.

The version is a hash over every file that shapes the app (its scripts, styles, template, vendor
libraries, compiled catalogs and this package), so a deployment that changes any of them gives the
browser a new /sw.js, which installs beside the old one and offers "reload".
"""
import hashlib
import json
from pathlib import Path

from flask import current_app

from ..config import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
STATIC_DIR = PROJECT_ROOT / "static"
APP_DIR = STATIC_DIR / "app"
TEMPLATE_DIR = PROJECT_ROOT / "templates" / "app"
TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
SW_SOURCE = APP_DIR / "sw.js"
LOCALES = ("zh_Hans", "en")
ICON_SIZES = (192, 512)

_cache = {}


def vendor_files():
    """Paths under static/vendor/ that `npm ci` puts there (see vendor.json)."""
    files = json.loads((HERE / "vendor.json").read_text(encoding="utf-8"))["files"]
    return sorted(files.values())


def app_files():
    """The app's own static files the page loads (sw.js is served from the root, not from here)."""
    return sorted(
        path.relative_to(APP_DIR).as_posix()
        for path in APP_DIR.rglob("*")
        if path.is_file() and path.suffix in {".js", ".css"} and path != SW_SOURCE
    )


def precache_urls():
    urls = ["/app/", "/manifest.webmanifest"]
    urls += [f"/app/i18n/{locale}.json" for locale in LOCALES]
    urls += [f"/app/icons/icon-{size}.png" for size in ICON_SIZES]
    urls += [f"/static/app/{name}" for name in app_files()]
    urls += [f"/static/vendor/{name}" for name in vendor_files()]
    return urls


def _inputs():
    paths = [APP_DIR / name for name in app_files()]
    paths += [STATIC_DIR / "vendor" / name for name in vendor_files()]
    paths += [SW_SOURCE, *sorted(TEMPLATE_DIR.rglob("*.html")), *sorted(HERE.glob("*.py"))]
    paths += [TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.mo" for locale in LOCALES]
    return paths


def missing_vendor_files():
    return [name for name in vendor_files() if not (STATIC_DIR / "vendor" / name).is_file()]


def build_version():
    """A short hash of everything the app is made of; PWA_BUILD_SALT lets a deployment force one."""
    paths = _inputs()
    signature = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) if p.is_file() else (str(p), None, None)
        for p in paths
    )
    salt = str(current_app.config.get("PWA_BUILD_SALT", ""))
    key = (signature, salt)
    if key not in _cache:
        digest = hashlib.sha256(salt.encode())
        for path in paths:
            digest.update(path.as_posix().encode())
            if path.is_file():
                digest.update(path.read_bytes())
        _cache.clear()
        _cache[key] = digest.hexdigest()[:16]
    return _cache[key]


def service_worker_source():
    """sw.js with its version and precache list written in front of it."""
    build = {"version": build_version(), "precache": precache_urls()}
    header = f"const BUILD = {json.dumps(build, separators=(',', ':'))};\n"
    return header + SW_SOURCE.read_text(encoding="utf-8")
