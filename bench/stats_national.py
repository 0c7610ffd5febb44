"""The national tier's counts at the scale of the country (`bench/stats.py --national`): 200,000
activities and 20,000,000 check-ins in one national week, on PostgreSQL.

    .venv/bin/python bench/stats.py --national --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres --keep
    .venv/bin/python bench/stats.py --national --existing postgresql+psycopg://postgres@127.0.0.1:5432/lwpwa_bench_…

Building (once; `--keep` keeps the database, `--existing URL` times a kept one again):
1. a fresh database, migrated, the reference data (every region of GB/T 2260);
2. through the models: a national week (region 000000) and, under it, a week of each of the 31
   provinces of the mainland (`campaigns.parent_id`); --units units round-robin over every
   county-level division of those provinces; a national bureau account (region 000000) with a
   read-only token;
3. by COPY, straight into the tables: --activities activities round-robin over the units,
   themes and the week's 7 days, every other one in its province's week (the national figures
   count both); --residents residents; 100 check-ins per activity in the shape sync leaves
   (88 accepted attendee scans of distinct people, 1 tally, 5 volunteers, 5 duplicates, 1
   held); `checkin_counts` from the same generator (what sync keeps); triggers off for the
   load (`session_replication_role = replica`: no foreign-key checks, the rows are generated
   consistent), so `unit_counts` is rebuilt after it (`recount --fix` would); then VACUUM
   ANALYZE, as autovacuum would.

Timing, through the Flask test client as the national account (each request in its own app
context): `GET /api/v1/stats?region=000000` by province, and by theme, day and city; the
national dashboard; then `recount`'s comparisons of `checkin_counts` with `checkins` and of
`unit_counts` with `checkin_counts` (must find no difference). Goal: the counts by province
under 0.5 s.
"""
import os
import secrets
import statistics
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
DAYS = 7
PER_ACTIVITY = 100
GOAL_S = 0.5
CHUNK = 1 << 22  # bytes per COPY write


def add_arguments(parser):
    group = parser.add_argument_group("--national")
    group.add_argument("--national", action="store_true", help="the national tier: 200,000 activities, "
                       "20,000,000 check-ins (PostgreSQL only); see bench/stats_national.py")
    group.add_argument("--existing", help="with --national: time a database an earlier --national --keep built")
    group.add_argument("--national-units", type=int, default=20_000)
    group.add_argument("--national-activities", type=int, default=200_000)
    group.add_argument("--national-residents", type=int, default=1_000_000)


def run(args, make_app, fresh_postgres, drop_postgres):
    if args.existing:
        url, built = args.existing, False
    else:
        if not args.database_url:
            raise SystemExit("--national needs --database-url (a PostgreSQL server on 127.0.0.1) or --existing")
        url, built = fresh_postgres(args.database_url), True
    try:
        app = make_app(url)
        if built:
            build(app, args)
        secret, campaign_id = bench_account(app)
        results = time_requests(app, secret, campaign_id, args.runs)
        with app.app_context():
            results.append(time_recount())
        print(f"\nPostgreSQL, national week: {count(app, 'activities'):,} activities, "
              f"{count(app, 'checkins'):,} check-ins, {count(app, 'checkin_counts'):,} counter rows "
              f"(first request, then the median of {args.runs}):")
        for label, status, first_s, median_s, size, cpu_s, note in results:
            goal = ""
            if label.startswith("GET /api/v1/stats"):
                goal = "  ok" if median_s < GOAL_S else f"  SLOWER than the {GOAL_S} s goal"
            print(f"  {label:<52} {status}  first {first_s:6.3f} s  median {median_s:6.3f} s  "
                  f"cpu {cpu_s:6.3f} s  {size:>9,} B{goal}{note}")
        print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        with app.app_context():
            from lwpwa.extensions import db
            db.engine.dispose()
    finally:
        if built and not args.keep:
            drop_postgres(args.database_url, url)
        elif built:
            print(f"kept: {url}\n(time it again: bench/stats.py --national --existing {url})")


