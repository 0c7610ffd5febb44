"""Locale choice: the user's own setting, then a cookie, then the browser, then zh_Hans."""
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

LOCALE_COOKIE = "lang"


def normalize_locale(value):
    """Map anything a browser or a person may send to one of our catalogs, or None."""
    if not value:
        return None
    value = value.replace("-", "_").lower()
    if value.startswith("zh"):
        return "zh_Hans"
    if value.startswith("en"):
        return "en"
    return None


def select_locale():
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    for candidate in (request.args.get("lang"), user_locale, request.cookies.get(LOCALE_COOKIE)):
        locale = normalize_locale(candidate)
        if locale:
            return locale
    for language, _quality in request.accept_languages:
        locale = normalize_locale(language)
        if locale:
            return locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale():
    """The active catalog's name as the templates compare it: "zh_Hans" or "en"."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
