"""gzip for responses when no proxy compresses them (`make run`: gunicorn alone on localhost;
COMPRESS_RESPONSES=1). Behind nginx (docs/deploy.md) nginx does it and this stays off.

The scanner's first visit is 1.07 MB raw, 450 KB compressed, most of it static files
(the QR decoder's WebAssembly, the scripts): those are compressed once per file version (ETag)
and kept, so a static file costs its compression only once per worker.
"""
import gzip
from collections import OrderedDict

from flask import current_app, request

COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript",
                "application/json", "application/manifest+json", "application/wasm",
                "image/svg+xml", "text/csv", "text/plain"}
MIN_BYTES = 1024
CACHE_ENTRIES = 64
_cache = OrderedDict()  # (path, etag) -> gzip bytes, for files that do not change under an ETag


def _cached(key, make):
    if key is None:
        return make()
    body = _cache.get(key)
    if body is None:
        body = _cache[key] = make()
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return body


def compress(response):
    if not current_app.config.get("COMPRESS_RESPONSES"):
        return response
    if (response.status_code != 200 or response.is_streamed and not response.direct_passthrough
            or "Content-Encoding" in response.headers or response.mimetype not in COMPRESSIBLE
            or request.range is not None or not request.accept_encodings["gzip"]):
        return response
    etag, _weak = response.get_etag()
    key = (request.path, etag) if etag and response.direct_passthrough else None
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    response.set_data(_cached(key, lambda: gzip.compress(data, compresslevel=6)))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if etag:
        # The same file, other bytes: a weak ETag still revalidates (If-None-Match is compared
        # weakly) but no longer claims byte-for-byte identity with the uncompressed one.
        response.set_etag(etag, weak=True)
    return response
