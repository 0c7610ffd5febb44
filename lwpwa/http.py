"""The request class and the response rules that hold for every endpoint."""
from flask import Request as FlaskRequest
from flask import g, request, session
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge


class Request(FlaskRequest):
    """Flask's request, with the two ways a body escaped its checks closed:

    - JSON nested deeper than the parser's recursion limit raised RecursionError through
      `get_json(silent=True)` (a 500); it is now "not JSON" like any other unparsable body;
    - a chunked body (no Content-Length) over MAX_CONTENT_LENGTH was cut at the limit by
      Werkzeug and then failed as invalid JSON; it is now 413 like a declared one.
    """

    def get_json(self, force=False, silent=False, cache=True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("The JSON body is nested too deeply.") from None

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
