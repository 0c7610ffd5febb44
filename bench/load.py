#!/usr/bin/env python
"""Load test: 500 phones syncing batches of 20 every 10 s, and 20 bureau scripts polling
stats, for 2 minutes against gunicorn with 4 workers (loopback only, bounded in time).

    .venv/bin/pip install -r requirements-bench.txt
    .venv/bin/python bench/load.py                         # a fresh SQLite file
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://… --servers 2   # scale-out

`--servers 2` runs two gunicorn servers (separate processes and ports, `--workers` each) on the
one PostgreSQL and one Redis (RATELIMIT_STORAGE_URI, default redis://127.0.0.1:6379/14), behind
Debian's nginx as docs/deploy.md lays it out (tests/nginx.py starts it), and sends the load
through nginx.

Goal (issue 7): zero failed requests, p99 under 500 ms. Prints requests, failures, rates and
percentiles per request kind. The load runs in a child process (locust patches the standard
library with gevent, so it must be imported before anything else there).
"""
import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server on 127.0.0.1 (a fresh database "
                        "is made there and dropped); default: a fresh SQLite file")
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--scripts", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument("--servers", type=int, default=1,
                        help="gunicorn servers; more than one: behind nginx, on PostgreSQL and Redis")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (more than 1: gthread)")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--start-within", type=float, default=10,
                        help="seconds over which the phones start (default one 10 s period: "
                             "batches arrive evenly; 5 bunches them as the first version did)")
    parser.add_argument("--run-locust", help=argparse.SUPPRESS)  # internal: the child process
    return parser.parse_args()


