"""Debian's nginx as the load balancer of docs/deploy.md, run by a test as its own process: a
config in the test's directory, a free loopback port, no daemon, `-p` prefix there too."""
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from servers import free_port, kill_group, log_tail

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
    access_log {prefix}/access.log;
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


@contextmanager
def nginx(directory, upstreams):
    """nginx balancing over `upstreams` (host:port); yields its base URL once it answers."""
    if not Path(NGINX).is_file():
        pytest.fail(f"{NGINX} is missing: apt-get install nginx (.ci/run installs it)")
    prefix = Path(directory)
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(config_text(prefix, port, upstreams), encoding="utf-8")
    log_path = prefix / "nginx.out"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"nginx exited with {process.returncode}:\n{log_tail(log_path)}"
                            f"\n{log_tail(prefix / 'error.log')}")
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"nginx not ready within {START_DEADLINE_S}s:\n{log_tail(prefix / 'error.log')}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        kill_group(process)
