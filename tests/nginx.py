"""Debian's nginx as the load balancer of docs/deploy.md, run by a test (or bench/load.py) as its
own process: a config in its own directory, a free loopback port, no daemon, `-p` prefix there.
Plain Python only (no pytest, no app imports): bench/load.py starts it the same way."""
import http.client
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
START_DEADLINE_S = 30

CONFIG = """\
daemon off;
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    # The upstream last: which server answered (two, comma-separated, when nginx retried).
    log_format balanced '$remote_addr [$time_local] "$request" $status $request_time $upstream_addr';
    access_log {prefix}/access.log balanced;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream lwpwa {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 4m;
        location / {{
            proxy_pass http://lwpwa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            # A server that is down or dies mid-request: try the other. Sync is safe to send
            # twice (the ids decide), so POSTs are retried too.
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def config_text(prefix, port, upstreams):
    servers = "\n".join(f"        server {address} max_fails=1 fail_timeout=10s;" for address in upstreams)
    # As root, nginx's workers would switch to `nobody`, who cannot write the test's directory.
    user = "user root;" if os.geteuid() == 0 else ""
    return CONFIG.format(prefix=prefix, port=port, servers=servers, user=user)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def start(directory, upstreams):
    """Start nginx balancing over `upstreams` (host:port); returns (process, base URL) once it
    answers /healthz through them. RuntimeError (with nginx's log) if it cannot."""
    if not Path(NGINX).is_file():
        raise RuntimeError(f"{NGINX} is missing: apt-get install nginx (.ci/run installs it)")
    prefix = Path(directory)
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(config_text(prefix, port, upstreams), encoding="utf-8")
    with open(prefix / "nginx.out", "wb") as log:
        process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_DEADLINE_S
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            logs = "".join(_tail(prefix / name) for name in ("nginx.out", "error.log"))
            raise RuntimeError(f"nginx did not start (exit {process.returncode}):\n{logs}")
        time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # a worker its master left behind
    except ProcessLookupError:
        pass


def _tail(path, size=3000):
    path = Path(path)
    return path.read_bytes()[-size:].decode("utf-8", "replace") if path.is_file() else ""


@contextmanager
def nginx(directory, upstreams):
    """For tests: nginx in front of `upstreams`, always stopped afterwards."""
    import pytest

    try:
        process, base = start(directory, upstreams)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield base
    finally:
        stop(process)