def seed(database_url, secret_key, phones, scripts, people):
    """Units in Taiyuan, each with an activity now; a volunteer token per phone; bureau tokens."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from flask_migrate import upgrade

    from lwpwa import create_app
    from lwpwa.accounts import tokens
    from lwpwa.accounts.service import create_user
    from lwpwa.activities.models import Activity
    from lwpwa.campaigns.models import Campaign
    from lwpwa.extensions import db
    from lwpwa.orgs.models import Org
    from lwpwa.reference import load_reference_data
    from lwpwa.residents.models import SignInCode
    from lwpwa.residents.service import mint_cards

    zone = ZoneInfo("Asia/Shanghai")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key,
                      "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_KIB": 1024, "PASSWORD_PARALLELISM": 1})
    with app.app_context():
        upgrade()
        load_reference_data()
        now = datetime.now(zone)
        campaign = Campaign(title="Load campaign", region_code="140000", timezone="Asia/Shanghai",
                            starts_on=now.date() - timedelta(days=1), ends_on=now.date() + timedelta(days=1))
        db.session.add(campaign)
        units = []
        for n in range(25):
            org = Org(name=f"负载单位{n}", region_code="140105")
            db.session.add(org)
            db.session.flush()
            activity = Activity(campaign_id=campaign.id, org_id=org.id, theme="reading", name=f"活动{n}",
                                form="lecture", mode="offline", venue="", starts_at=now - timedelta(hours=2),
                                ends_at=now + timedelta(hours=6))
            db.session.add(activity)
            db.session.flush()
            units.append((org, activity.id))
        phone_plan = []
        for n in range(phones):
            org, activity_id = units[n % len(units)]
            user = create_user(f"load_phone_{n}", secrets.token_urlsafe(12), "volunteer", org_id=org.id)
            phone_plan.append({"token": tokens.issue_token(user, name="load")[0], "activity_id": activity_id})
        bureau = create_user("load_bureau", secrets.token_urlsafe(12), "bureau", region_code="140100")
        script_tokens = [tokens.issue_token(bureau, name=f"script {n}")[0] for n in range(scripts)]
        db.session.commit()
        mint_cards(units[0][0], people)
        db.session.commit()
        codes = db.session.scalars(db.select(SignInCode.code)).all()
        campaign_id = campaign.id
        db.session.remove()
        db.engine.dispose()
    return {"phones": phone_plan, "scripts": script_tokens, "codes": codes, "campaign_id": campaign_id}


def run_locust(config_path):
    """The child: locust first (gevent must patch before anything else is imported)."""
    import gevent
    from locust import constant, task
    from locust.contrib.fasthttp import FastHttpUser as HttpUser  # a lighter client: the load
    # generator shares the two cores with the server, and its own time counts in every figure
    from locust.env import Environment

    config = json.loads(Path(config_path).read_text())
    plan = config["plan"]
    import random
    import uuid
    from datetime import datetime, timedelta, timezone

    from sync_ingest import uuid7

    phones = iter(plan["phones"])
    scripts = iter(plan["scripts"])
    codes = plan["codes"]

    class Phone(HttpUser):
        host = config["base"]
        fixed_count = len(plan["phones"])
        wait_time = constant(10)

        def on_start(self):
            me = next(phones)
            self.headers = {"Authorization": f"Bearer {me['token']}"}
            self.activity_id = me["activity_id"]
            self.device = str(uuid.uuid4())
            self.last = None

        @task
        def sync(self):
            now = datetime.now(timezone(timedelta(hours=8)))
            # Ids as the scanner makes them (static/app/ids.js): version 7 UUIDs, time first.
            items = [{"id": uuid7(time.time_ns() // 1_000_000), "activity_id": self.activity_id, "kind": "attendee",
                      "code": random.choice(codes), "scanned_at": now.isoformat()} for _ in range(20)]
            if self.last and random.random() < 0.1:
                items[:5] = self.last[:5]  # a phone resending what it never heard back about
            self.last = items
            body = {"device_id": self.device, "sent_at": now.isoformat(), "checkins": items}
            with self.client.post("/api/v1/sync", json=body, headers=self.headers, name="POST /api/v1/sync",
                                  catch_response=True) as response:
                if response.status_code != 200 or len(response.json()["results"]) != 20:
                    response.failure(f"{response.status_code}")

    class Script(HttpUser):
        host = config["base"]
        fixed_count = len(plan["scripts"])
        wait_time = constant(5)

        def on_start(self):
            self.headers = {"Authorization": f"Bearer {next(scripts)}"}
            self.etag = None

        @task
        def poll(self):
            group_by = random.choice(["org", "theme", "day", "city"])
            headers = dict(self.headers)
            with self.client.get(f"/api/v1/stats?campaign_id={plan['campaign_id']}&group_by={group_by}",
                                 headers=headers, name="GET /api/v1/stats", catch_response=True) as response:
                if response.status_code not in (200, 304):
                    response.failure(f"{response.status_code}")

    env = Environment(user_classes=[Phone, Script])
    runner = env.create_local_runner()
    total = len(plan["phones"]) + len(plan["scripts"])
    # Phones are not synchronised: by default they start over the first 10 s, one period, so
    # their batches arrive evenly (50 a second), not all 500 within 5 s of every period.
    runner.start(total, spawn_rate=total / config["start_within"])
    gevent.spawn_later(config["seconds"], runner.quit)
    runner.greenlet.join()
    result = {}
    for entry in list(env.stats.entries.values()) + [env.stats.total]:
        result[entry.name] = {
            "requests": entry.num_requests, "failures": entry.num_failures,
            "rps": round(entry.total_rps, 1), "median_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95), "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time or 0),
        }
    Path(config["result"]).write_text(json.dumps(result))


def balanced(access_log):
    """How nginx shared the requests between the servers (its access log ends with the upstream
    that answered; tests/nginx.py's log format)."""
    from collections import Counter

    shares = Counter(line.rsplit(" ", 1)[-1].strip() for line in Path(access_log).read_text().splitlines() if line)
    return ", ".join(f"{upstream} {n}" for upstream, n in sorted(shares.items()))


def main():
    args = parse_args()
    if args.run_locust:
        return run_locust(args.run_locust)
    from sync_ingest import drop_postgres, fresh_postgres, start_gunicorn, stop_gunicorn

    sys.path.insert(0, str(ROOT / "tests"))
    import nginx  # tests/nginx.py: the same nginx set-up the two-server test runs

    workdir = Path(tempfile.mkdtemp(prefix="lwpwa-load-"))
    url = fresh_postgres(args.database_url) if args.database_url else f"sqlite:///{workdir}/load.sqlite3"
    secret_key = secrets.token_urlsafe(48)
    processes, balancer = [], None
    if args.servers > 1:
        if not args.database_url:
            raise SystemExit("--servers 2 needs --database-url (PostgreSQL): SQLite is one machine's")
        # Rate limits must be counted in one store that every server shares.
        os.environ.setdefault("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/14")
        os.environ["RATELIMIT_KEY_PREFIX"] = f"bench-{secrets.token_hex(8)}"
        os.environ["TRUSTED_PROXIES"] = "1"
    try:
        print(f"seeding {args.phones} phones, {args.scripts} scripts, {args.people} codes on "
              f"{'PostgreSQL' if args.database_url else 'SQLite'} …", flush=True)
        plan = seed(url, secret_key, args.phones, args.scripts, args.people)
        os.environ["RATELIMIT_STORAGE_URI"] = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        # The server's own time per request (%(D)s µs), to tell it from waiting for a worker or
        # for the load generator, which shares the two cores.
        access_log = workdir / "access.log"
        os.environ["GUNICORN_CMD_ARGS"] = f"--access-logfile {access_log} --access-logformat '%(D)s %(m)s'"
        servers = [start_gunicorn(url, secret_key, args.workers, args.threads, workdir / f"gunicorn-{n}.log")
                   for n in range(args.servers)]
        processes = [process for process, _port in servers]
        base = f"http://127.0.0.1:{servers[0][1]}"
        if args.servers > 1:
            balancer, base = nginx.start(workdir / "nginx", [f"127.0.0.1:{port}" for _p, port in servers])
        config = {"base": base, "plan": plan, "seconds": args.seconds,
                  "start_within": args.start_within,
                  "result": str(workdir / "result.json")}
        (workdir / "config.json").write_text(json.dumps(config))
        layout = (f"{args.servers} gunicorn servers -w {args.workers} behind nginx" if args.servers > 1
                  else f"gunicorn -w {args.workers}")
        print(f"load: {args.phones} phones × 20 check-ins / 10 s, {args.scripts} scripts polling "
              f"stats every 5 s, for {args.seconds} s, {layout}; load average before "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} …", flush=True)
        started = time.monotonic()
        subprocess.run([sys.executable, __file__, "--run-locust", str(workdir / "config.json")],
                       check=True, timeout=args.seconds + 120, cwd=ROOT)
        result = json.loads((workdir / "result.json").read_text())
        print(f"ran {time.monotonic() - started:.0f} s; load average after "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{'request':<22}{'count':>8}{'failed':>8}{'req/s':>8}{'median':>8}{'p95':>8}{'p99':>8}{'max':>8}  (ms)")
        for name, r in result.items():
            print(f"{name:<22}{r['requests']:>8}{r['failures']:>8}{r['rps']:>8}{r['median_ms']:>8}"
                  f"{r['p95_ms']:>8}{r['p99_ms']:>8}{r['max_ms']:>8}")
        if balancer is not None:
            print(f"through nginx: {balanced(workdir / 'nginx' / 'access.log')}")
            nginx.stop(balancer)
            balancer = None
        for process in processes:
            stop_gunicorn(process)  # flushes the access log
        processes = []
        server_ms = sorted(int(line.split()[0]) / 1000 for line in access_log.read_text().splitlines()
                           if line.split()[1:2] in (["POST"], ["GET"]))
        if server_ms:
            def pct(q):
                return server_ms[min(len(server_ms) - 1, int(len(server_ms) * q))]
            print(f"inside gunicorn (request handling only, {len(server_ms)} requests): median "
                  f"{pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, max {server_ms[-1]:.0f} ms")
        total = result["Aggregated"]
        verdict = total["failures"] == 0 and total["p99_ms"] < 500
        print(f"goal (0 failures, p99 < 500 ms): {'met' if verdict else 'NOT met'}")
    finally:
        if balancer is not None:
            nginx.stop(balancer)
        for process in processes:
            stop_gunicorn(process)
        if args.database_url:
            drop_postgres(args.database_url, url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
