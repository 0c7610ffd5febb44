"""The landing page and the language switch."""
from flask import Blueprint, redirect, render_template, request, url_for

from ..http import local_path
from ..i18n import LOCALE_COOKIE, normalize_locale

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/lang/<code>")
def set_language(code):
    # Only same-site paths: never an open redirect.
    response = redirect(local_path(request.args.get("next")) or url_for("web.index"))
    locale = normalize_locale(code)
    if locale:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response
