#!/usr/bin/env python
"""Benchmark: the bureaus' counts on a whole province — 10,000 activities, 2,000,000 check-ins.

    .venv/bin/python bench/stats.py                       # fresh SQLite file in a temp dir
    .venv/bin/python bench/stats.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/stats.py --national --database-url …   # the country: bench/stats_national.py

What it does, in one run:
1. makes a fresh database (a SQLite file in a temp dir; or a new database on the given
   PostgreSQL server on 127.0.0.1, dropped at the end), migrates it, loads the reference data;
2. seeds through the models one Shanxi campaign of 7 days, --units units spread over every
   district of Shanxi (plus 20 in Shandong, which must not be counted), --activities activities
   round-robin over units, themes and days, and --residents residents;
3. inserts --checkins check-ins straight through the DB-API `executemany` (in batches, one
   transaction): per activity ~88 % accepted attendee scans of distinct people, ~1 % tallies,
   ~5 % volunteers, ~5 % duplicates, ~1 % held — the shape sync leaves behind; fills
   `checkin_counts` from them (as sync keeps it); then ANALYZE,
   as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would;
4. times, through the Flask test client with a province bureau's bearer token (every request in
   its own app context, as in production): `GET /api/v1/stats?group_by=city` (and org, theme,
   day), `GET /api/v1/regions/140000/report.xlsx`, and, for reference, the bureau pages (the
   province dashboard and the anomaly flags). Prints the first (cold) and the median of --runs.
5. submits every unit's table (a version each, as a site lead would, frozen from the live
   counts) and times the submitted basis: `GET /api/v1/stats?basis=submitted` (by org, city,
   county, theme, day), the province's region table on that basis (the snapshot the page, the
   print view and a region submission render: `region_snapshot`), its page, and its .xlsx;
   and checks that the submitted basis equals the live counts (nothing was synced since).
Goal: the counts API, the region table and the submitted basis under 0.5 s on both engines; the
anomaly page under 1 s and a flag's evidence page under 0.3 s (the flags are computed once after
the insert, as `flask --app wsgi flags-refresh --all` would, and kept as data from then on).
"""
import argparse
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import stats_national  # noqa: E402  (bench/ is on sys.path)
from sync_ingest import drop_postgres, fresh_postgres  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
GOAL_S = 0.5
DAYS = 7
BATCH = 50_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server on 127.0.0.1 (a fresh database is made on "
                        "it and dropped); default: a fresh SQLite file")
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--checkins", type=int, default=2_000_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-pages", action="store_true", help="time only the API and the .xlsx")
    parser.add_argument("--keep", action="store_true", help="keep the database for a look")
    stats_national.add_arguments(parser)
    return parser.parse_args()


def make_app(database_url):
    from lwpwa import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secrets.token_urlsafe(48),
                       "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                       "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_KIB": 1024, "PASSWORD_PARALLELISM": 1})