def count(app, table):
    from sqlalchemy import text

    from lwpwa.extensions import db

    with app.app_context():
        return db.session.scalar(text(f"SELECT count(*) FROM {table}"))


def build(app, args):
    started = time.perf_counter()
    with app.app_context():
        from lwpwa.extensions import db

        campaigns, units = seed(args)
        print(f"seeded 32 weeks (the national one and 31 under it), {len(units):,} units "
              f"in {time.perf_counter() - started:.1f} s")
        raw = db.engine.raw_connection()
        try:
            connection = raw.driver_connection
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")  # no FK triggers for the load
            step = time.perf_counter()
            activities = copy_activities(connection, campaigns, units, args.national_activities)
            print(f"COPY {len(activities):,} activities in {time.perf_counter() - step:.1f} s")
            step = time.perf_counter()
            first = copy_residents(connection, args.national_residents)
            print(f"COPY {args.national_residents:,} residents in {time.perf_counter() - step:.1f} s")
            step = time.perf_counter()
            n, counters = copy_checkins(connection, activities, first, args.national_residents)
            elapsed = time.perf_counter() - step
            print(f"COPY {n:,} check-ins in {elapsed:.1f} s ({n / elapsed:,.0f} rows/s)")
            step = time.perf_counter()
            copy_counts(connection, counters)
            print(f"COPY {len(counters):,} rows of checkin_counts in {time.perf_counter() - step:.1f} s")
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")
            connection.commit()
        finally:
            raw.close()
        # The load bypassed the triggers that keep unit_counts (lwpwa/reports/models.py).
        from lwpwa.reports import rollup

        step = time.perf_counter()
        rollup.rebuild()
        db.session.commit()
        print(f"unit_counts rebuilt from checkin_counts in {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        from sqlalchemy import text

        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("VACUUM ANALYZE"))
        print(f"VACUUM ANALYZE in {time.perf_counter() - step:.1f} s")
    print(f"built in {time.perf_counter() - started:.0f} s")


