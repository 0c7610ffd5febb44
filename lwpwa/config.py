"""Configuration read from the environment, with safe defaults for development."""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development"}


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_secret(instance_dir=INSTANCE_DIR):
    """The key `make run` keeps in instance/.secret_key (mode 600), so that `flask --app wsgi …`
    commands work in a checkout started with `make run` without typing it; "" if there is none.
    SECRET_KEY in the environment always wins."""
    try:
        return (Path(instance_dir) / ".secret_key").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or instance_secret()
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lwpwa.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Chinese first: zh_Hans unless the user, a cookie or the browser asks for English.
    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = ("zh_Hans", "en")

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")

    # Limits are counted in a store that every gunicorn worker shares (Redis in production).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "lwpwa")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)

    # Behind nginx (TLS) set to the number of proxies, so https, client address and host come
    # from X-Forwarded-* (secure cookies, HSTS, rate limits per real address).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))

    # gzip in the app, for `make run` (gunicorn alone); behind nginx, nginx compresses.
    COMPRESS_RESPONSES = _bool("COMPRESS_RESPONSES", False)

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 4 * 1024 * 1024))
    SYNC_MAX_ITEMS = 1000
    # Check-ins further than this from an activity's start/end are held for a site lead.
    SYNC_HOLD_MARGIN_HOURS = 6
    # Argon2id cost (RFC 9106 "second recommended" profile); tests lower it.
    PASSWORD_TIME_COST = int(os.environ.get("PASSWORD_TIME_COST", 3))
    PASSWORD_MEMORY_KIB = int(os.environ.get("PASSWORD_MEMORY_KIB", 64 * 1024))
    PASSWORD_PARALLELISM = int(os.environ.get("PASSWORD_PARALLELISM", 4))
    TOKEN_LIFETIME_DAYS = int(os.environ.get("TOKEN_LIFETIME_DAYS", 180))
    # Photos, evidence packages and plans (files on disk; default instance/evidence).
    EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE") or str(INSTANCE_DIR / "evidence")
    PLAN_MAX_BYTES = int(os.environ.get("PLAN_MAX_BYTES", 10 * 1024 * 1024))


def check_config(config):
    """Refuse to start with a configuration that would be unsafe in production. Only the test
    suite (TESTING) may go without a key: debug mode (FLASK_DEBUG=1, easily left on by a
    copied command) is no reason to sign sessions with a guessable one."""
    if config.get("TESTING"):
        return
    secret = config.get("SECRET_KEY") or ""
    if secret.lower() in WEAK_SECRETS or len(secret) < 32:
        raise RuntimeError(
            "SECRET_KEY is missing or weak: set SECRET_KEY to at least 32 random characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
