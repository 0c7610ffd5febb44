"""lwpwa: QR sign-in and automatic statistics for the Lifelong Learning Activity Week."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import INSTANCE_DIR, Config, check_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def create_app(config_overrides=None):
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        static_folder="../static",
        template_folder="../templates",
    )
    from .http import Request

    app.request_class = Request
    app.config.from_object(Config)
    if config_overrides:
        app.config.update(config_overrides)
    check_config(app.config)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    INSTANCE_DIR.mkdir(exist_ok=True)

    from . import i18n, models  # noqa: F401  (models: every table known to Alembic)
    from .database import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    app.jinja_env.globals["get_locale"] = i18n.current_locale
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from .compression import compress
    from .errors import register_error_handlers
    from .http import no_store_behind_login, refuse_nul
    from .security import set_security_headers

    register_error_handlers(app)
    app.after_request(set_security_headers)
    app.after_request(no_store_behind_login)
    app.after_request(compress)  # runs before the two above (Flask runs them last-first)
    app.before_request(refuse_nul)
    _register_blueprints(app)
    _register_transaction_hooks(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _register_blueprints(app):
    from . import health, reference_api
    from .accounts import api as auth_api
    from .accounts import web as accounts_web
    from .activities import api as activities_api
    from .api import openapi
    from .bureau.blueprints import BLUEPRINTS as bureau_blueprints
    from .checkins import api as checkins_api
    from .pwa import api as pwa_api
    from .maps import views as maps
    from .evidence import api as evidence_api, bureau as evidence_bureau, web as evidence_web
    from .flags import api as flags_api, web as flags_web
    from .pwa import routes as pwa
    from .reports import api as reports_api
    from .residents import api as residents_api
    from .residents import web as residents_web
    from .web import routes as web
    from .workspace import blueprint as workspace, pairing_api

    api_blueprints = (auth_api.bp, reference_api.bp, activities_api.bp, residents_api.bp,
                      checkins_api.bp, reports_api.bp, openapi.bp, pairing_api.bp, pwa_api.bp,
                      evidence_api.bp, flags_api.bp)
    for blueprint in api_blueprints:
        # Machine clients authenticate with a bearer token, not a cookie: no CSRF to defend.
        csrf.exempt(blueprint)
    for blueprint in (web.bp, accounts_web.bp, health.bp, pwa.bp, residents_web.bp, *bureau_blueprints, maps.bp, workspace.bp,
                      evidence_web.bp, evidence_bureau.bp, flags_web.bp, *api_blueprints):
        app.register_blueprint(blueprint)


def _register_transaction_hooks(app):
    """One place owns the transaction: handlers only flush, the request commits or rolls back.
    (The sync view commits as soon as its rows are written, through the same commit_request.)"""
    from flask import g, request

    from .database import begin_write, checkpoint_after, commit_request, end_write
    from sqlalchemy.exc import DBAPIError

    from .errors import is_store_error, store_unavailable_response

    @app.before_request
    def writers_take_the_lock_first():
        view = app.view_functions.get(request.endpoint)
        if request.method not in SAFE_METHODS and not getattr(view, "takes_write_lock_late", False):
            # The whole body first (bounded by MAX_CONTENT_LENGTH): a phone whose Wi-Fi drops
            # mid-upload must not hold SQLite's write lock, which every other writer waits for.
            request.get_data(cache=True, parse_form_data=True)
            begin_write()

    @app.after_request
    def commit_session(response):
        if response.status_code < 400:
            try:
                commit_request()
            except DBAPIError as exc:  # the answer was not stored: it must not say it was
                if not is_store_error(exc):
                    raise
                response = store_unavailable_response(exc)
        else:
            try:
                db.session.rollback()
            finally:
                end_write()
        queue = g.pop("left_writers_queue", None)
        if queue is not None:
            checkpoint_after(response, queue)
        return response

    @app.teardown_request
    def rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()
        end_write()
