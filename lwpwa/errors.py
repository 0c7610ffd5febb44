"""One error shape for the API, readable pages for people, and no 500 for bad input."""
from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from .extensions import db

# Seconds a client waits before retrying while the store cannot be written (PWA: keep and retry).
STORE_RETRY_AFTER = 5

# Default codes and messages for HTTP errors raised by Flask itself or by abort().
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "fields"}} with its HTTP status."""

    def __init__(self, status, code, message, fields=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


class ValidationError(ApiError):
    def __init__(self, fields, message=None):
        super().__init__(400, "validation_error", message or _("Some fields are not valid."), fields)


class StoreUnavailable(ApiError):
    """The database cannot be reached or written (down, read-only, disk full): 503 with
    Retry-After, never a 500, so that phones keep their check-ins and send them again."""

    def __init__(self):
        super().__init__(503, "store_unavailable",
                         _("The server cannot store data at the moment. Please try again shortly."),
                         headers={"Retry-After": str(STORE_RETRY_AFTER)})


def forget_connections():
    """After a driver error, every pooled connection of this worker is suspect: an SQLite file
    opened while it was read-only stays read-only for that connection's life, and a PostgreSQL
    connection may be dead. Closing them lets the next request open fresh ones, so the app
    recovers by itself once the store is back."""
    from .database import store_failed

    store_failed()
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is broken; it is discarded next
        pass
    try:
        db.engine.dispose()
    except Exception:  # noqa: BLE001
        current_app.logger.warning("could not discard the database connections", exc_info=True)


# Operational errors are the store's state (locked past the busy timeout, read-only, full,
# unreachable, shutting down), not the request's input.
STORE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError)
# PostgreSQL states that are the store's too, though drivers file them under other classes:
# a read-only transaction or server (25006), no space or memory (class 53), an operator's
# intervention such as a shutdown (57), a lost connection (08).
STORE_SQLSTATES = ("25006", "53", "57", "08")


def is_store_error(exc):
    if isinstance(exc, STORE_ERRORS):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        state = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
        return state.startswith(STORE_SQLSTATES)
    return False


def store_unavailable_response(exc=None):
    current_app.logger.warning("store unavailable: %r", exc)
    error = StoreUnavailable()
    try:  # before the rollback: the page needs what was loaded (the signed-in user), no query
        response = error_response(error.status, error.code, error.message, headers=error.headers)
    except Exception:  # noqa: BLE001 - a page that needs the store: a plain answer instead
        response = current_app.response_class(error.message, 503, {"Retry-After": str(STORE_RETRY_AFTER)},
                                              mimetype="text/plain")
    forget_connections()
    return response


def not_found(message=None):
    return ApiError(404, "not_found", message or _("Not found."))


def wants_json():
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status, code, message, fields=None, headers=None):
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        response = jsonify(body)
    else:
        response = current_app.make_response(
            (render_template("error.html", status=status, message=message), status)
        )
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_message(exc):
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return messages.get(exc.code, exc.description or exc.name)


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def handle_api_error(exc):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc):
        code = HTTP_CODES.get(exc.code, "http_error")
        headers = {}
        if exc.code == 429:
            retry_after = getattr(exc, "retry_after", None)
            headers["Retry-After"] = str(retry_after or 60)
        if exc.code == 400 and getattr(exc, "description", "").startswith("The CSRF"):
            code = "csrf_failed"
        if exc.code == 400 and request.path.startswith("/api/") and "JSON" in (exc.description or ""):
            code = "invalid_json"
        response = error_response(exc.code, code, _http_message(exc), headers=headers)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(sa_exc.DBAPIError)
    def handle_database_error(exc):
        if is_store_error(exc):
            return store_unavailable_response(exc)
        return handle_unexpected(exc)

    app.register_error_handler(sa_exc.DisconnectionError, store_unavailable_response)

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        if app.testing and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise exc
        app.logger.exception("unhandled error")
        return error_response(500, "internal_error", _("Something went wrong on the server."))