def seed(args):
    """The weeks, the units and the national account, through the models."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from lwpwa.accounts import tokens
    from lwpwa.accounts.service import create_user
    from lwpwa.campaigns.models import Campaign
    from lwpwa.extensions import db
    from lwpwa.orgs.models import Org
    from lwpwa.reference import load_reference_data
    from lwpwa.regions.models import COUNTRY_CODE, Region

    upgrade()
    load_reference_data()
    db.session.commit()
    today = datetime.now(ZONE).date()
    starts_on = today - timedelta(days=DAYS - 1)
    dates = {"timezone": "Asia/Shanghai", "starts_on": starts_on, "ends_on": today,
             "report_due_on": today + timedelta(days=7)}
    national = Campaign(title="全国终身学习活动周（压测）", region_code=COUNTRY_CODE, **dates)
    db.session.add(national)
    db.session.flush()
    provinces = db.session.scalars(select(Region).where(Region.level == "province", Region.current.is_(True),
                                                        Region.code < "700000").order_by(Region.code)).all()
    campaigns = {"national": national.id}
    for province in provinces:
        week = Campaign(title=f"{province.name}全民终身学习活动周（压测）", region_code=province.code,
                        parent_id=national.id, **dates)
        db.session.add(week)
        db.session.flush()
        campaigns[province.code[:2]] = week.id
    districts = db.session.scalars(
        select(Region.code).where(Region.level == "district", Region.current.is_(True), Region.code < "700000")
        .order_by(Region.code)).all()
    db.session.execute(Org.__table__.insert(), [
        {"name": f"压测单位{i}", "region_code": districts[i % len(districts)], "kind": "community_school",
         "lead_name": "李明", "reporter_name": "王芳", "phone": "010-12345678"} for i in range(args.national_units)])
    user = create_user("bench_nation", secrets.token_urlsafe(16), "bureau", region_code=COUNTRY_CODE)
    _secret, token = tokens.issue_token(user, name="bench")
    token.read_only = True
    db.session.commit()
    units = db.session.execute(select(Org.id, Org.region_code).order_by(Org.id)).all()
    db.session.commit()
    return campaigns, units


def _copy(connection, sql, lines):
    """COPY … FROM STDIN of text lines, written in large chunks."""
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        buffer, size = [], 0
        for line in lines:
            buffer.append(line)
            size += len(line)
            if size >= CHUNK:
                copy.write("".join(buffer).encode())
                buffer, size = [], 0
        if buffer:
            copy.write("".join(buffer).encode())


def _utc_text(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


def copy_activities(connection, campaigns, units, n):
    from lwpwa.activities.reference import THEME_KEYS

    now = _utc_text(datetime.now(timezone.utc))
    today = datetime.now(ZONE).date()
    starts_on = today - timedelta(days=DAYS - 1)
    created = _utc_text(datetime.combine(starts_on - timedelta(days=7), datetime.min.time(), ZONE))

    def lines():
        for i in range(n):
            org_id, region_code = units[i % len(units)]
            campaign_id = campaigns["national"] if i % 2 == 0 else campaigns[region_code[:2]]
            day = starts_on + timedelta(days=i % DAYS)
            start = datetime(day.year, day.month, day.day, 9 + i % 8, tzinfo=ZONE)
            yield (f"{campaign_id}\t{org_id}\t{THEME_KEYS[i % len(THEME_KEYS)]}\t活动{i}\t压测\tlecture\toffline\t"
                   f"场地{i % 997}\t{_utc_text(start)}\t{_utc_text(start + timedelta(hours=2))}\t[]\t[]\t400\tf\t"
                   f"{created}\t{now}\n")

    _copy(connection, "COPY activities (campaign_id, org_id, theme, name, content, form, mode, venue, starts_at, "
          "ends_at, news_links, courses, capacity, is_cancelled, created_at, updated_at) FROM STDIN", lines())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, starts_at FROM activities ORDER BY id")
        return [(activity_id, starts_at.replace(tzinfo=timezone.utc)) for activity_id, starts_at in cursor]


def copy_residents(connection, n):
    now = _utc_text(datetime.now(timezone.utc))
    _copy(connection, "COPY residents (source, created_at) FROM STDIN", (f"registration\t{now}\n" for _ in range(n)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM residents")
        return cursor.fetchone()[0]


def copy_checkins(connection, activities, first_resident, n_residents):
    """100 check-ins per activity (the shape of bench/stats.py's checkin_rows); returns (rows,
    {(activity_id, kind, day): (scanned, headcount)}) — the counts sync would have kept."""
    import random

    rng = random.Random(7)
    counters = {}
    stamps = {}  # activities share start times: their scan times are formatted once
    serial = 0

    def lines():
        nonlocal serial
        for activity_id, starts_at in activities:
            if starts_at not in stamps:
                day = starts_at.astimezone(ZONE).date().isoformat()
                base_time = starts_at.replace(tzinfo=None)
                stamps[starts_at] = (day, [(f"{base_time + timedelta(seconds=5 * j)}",
                                            f"{base_time + timedelta(seconds=5 * j + 180)}")
                                           for j in range(PER_ACTIVITY)])
            day, times = stamps[starts_at]
            base = rng.randrange(n_residents)
            device = f"device-{activity_id % 30000}"
            scanned = {"attendee": 0, "volunteer": 0}
            tallied = 0
            out = []
            for j in range(PER_ACTIVITY):
                serial += 1
                scan, received = times[j]
                kind, resident, headcount, status = "attendee", first_resident + (base + j) % n_residents, "\\N", "accepted"
                if j < 88:
                    scanned["attendee"] += 1
                elif j == 88:
                    resident, headcount = "\\N", 1 + j % 5
                    tallied += headcount
                elif j < 94:
                    kind = "volunteer"
                    scanned["volunteer"] += 1
                elif j < 99:
                    resident, status = first_resident + (base + j - 90) % n_residents, "duplicate"
                else:
                    status = "held"
                out.append(f"b{serial:035d}\t{device}\t{activity_id}\t{kind}\t{resident}\t{headcount}\t"
                           f"{scan}\t{scan}\t{received}\t{day}\t{status}\n")
            counters[(activity_id, "attendee", day)] = (scanned["attendee"], tallied)
            counters[(activity_id, "volunteer", day)] = (scanned["volunteer"], 0)
            yield "".join(out)

    _copy(connection, "COPY checkins (client_id, device_id, activity_id, kind, resident_id, headcount, "
          "device_scanned_at, scanned_at, received_at, day, status) FROM STDIN", lines())
    return serial, counters


def copy_counts(connection, counters):
    _copy(connection, "COPY checkin_counts (activity_id, kind, day, scanned, headcount) FROM STDIN",
          (f"{a}\t{k}\t{d}\t{s}\t{h}\n" for (a, k, d), (s, h) in sorted(counters.items())))


def bench_account(app):
    """A fresh read-only token of the national account, and the national week's id."""
    from sqlalchemy import select

    from lwpwa.accounts import tokens
    from lwpwa.accounts.models import User
    from lwpwa.campaigns.models import Campaign
    from lwpwa.extensions import db
    from lwpwa.regions.models import COUNTRY_CODE

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "bench_nation"))
        secret, token = tokens.issue_token(user, name="bench")
        token.read_only = True
        campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.region_code == COUNTRY_CODE)
                                        .order_by(Campaign.id))
        db.session.commit()
    return secret, campaign_id