def seed(app, args):
    """Campaign, units, activities, residents and a bureau token, through the models."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from lwpwa.accounts import tokens
    from lwpwa.accounts.service import create_user
    from lwpwa.activities.models import Activity
    from lwpwa.activities.reference import THEME_KEYS
    from lwpwa.campaigns.models import Campaign
    from lwpwa.extensions import db
    from lwpwa.orgs.models import Org
    from lwpwa.reference import load_reference_data
    from lwpwa.regions.models import Region

    upgrade()
    load_reference_data()
    db.session.commit()
    today = datetime.now(ZONE).date()
    starts_on = today - timedelta(days=DAYS - 1)
    campaign = Campaign(title="Bench campaign", region_code="140000", timezone="Asia/Shanghai",
                        starts_on=starts_on, ends_on=today, report_due_on=today + timedelta(days=7))
    db.session.add(campaign)
    districts = db.session.scalars(select(Region.code).where(Region.code.like("14%"), Region.level == "district")
                                   .order_by(Region.code)).all()
    orgs = [Org(name=f"压测单位{i}", region_code=districts[i % len(districts)], kind="community_school",
                lead_name="李明", reporter_name="王芳", phone="0351-1234567") for i in range(args.units)]
    orgs += [Org(name=f"山东单位{i}", region_code="370102") for i in range(20)]
    db.session.add_all(orgs)
    db.session.flush()
    shanxi = orgs[:args.units]
    rows = []
    for i in range(args.activities):
        day = starts_on + timedelta(days=i % DAYS)
        start = datetime(day.year, day.month, day.day, 9 + i % 8, tzinfo=ZONE)
        rows.append({"campaign_id": campaign.id, "org_id": shanxi[i % len(shanxi)].id,
                     "theme": THEME_KEYS[i % len(THEME_KEYS)], "name": f"活动{i}", "content": "压测",
                     "form": "lecture", "mode": "offline", "venue": f"场地{i % 997}", "starts_at": start,
                     "ends_at": start + timedelta(hours=2), "news_links": [], "courses": [],
                     # Planned ahead, as units do (an activity created after it started is a flag);
                     # one activity with too small a capacity, so that the evidence page has a flag.
                     "capacity": 50 if i == 0 else 400, "is_cancelled": False,
                     "created_at": datetime.combine(starts_on - timedelta(days=7), datetime.min.time(), ZONE)})
    db.session.execute(Activity.__table__.insert(), rows)
    bureau = create_user("bench_province", secrets.token_urlsafe(16), "bureau", region_code="140000")
    secret, token = tokens.issue_token(bureau, name="bench")
    token.read_only = True
    db.session.commit()
    activities = db.session.execute(
        select(Activity.id, Activity.starts_at).where(Activity.campaign_id == campaign.id).order_by(Activity.id)).all()
    campaign_id = campaign.id
    db.session.commit()  # no read transaction left open: it would keep SQLite from checkpointing
    db.session.close()
    return campaign_id, secret, activities


def begin(cursor, qmark):
    # The app's SQLite connections run in autocommit (SQLAlchemy issues BEGIN itself): without
    # an explicit BEGIN every row would be a transaction of its own.
    if qmark == "?":
        cursor.execute("BEGIN")


def insert_residents(connection, n, qmark):
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    cursor = connection.cursor()
    begin(cursor, qmark)
    sql = "INSERT INTO residents (source, created_at) VALUES ({0}, {0})".format(qmark)
    for start in range(0, n, BATCH):
        cursor.executemany(sql, [("registration", now)] * min(BATCH, n - start))
    cursor.execute("SELECT min(id) FROM residents")
    first = cursor.fetchone()[0]
    connection.commit()
    return first


def checkin_rows(activities, n_checkins, first_resident, n_residents, sqlite):
    """Yields check-in rows in the shape sync leaves them, per activity."""
    rng = random.Random(7)
    per_activity = n_checkins // len(activities)
    extra = n_checkins - per_activity * len(activities)
    serial = 0
    stamps = {}  # activities share a few start times: format each scan time once

    def stamp(value):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value

    for index, (activity_id, starts_at) in enumerate(activities):
        count = per_activity + (1 if index < extra else 0)
        if starts_at not in stamps:
            starts = starts_at.astimezone(timezone.utc).replace(tzinfo=None)
            day = starts_at.astimezone(ZONE).date()
            stamps[starts_at] = (day.isoformat() if sqlite else day,
                                 [(stamp(starts + timedelta(seconds=5 * j)),
                                   stamp(starts + timedelta(seconds=5 * j + 180))) for j in range(per_activity + 1)])
        day_value, times = stamps[starts_at]
        base = rng.randrange(n_residents)
        device = f"device-{activity_id % 3000}"
        for j in range(count):
            serial += 1
            scanned, received = times[j]
            roll = j % 100
            kind, resident, headcount, status = "attendee", None, None, "accepted"
            if roll < 88:
                resident = first_resident + (base + j) % n_residents
            elif roll == 88:
                headcount = 1 + j % 5
            elif roll < 94:
                kind, resident = "volunteer", first_resident + (base + j) % n_residents
            elif roll < 99:
                resident, status = first_resident + (base + j - 90) % n_residents, "duplicate"
            else:
                resident, status = first_resident + (base + j) % n_residents, "held"
            yield (f"b{serial:035d}", device, activity_id, kind, resident, headcount,
                   scanned, scanned, received, day_value, status, None)


def insert_checkins(connection, rows, qmark):
    sql = ("INSERT INTO checkins (client_id, device_id, activity_id, kind, resident_id, headcount, "
           "device_scanned_at, scanned_at, received_at, day, status, resolved_at) VALUES ("
           + ", ".join([qmark] * 12) + ")")
    cursor = connection.cursor()
    begin(cursor, qmark)
    batch, total = [], 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            cursor.executemany(sql, batch)
            total += len(batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        total += len(batch)
    connection.commit()
    return total


def timed(client, url, headers, runs):
    """(status, first seconds, median seconds of the following runs, bytes, median CPU seconds
    of this process). On SQLite the queries run in this process, so its CPU time is what the
    request costs on an idle machine; on PostgreSQL it is the Python side only."""
    times, cpu, status, size = [], [], None, 0
    for _ in range(runs + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        status, size = response.status_code, len(response.data)
    return status, times[0], statistics.median(times[1:]), size, statistics.median(cpu[1:])


def main():
    args = parse_args()
    if args.national:
        return stats_national.run(args, make_app, fresh_postgres, drop_postgres)
    tmp = tempfile.mkdtemp(prefix="lwpwa-bench-stats-")
    url = fresh_postgres(args.database_url) if args.database_url else f"sqlite:///{tmp}/bench.sqlite3"
    engine_name = "PostgreSQL" if args.database_url else "SQLite"
    try:
        app = make_app(url)
        with app.app_context():
            from sqlalchemy import text

            from lwpwa.extensions import db

            started = time.perf_counter()
            campaign_id, secret, activities = seed(app, args)
            print(f"{engine_name}: seeded {len(activities):,} activities, {args.units:,} units "
                  f"in {time.perf_counter() - started:.1f} s")
            raw = db.engine.raw_connection()
            try:
                qmark = "?" if not args.database_url else "%s"
                started = time.perf_counter()
                first = insert_residents(raw, args.residents, qmark)
                rows = checkin_rows(activities, args.checkins, first, args.residents, not args.database_url)
                n = insert_checkins(raw, rows, qmark)
                elapsed = time.perf_counter() - started
                print(f"inserted {args.residents:,} residents and {n:,} check-ins by executemany in {elapsed:.1f} s "
                      f"({n / elapsed:,.0f} rows/s)")
            finally:
                raw.close()
            # Rows inserted past sync: fill checkin_counts from them (what migration 0003 does
            # for check-ins stored before it), as sync would have kept it.
            from lwpwa.checkins import counters

            started = time.perf_counter()
            counters.rebuild()
            db.session.commit()
            print(f"checkin_counts filled from the check-ins in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            if args.database_url:
                # What autovacuum does after a large insert (PostgreSQL 13+): statistics, and the
                # visibility map without which an index-only scan still reads every heap page.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
            else:
                with db.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
                with db.engine.connect() as connection:
                    connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            print(f"{'VACUUM ANALYZE' if args.database_url else 'ANALYZE and WAL checkpoint'} in "
                  f"{time.perf_counter() - started:.1f} s")
            if not args.skip_pages:
                flags_up_to_date(campaign_id)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        urls = [(f"GET /api/v1/stats?group_by={group}", f"/api/v1/stats?campaign_id={campaign_id}&group_by={group}")
                for group in ("city", "org", "theme", "day")]
        urls.append(("GET /api/v1/regions/140000/report.xlsx",
                     f"/api/v1/regions/140000/report.xlsx?campaign_id={campaign_id}"))
        if not args.skip_pages:
            urls.append(("GET /api/v1/anomalies (province)",
                         f"/api/v1/anomalies?campaign_id={campaign_id}&region=140000"))
        results = []
        for label, path in urls:
            with app.app_context():
                results.append((label, *timed(client, path, headers, args.runs)))
        with app.app_context():
            results += time_proposed(campaign_id, args.runs)
        results += time_submitted(app, client, headers, campaign_id, args.runs)
        if not args.skip_pages:
            results += time_pages(app, campaign_id, args.runs)
        print(f"\n{engine_name}, {len(activities):,} activities, {args.checkins:,} check-ins "
              f"(first request, then the median of {args.runs}):")
        for label, status, first_s, median_s, size, cpu_s in results:
            goal = ""
            if label.startswith(("GET /api/v1/stats", "region table")):
                goal = "  ok" if median_s < GOAL_S else f"  SLOWER than the {GOAL_S} s goal"
            print(f"  {label:<48} {status}  first {first_s:6.3f} s  median {median_s:6.3f} s  "
                  f"cpu {cpu_s:6.3f} s  {size:>9,} B{goal}")
        print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        with app.app_context():
            from lwpwa.extensions import db
            db.engine.dispose()
    finally:
        if args.database_url and not args.keep:
            drop_postgres(args.database_url, url)
        if args.keep:
            print(f"kept: {url}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# The counts by city as the README proposes for lwpwa/reports/counts.py (not used by the app):
# the partial unique index allows one accepted row per (activity, kind, person, day), so
# COUNT(DISTINCT resident_id) per day equals COUNT(resident_id), and the per-day grouping can go.
PROPOSED_CITY_SQL = """
SELECT substr(o.region_code, 1, 4) AS city, count(a.id) AS activities,
       coalesce(sum(c.attendance), 0) AS attendance, coalesce(sum(c.volunteers), 0) AS volunteers
