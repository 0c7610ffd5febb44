"""gunicorn's settings for lwpwa: `gunicorn -c python:lwpwa.serving wsgi:app` (README, Makefile,
docs/deploy.md). Command-line options still override each of them.

- Slow clients: with gunicorn's default sync worker, four phones whose Wi-Fi dropped in the
  middle of an upload held all four workers until the timeout, and every other phone waited.
  In production nginx reads whole requests before gunicorn sees any (docs/deploy.md), so slow
  clients cost nothing. Without it, as `make run` serves: threaded workers (a stalled upload
  holds one thread), each accepting only as many connections as it has threads (otherwise a
  worker whose threads are all stuck still accepts, and the connections it takes wait behind
  them while other workers idle), and a read timeout on every client socket (a stalled upload
  is dropped after CLIENT_READ_TIMEOUT seconds).
- Errors that gunicorn answers itself, before or after the app (a malformed request line or
  Content-Length, headers too large, a worker stopped mid-request), in the JSON envelope of
  API.md instead of gunicorn's HTML page.
- A control socket per server under instance/ (gunicorn 27 otherwise puts every server of the
  host on one path, $XDG_RUNTIME_DIR/gunicorn.ctl, and the second one takes it from the first).
"""
import json
import os
import re

from gunicorn import util
from gunicorn.config import ControlSocket

from .config import INSTANCE_DIR

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_connections = threads
timeout = 60
graceful_timeout = 30
keepalive = 5
CLIENT_READ_TIMEOUT = float(os.environ.get("GUNICORN_CLIENT_READ_TIMEOUT", "15"))

# API.md's codes for what gunicorn refuses itself; anything else keeps gunicorn's status.
PROTOCOL_CODES = {400: "bad_request", 403: "forbidden", 414: "uri_too_long",
                  417: "expectation_failed", 431: "headers_too_large", 501: "not_implemented"}
MESSAGES = {400: "请求格式有误。The request could not be understood.",
            403: "禁止访问。Forbidden.",
            414: "请求地址过长。The request line is too long.",
            417: "无法满足 Expect 请求头。Expectation failed.",
            431: "请求头过大。The request headers are too large.",
            501: "不支持的传输编码。Not implemented.",
            503: "服务器暂时无法处理请求，请稍后重试。The server could not finish this request; "
                 "please send it again shortly."}
RETRY_AFTER = 5


def json_error(status_int, reason, mesg=""):
    """The raw HTTP answer (bytes) for an error gunicorn answers without the app.

    A 500 here is never the app's own answer (the app answers its errors itself): the worker
    was stopped or crashed mid-request, so whatever it was doing may or may not be committed.
    That is answered 503 with Retry-After: the client sends the same request again, and the
    sync's ids make the resend count once."""
    headers = ""
    if status_int >= 500 and status_int != 501:
        status_int, reason, code = 503, "Service Unavailable", "server_unavailable"
        headers = f"Retry-After: {RETRY_AFTER}\r\n"
    else:
        code = PROTOCOL_CODES.get(status_int, "bad_request")
    message = MESSAGES.get(status_int, reason)  # never the request's text (`mesg` quotes it)
    body = json.dumps({"error": {"code": code, "message": message, "fields": {}}},
                      ensure_ascii=False).encode("utf-8")
    reason = re.sub(r"[^ -~]", "", reason)
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n{headers}\r\n")
    return head.encode("latin-1") + body


def write_json_error(sock, status_int, reason, mesg):
    util.write_nonblock(sock, json_error(status_int, reason, mesg))


# gunicorn's workers call util.write_error for every error they answer; this module is loaded
# by the master before it forks them.
util.write_error = write_json_error


def control_socket_path(bind):
    """instance/gunicorn-<address>.ctl: one per listening address, so servers never share one."""
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", "_".join(bind))[:60] or "default"
    return str(INSTANCE_DIR / f"gunicorn-{name}.ctl")


def on_starting(server):
    """Unless a control socket was chosen (or --no-control-socket), put it under instance/; as
    many connections per worker as it has threads, also when --threads was given."""
    if server.cfg.control_socket == ControlSocket.default and not server.cfg.control_socket_disable:
        INSTANCE_DIR.mkdir(exist_ok=True)
        server.cfg.set("control_socket", control_socket_path(server.cfg.bind))
    if server.cfg.worker_connections == worker_connections:
        server.cfg.set("worker_connections", server.cfg.threads)


def pre_request(worker, req):
    """A client that stops sending in the middle of its body is dropped after a while instead of
    holding its thread (the app then answers 400, Werkzeug's "client disconnected")."""
    sock = getattr(req.unreader, "sock", None)
    if sock is not None:
        sock.settimeout(CLIENT_READ_TIMEOUT)
