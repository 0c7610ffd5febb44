"""Failpoints for fault-injection tests: stop a request at a named point so a test can kill the
process there. Inert unless LWPWA_FAILPOINTS is set (never in production).

LWPWA_FAILPOINTS="before_commit:/api/v1/sync=/tmp/marker" makes the first request to that path
write its pid to /tmp/marker when it reaches `before_commit`, then wait to be killed.
"""
import os
import time

from flask import request

MAX_WAIT_S = 120  # a forgotten failpoint must not hang a worker for ever


def _armed(name):
    for entry in filter(None, os.environ.get("LWPWA_FAILPOINTS", "").split(",")):
        point, _sep, marker = entry.partition("=")
        point_name, _colon, path = point.partition(":")
        if point_name == name and (not path or request.path == path):
            return marker
    return None


def failpoint(name):
    marker = _armed(name) if "LWPWA_FAILPOINTS" in os.environ else None
    if not marker:
        return
    try:
        # O_EXCL: only the first request to get here stops; the resend after restart goes on.
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    deadline = time.monotonic() + MAX_WAIT_S
    while time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for SIGKILL from the test
