"""Real servers for tests: gunicorn on a free loopback port, ready when /healthz says so."""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
START_DEADLINE_S = 60


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server(str):
    """The base URL of a running server, which also knows its process (to kill it)."""

    process = None


@contextmanager
def gunicorn(database_url, log_path, workers=WORKERS, env=None, port=None):
    """A real gunicorn serving wsgi:app on 127.0.0.1; yields its base URL once /healthz is 200,
    and always stops it (all its processes, even if a test killed some)."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET,
           "SESSION_COOKIE_SECURE": "0", **(env or {})}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--timeout", "120", "--no-control-socket", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = Server(f"http://127.0.0.1:{port}")
    base.process = process
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_tail(log_path)}")
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn not ready within {START_DEADLINE_S}s:\n{log_tail(log_path)}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        kill_group(process)


def kill_group(process):
    """SIGKILL whatever is left of the server's process group (workers of a killed master)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_for_file(path, deadline_s=60):
    """Wait for a failpoint's marker file; returns its text (the pid that stopped there)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"{path} did not appear within {deadline_s}s")


def log_tail(path, size=4000):
    return Path(path).read_bytes()[-size:].decode("utf-8", "replace")


def pg_deadlocks(url):
    """Deadlocks PostgreSQL detected in the database of `url` so far (pg_stat_database). A
    backend reports its statistics when it ends at the latest: read it after the server stopped."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar()
    finally:
        engine.dispose()