FROM activities a JOIN orgs o ON o.id = a.org_id
LEFT JOIN (SELECT activity_id,
                  count(resident_id) FILTER (WHERE kind = 'attendee')
                    + coalesce(sum(headcount) FILTER (WHERE kind = 'attendee'), 0) AS attendance,
                  count(resident_id) FILTER (WHERE kind = 'volunteer')
                    + coalesce(sum(headcount) FILTER (WHERE kind = 'volunteer'), 0) AS volunteers
           FROM checkins WHERE status = 'accepted' GROUP BY activity_id) c ON c.activity_id = a.id
WHERE a.campaign_id = :campaign_id AND a.is_cancelled = :false AND o.region_code LIKE '14%'
GROUP BY substr(o.region_code, 1, 4)
"""


def time_proposed(campaign_id, runs):
    """Counts by city computed from `checkins` itself, as before `checkin_counts` (one pass, SQL
    only): a reference for the table's speed-up, and a check that the API's figures, read from
    the table, equal the ones counted from the check-ins ("MISMATCH" otherwise)."""
    from sqlalchemy import text

    from lwpwa.campaigns.models import Campaign
    from lwpwa.extensions import db
    from lwpwa.regions.models import Region
    from lwpwa.reports import service

    campaign = db.session.get(Campaign, campaign_id)
    expected = {row["key"][:4]: (row["activities"], row["attendance"], row["volunteers"])
                for row in service.stats_rows(campaign, db.session.get(Region, "140000"), "city") if row["activities"]}
    times, cpu, found = [], [], None
    for _ in range(runs + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = {city: (int(a), int(att), int(vol)) for city, a, att, vol in
                 db.session.execute(text(PROPOSED_CITY_SQL), {"campaign_id": campaign_id, "false": False})}
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    db.session.rollback()
    label = "by city from checkins (SQL only)" + ("" if found == expected else " MISMATCH")
    return [(label, 200, times[0], statistics.median(times[1:]), 0, statistics.median(cpu[1:]))]


def time_pages(app, campaign_id, runs):
    """The bureau pages, signed in through the session as a browser would be."""
    from lwpwa.accounts.passwords import hash_password
    from lwpwa.accounts.models import User
    from lwpwa.extensions import db

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "bench_province"))
        user.password_hash = hash_password("bench password 1")
        db.session.commit()
    client = app.test_client()
    with app.app_context():
        client.post("/login", data={"username": "bench_province", "password": "bench password 1"})
    results = []
    for label, path in (("page /region/140000/table (submitted basis)", f"/region/140000/table?campaign={campaign_id}"),
                        ("page /region/140000/ (dashboard)", f"/region/140000/?campaign={campaign_id}"),
                        ("page /region/140100/ (a city's dashboard)", f"/region/140100/?campaign={campaign_id}"),
                        ("page /region/140000/anomalies", f"/region/140000/anomalies?campaign={campaign_id}")):
        with app.app_context():
            results.append((label, *timed(client, path, {}, max(1, runs // 3))))
    return results + time_flags(app, client, campaign_id, runs)


def flags_up_to_date(campaign_id):
    """The flags of check-ins inserted past sync: every activity marked dirty and recomputed,
    as `flask --app wsgi flags-refresh --all` does after such an import."""
    from lwpwa.campaigns.models import Campaign
    from lwpwa.database import begin_write
    from lwpwa.extensions import db
    from lwpwa.flags import refresh
    from lwpwa.flags.models import Flag

    started = time.perf_counter()
    begin_write()
    refresh.refresh_all(db.session.get(Campaign, campaign_id))
    db.session.commit()
    n = db.session.scalar(db.select(db.func.count()).select_from(Flag))
    print(f"flags of every activity computed in {time.perf_counter() - started:.1f} s ({n} flags)")


def time_flags(app, client, campaign_id, runs):
    """The anomaly API; the anomaly page right after a sync into one activity (its unit is
    recomputed by the page: the cost a bureau pays for fresh flags); a flag's evidence page."""
    from lwpwa.activities.models import Activity
    from lwpwa.extensions import db
    from lwpwa.flags.dirty import mark_dirty
    from lwpwa.flags.models import Flag

    results = []
    with app.app_context():
        flag_id = db.session.scalar(db.select(Flag.id).where(Flag.kind == "over_capacity").order_by(Flag.id))
        some = db.session.scalar(db.select(Activity.id).where(Activity.campaign_id == campaign_id)
                                 .order_by(Activity.id.desc()))
        db.session.commit()
    with app.app_context():
        results.append(("page /region/flags/<id> (evidence, over_capacity)",
                        *timed(client, f"/region/flags/{flag_id}", {}, runs)))
    times, cpu, status, size = [], [], None, 0
    for _ in range(runs):
        with app.app_context():
            mark_dirty([some])
            db.session.commit()
        with app.app_context():
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/region/140000/anomalies?campaign={campaign_id}")
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            status, size = response.status_code, len(response.data)
    results.append(("page /region/140000/anomalies, 1 unit dirty", status, times[0], statistics.median(times),
                    size, statistics.median(cpu)))
    return results


