"""A live lwpwa server for the browser tests and bench/pwa.py.

It runs in a thread on a free port, on a throw-away SQLite database that the public CLI creates
(init-db, create-campaign, create-org, create-user); everything else is made through the JSON API.
"""
import os
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

from werkzeug.serving import make_server

from .helpers import PASSWORD, Api

ROOT = Path(__file__).resolve().parents[2]
SECRET = "browser-tests-secret-key-0123456789-abcdefghij"


def _cli(env, *commands):
    """Run `flask --app wsgi ARGS...` for each command, one after the other (SQLite allows one
    writer); the last output line of each, where the CLI prints the new id."""
    lines = []
    for args in commands:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        lines.append(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "")
    return lines


class LiveServer:
    def __init__(self, app, url, api, campaign_id, org_id):
        self.app = app
        self.url = url
        self.api = api
        self.campaign_id = campaign_id
        self.org_id = org_id
        self._lead_token = None
        self.volunteer = "volunteer1"

    @property
    def lead_token(self):
        if self._lead_token is None:
            self._lead_token = self.api.token("lead1")
        return self._lead_token

    def new_activity(self, name="读书沙龙"):
        return self.api.create_activity(self.lead_token, self.campaign_id, self.org_id, name)

    def stats(self, activity_id):
        return self.api.stats(self.lead_token, activity_id)

    def new_version(self, salt):
        """Deploy "a new version": every file the service worker precaches gets a new hash."""
        self.app.config["PWA_BUILD_SALT"] = salt


def start_live_server(tmp):
    """A live lwpwa on a free port of 127.0.0.1, on a new SQLite database in the folder `tmp`."""
    database_url = f"sqlite:///{tmp}/lwpwa.sqlite3"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": "0",
           "PASSWORD_TIME_COST": "1", "PASSWORD_MEMORY_KIB": "1024", "PASSWORD_PARALLELISM": "1"}
    _cli(env, ["init-db"])
    today = date.today()
    campaign_id, org_id = map(int, _cli(
        env,
        ["create-campaign", "--title", "浏览器测试活动周", "--region", "140000",
         "--starts-on", (today - timedelta(days=3)).isoformat(), "--ends-on", (today + timedelta(days=3)).isoformat()],
        ["create-org", "测试社区学校", "--region", "140100"],
    ))
    _cli(env, *[["create-user", name, "--password", PASSWORD, "--role", role, "--org", str(org_id)]
                for name, role in (("volunteer1", "volunteer"), ("volunteer2", "volunteer"), ("lead1", "site_lead"))])

    from lwpwa import create_app

    app = create_app({
        "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": database_url, "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False, "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_KIB": 1024,
        "PASSWORD_PARALLELISM": 1, "EVIDENCE_STORAGE": str(tmp / "evidence"),
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    live = LiveServer(app, url, Api(url), campaign_id, org_id)
    live.stop = lambda: (server.shutdown(), thread.join(5))
    return live
