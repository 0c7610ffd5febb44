"""The request class and the response rules that hold for every endpoint."""
from types import SimpleNamespace

from flask import Request as FlaskRequest
from flask import current_app, g, json, request, session
from werkzeug.exceptions import RequestEntityTooLarge


def parse_json(data):
    """The one JSON parse of the app (request bodies, the rescue upload): a value, or ValueError.
    JSON nested deeper than the parser's recursion limit raised RecursionError, which escaped
    `get_json(silent=True)` as a 500; it is now "not JSON" like any other unparsable text."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


class Request(FlaskRequest):
    """Flask's request, with the two ways a body escaped its checks closed: JSON is parsed by
    `parse_json`, and a chunked body (no Content-Length) over MAX_CONTENT_LENGTH, which
    Werkzeug cut at the limit and which then failed as invalid JSON, is 413 like a declared one.
    """

    _json = SimpleNamespace(loads=parse_json, dumps=json.dumps)

    @property
    def json_module(self):
        return self._json

    @json_module.setter
    def json_module(self, _value):
        """Flask sets the app's JSON provider on each request; parse_json already uses it."""

    @property
    def max_content_length(self):
        """MAX_CONTENT_LENGTH, or the larger limit of a view marked with `body_limit` (asked of
        the matched view itself: CSRF protection and the write lock read the body before the
        view runs)."""
        if self._max_content_length is None and self.url_rule is not None and current_app:
            limit = getattr(current_app.view_functions.get(self.url_rule.endpoint), "body_limit", None)
            if limit is not None:
                return limit()
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value

    def get_data(self, cache=True, as_text=False, parse_form_data=False):
        unread = getattr(self, "_cached_data", None) is None
        data = super().get_data(cache=cache, as_text=False, parse_form_data=parse_form_data)
        limit = self.max_content_length
        if unread and limit is not None and self.content_length is None and len(data) >= limit:
            # Werkzeug stops reading at the limit: whatever is still there is over it.
            if self.environ["wsgi.input"].read(1):
                raise RequestEntityTooLarge()
        return data.decode(errors="replace") if as_text else data


def signed_in():
    """Whether this request acts for an account (a session or an API token), without a query."""
    return bool(g.get("api_user") or session.get("_user_id"))


def no_store_behind_login(response):
    """What an account sees (pages, downloads, API answers) must not stay in a shared or browser
    cache for the next person at the same computer: `Cache-Control: no-store`, unless the view
    chose a policy itself (the service worker, static files)."""
    if "Cache-Control" not in response.headers and not request.path.startswith("/static/") and signed_in():
        response.headers["Cache-Control"] = "no-store"
    return response


def local_path(target):
    """`target` as a path on this site, or None. Checked after the normalisation a browser and
    Werkzeug's Location header apply, not before: tabs and line breaks vanish ("/\\t/evil"
    became "//evil"), a backslash is a slash ("/\\evil"), and anything with a scheme or a host
    is another site."""
    if not isinstance(target, str) or len(target) > 2000:
        return None
    cleaned = "".join(ch for ch in target if ch not in "\t\n\r" and ord(ch) >= 0x20 and ch != "\x7f")
    cleaned = cleaned.strip(" ").replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def refuse_nul():
    """No text a database holds may contain NUL (PostgreSQL refuses it in any string parameter,
    so a `%00` in a region code or a username was a 500 there): a path with one names nothing
    (404), a query or form field with one is not valid (400)."""
    from .errors import ApiError, ValidationError

    if "\x00" in request.path:
        raise ApiError(404, "not_found", "Not found.")
    if request.path.startswith("/api/"):
        # The JSON API reads only what a request declaration names, and each declared type
        # refuses NUL itself; other parameters are ignored, as the document says.
        return
    for source in (request.args, request.form) if request.mimetype in FORM_TYPES else (request.args,):
        # A multipart part may come without a name (None): only text can hold a NUL.
        bad = [name or "" for name, value in source.items(multi=True)
               if any(isinstance(text, str) and "\x00" in text for text in (name, value))]
        if bad:
            from .text import MESSAGES

            raise ValidationError({name[:64].replace("\x00", ""): str(MESSAGES["control"]) for name in bad})


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def body_limit(config_key, slack=64 * 1024):
    """Mark a view whose requests may be larger than MAX_CONTENT_LENGTH (a plan of 10 MiB): the
    body is read before the view runs (CSRF, the write lock), so the request asks the view for
    its limit (Request.max_content_length). `slack` leaves room for the form's other fields and
    the multipart framing."""
    def mark(view):
        view.body_limit = lambda: current_app.config[config_key] + slack
        return view
    return mark