def submit_every_unit(campaign_id):
    """Every Shanxi unit submits its table once: one bulk live snapshot, a version each."""
    from sqlalchemy import select

    from lwpwa.accounts.models import User
    from lwpwa.campaigns.models import Campaign
    from lwpwa.extensions import db
    from lwpwa.orgs.models import Org
    from lwpwa.submissions.freeze import unit_snapshots
    from lwpwa.submissions.service import add_version

    campaign = db.session.get(Campaign, campaign_id)
    user = db.session.scalar(select(User).where(User.username == "bench_province"))
    orgs = db.session.scalars(select(Org).where(Org.region_code.like("14%")).order_by(Org.id)).all()
    snapshots = unit_snapshots(campaign, orgs)
    for org in orgs:
        add_version(campaign, snapshots[org.id], user, org_id=org.id)
    db.session.commit()
    return len(orgs)


def time_submitted(app, client, headers, campaign_id, runs):
    """The submitted basis: the counts API, the region table (its snapshot, its page, its .xlsx)."""
    from lwpwa.campaigns.models import Campaign
    from lwpwa.extensions import db
    from lwpwa.regions.models import Region
    from lwpwa.reports.region_table import region_snapshot

    with app.app_context():
        started = time.perf_counter()
        n = submit_every_unit(campaign_id)
        print(f"submitted {n:,} units' tables (a version each) in {time.perf_counter() - started:.1f} s")
    results = []
    base = f"/api/v1/stats?campaign_id={campaign_id}"
    with app.app_context():
        live = client.get(base + "&group_by=city", headers=headers).get_json()
        frozen = client.get(base + "&group_by=city&basis=submitted", headers=headers).get_json()
        same = [(r["key"], r["attendance"], r["attendance_tallied"]) for r in live["rows"]] == \
            [(r["key"], r["attendance"], r["attendance_tallied"]) for r in frozen["rows"]]
    for group in ("org", "city", "county", "theme", "day"):
        with app.app_context():
            label = f"GET /api/v1/stats?group_by={group}&basis=submitted"
            results.append(((label + ("" if same or group != "city" else " MISMATCH")),
                            *timed(client, base + f"&group_by={group}&basis=submitted", headers, runs)))
    for basis in ("submitted", "live"):
        with app.app_context():
            campaign, province = db.session.get(Campaign, campaign_id), db.session.get(Region, "140000")
            times, cpu = [], []
            for _ in range(runs + 1):
                started, started_cpu = time.perf_counter(), time.process_time()
                snapshot = region_snapshot(campaign, province, basis)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                db.session.rollback()
            results.append((f"region table 140000, basis={basis} (data)", 200, times[0],
                            statistics.median(times[1:]), len(snapshot["units"]), statistics.median(cpu[1:])))
    with app.app_context():
        results.append(("GET /api/v1/regions/140000/report.xlsx?basis=submitted", *timed(
            client, f"/api/v1/regions/140000/report.xlsx?campaign_id={campaign_id}&basis=submitted", headers,
            max(1, runs // 3))))
    return results


def _stop(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # so that `finally` removes the database


if __name__ == "__main__":
    os.environ.setdefault("FLASK_DEBUG", "0")
    signal.signal(signal.SIGTERM, _stop)
    main()