def timed(client, url, headers, runs):
    times, cpu, status, size = [], [], None, 0
    for _ in range(runs + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        status, size = response.status_code, len(response.data)
    return status, times[0], statistics.median(times[1:]), size, statistics.median(cpu[1:])


def time_requests(app, secret, campaign_id, runs):
    from lwpwa.accounts.passwords import hash_password
    from lwpwa.accounts.models import User
    from lwpwa.extensions import db

    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    results = []
    base = f"/api/v1/stats?campaign_id={campaign_id}&region=000000"
    totals = None
    for group in ("province", "theme", "day", "city"):
        with app.app_context():
            results.append((f"GET /api/v1/stats?region=000000&group_by={group}",
                            *timed(client, f"{base}&group_by={group}", headers, runs), ""))
            answer = client.get(f"{base}&group_by={group}", headers=headers).get_json()
            if totals is None:
                totals = answer["totals"]
            elif answer["totals"] != totals:
                results[-1] = results[-1][:-1] + ("  TOTALS DIFFER from group_by=province",)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "bench_nation"))
        user.password_hash = hash_password("bench password 1")
        db.session.commit()
    browser = app.test_client()
    with app.app_context():
        browser.post("/login", data={"username": "bench_nation", "password": "bench password 1"})
    for label, path in (("page /region/000000/ (national dashboard, live)", f"/region/000000/?campaign={campaign_id}&basis=live"),
                        ("page /region/000000/ (submitted basis)", f"/region/000000/?campaign={campaign_id}")):
        with app.app_context():
            results.append((label, *timed(browser, path, {}, max(1, runs // 3)), ""))
    print(f"totals: {totals}")
    return results


def time_recount():
    """`flask --app wsgi recount`'s comparisons, once: checkin_counts against checkins, and
    unit_counts against checkin_counts."""
    from lwpwa.checkins import counters
    from lwpwa.extensions import db
    from lwpwa.reports import rollup

    started, started_cpu = time.perf_counter(), time.process_time()
    found = counters.differences()
    units = rollup.differences()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    db.session.rollback()
    note = "  exact" if not found and not units else f"  {len(found)} counter rows and {len(units)} units differ"
    return ("recount (checkin_counts, unit_counts)", 200, elapsed, elapsed, len(found) + len(units), cpu, note)


if __name__ == "__main__":
    raise SystemExit("run it as bench/stats.py --national")

