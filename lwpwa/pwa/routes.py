"""The volunteer's PWA: /app/, /sw.js, /manifest.webmanifest, its catalogs and icons (issue 3).

The app itself is static ES modules in static/app/; the server only renders its shell, serves
the service worker from the site root (so its scope covers /app/) and turns the gettext catalogs
into JSON for the client.
"""
from flask import Blueprint, abort, current_app, jsonify, render_template, url_for

from . import assets
from .catalog import client_catalog
from .icons import icon_png

bp = Blueprint("pwa", __name__)

THEME_COLOR = "#0b3d91"


def _no_cache(response):
    # Always revalidated: the service worker decides what is served offline, not the HTTP cache.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/app/")
def app_shell():
    missing = assets.missing_vendor_files()
    if missing:
        current_app.logger.error("static/vendor/ is incomplete (run `npm ci`): %s", ", ".join(missing))
    response = current_app.make_response(
        render_template("app/index.html", version=assets.build_version(), theme_color=THEME_COLOR)
    )
    return _no_cache(response)


@bp.get("/sw.js")
def service_worker():
    response = current_app.response_class(
        assets.service_worker_source(), mimetype="text/javascript"
    )
    response.headers["Service-Worker-Allowed"] = "/"
    return _no_cache(response)


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "name": "终身学习活动周签到",
        "short_name": "活动签到",
        "description": "全民终身学习活动周：志愿者扫码签到，离线可用",
        "lang": "zh-CN",
        "dir": "ltr",
        "id": "/app/",
        "start_url": "/app/",
        "scope": "/app/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {
                "src": url_for("pwa.icon", size=size),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in assets.ICON_SIZES
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return _no_cache(response)


@bp.get("/app/i18n/<locale>.json")
def catalog(locale):
    if locale not in assets.LOCALES:
        abort(404)
    response = jsonify({"locale": locale, "messages": client_catalog(locale)})
    return _no_cache(response)


@bp.get("/app/icons/icon-<int:size>.png")
def icon(size):
    if size not in assets.ICON_SIZES:
        abort(404)
    response = current_app.response_class(icon_png(size), mimetype="image/png")
    return _no_cache(response)


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on every page of the site; the app icon, as PNG, answers.
    response = current_app.response_class(icon_png(192), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
