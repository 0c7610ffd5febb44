#!/usr/bin/env python
"""Benchmark: the site lead's statistics table page and its .xlsx for a big unit.

    .venv/bin/python bench/report.py                     # a fresh SQLite file in a temp dir
    .venv/bin/python bench/report.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

One unit with 200 activities and 200,000 check-ins (inserted directly, by executemany through
SQLAlchemy core: 20,000 residents; per activity 1,000 rows: 900 accepted attendee scans of
distinct people over 3 days, 50 accepted volunteer scans, 40 duplicates, 10 tallies; then
`checkin_counts` filled from them, as sync keeps it). Then,
in-process through Flask's test client (nothing listens on a port), signed in as the unit's
site lead: the median of --runs requests of GET /unit/table (the page) and GET /unit/table.xlsx,
and for reference the dashboard and the print view. Goal: under 1 s each. The temp dir (or the
PostgreSQL database) is removed at the end.

Then the paper side (issue 14), on a second unit of 30 activities with 20 photos chosen for its
evidence package and its table submitted: the .xlsx of the 30 activities, its PDF through
LibreOffice (soffice --headless, one run) and the whole evidence package (the table .xlsx and
PDF, 30 sign-in sheets as PDF in one soffice run, 20 photos, two .docx), the median of 3 each.
`--evidence-only` skips the 200,000 check-ins.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Asia/Shanghai")
GOAL_S = 1.0
ACTIVITIES = 200
PER_ACTIVITY = 1_000
RESIDENTS = 20_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server on 127.0.0.1 (a fresh database "
                        "is made on it and dropped); default: a fresh SQLite file")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--evidence-only", action="store_true", help="only the 30-activity table, "
                        "its PDF and the evidence package with 20 photos")
    return parser.parse_args()


def fresh_database(url, tmp):
    if not url:
        return f"sqlite:///{tmp}/report-bench.sqlite3", None
    from sqlalchemy import create_engine, text
    if "127.0.0.1" not in url and "localhost" not in url:
        sys.exit("only a PostgreSQL server on 127.0.0.1")
    name = f"lwpwa_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return url.rsplit("/", 1)[0] + "/" + name, (admin, name)


def drop_database(handle):
    if handle is None:
        return
    from sqlalchemy import text
    admin, name = handle
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(db):
    """The campaign, the unit, its lead, 200 activities, 20,000 residents, 200,000 check-ins."""
    from lwpwa.accounts.service import create_user
    from lwpwa.activities.models import Activity
    from lwpwa.activities.reference import FORM_KEYS, THEME_KEYS
    from lwpwa.campaigns.models import Campaign
    from lwpwa.checkins import counters
    from lwpwa.checkins.models import Checkin
    from lwpwa.orgs.models import Org
    from lwpwa.residents.models import Resident

    today = datetime.now(ZONE).date()
    campaign = Campaign(title="2026年山西省全民终身学习活动周", region_code="140000", starts_on=today - timedelta(days=3),
                        ends_on=today + timedelta(days=4), report_due_on=today + timedelta(days=30))
    org = Org(name="太原市迎泽区社区学院", region_code="140106", lead_name="李明", reporter_name="王芳",
              phone="0351-1234567")
    db.session.add_all([campaign, org])
    db.session.flush()
    lead = create_user("bench-lead", "bench password", "site_lead", org_id=org.id)
    start = datetime.combine(today - timedelta(days=3), datetime.min.time(), ZONE).replace(hour=9)
    activities = [Activity(campaign_id=campaign.id, org_id=org.id, theme=THEME_KEYS[i % len(THEME_KEYS)],
                           name=f"活动{i:03d}：智能手机使用培训第{i}期", content="教老年人使用智能手机挂号、支付、视频通话。" * 3,
                           form=FORM_KEYS[i % len(FORM_KEYS)], mode=("offline", "online", "hybrid")[i % 3],
                           venue="社区活动室", starts_at=start + timedelta(hours=i % 8),
                           ends_at=start + timedelta(days=2, hours=i % 8 + 3),
                           news_links=[f"https://example.org/news/{i}"], courses=["手机摄影", "短视频"] if i % 9 == 1 else [])
                  for i in range(ACTIVITIES)]
    db.session.add_all(activities)
    db.session.flush()
    db.session.execute(Resident.__table__.insert(),
                       [{"source": "card", "created_at": datetime.now(timezone.utc)} for _ in range(RESIDENTS)])
    first_resident = db.session.scalar(db.select(db.func.min(Resident.id)))
    received = datetime.now(timezone.utc)
    rows = []
    for index, activity in enumerate(activities):
        for n in range(PER_ACTIVITY):
            day_offset = n % 3
            scanned = activity.starts_at + timedelta(days=day_offset, minutes=n % 180)
            resident = first_resident + (index * 97 + n) % RESIDENTS
            kind, status, headcount = "attendee", "accepted", None
            if 900 <= n < 950:
                kind = "volunteer"
            elif 950 <= n < 990:
                status = "duplicate"
            elif n >= 990:
                resident, headcount = None, 3
            rows.append({"client_id": str(uuid.uuid4()), "device_id": "bench", "recorded_by_id": lead.id,
                         "activity_id": activity.id, "kind": kind, "resident_id": resident, "headcount": headcount,
                         "device_scanned_at": scanned, "scanned_at": scanned, "received_at": received,
                         "day": scanned.astimezone(ZONE).date(), "status": status})
        if len(rows) >= 20_000:
            db.session.execute(Checkin.__table__.insert(), rows)
            rows = []
    if rows:
        db.session.execute(Checkin.__table__.insert(), rows)
    # Rows inserted past sync: fill checkin_counts from them, as sync would have kept it.
    counters.rebuild()
    db.session.commit()
    return campaign.id


def seed_evidence(db, campaign_id, storage_dir):
    """A unit of 30 activities with a few check-ins each, 20 photos chosen, its table submitted."""
    import io

    from PIL import Image

    from lwpwa.accounts.service import create_user
    from lwpwa.activities.models import Activity
    from lwpwa.activities.reference import THEME_KEYS
    from lwpwa.campaigns.models import Campaign
    from lwpwa.evidence import storage
    from lwpwa.evidence.models import Photo
    from lwpwa.orgs.models import Org
    from lwpwa.submissions import service as submissions

    org = Org(name="太原市小店区坞城街道社区学校", region_code="140105", lead_name="赵敏", reporter_name="钱进",
              phone="0351-7654321")
    db.session.add(org)
    db.session.flush()
    lead = create_user("bench-evidence-lead", "bench password", "site_lead", org_id=org.id)
    start = datetime.now(ZONE).replace(hour=9, minute=0, second=0, microsecond=0)
    activities = [Activity(campaign_id=campaign_id, org_id=org.id, theme=THEME_KEYS[i % 7],
                           name=f"第{i + 1}场 智能手机应用与防范电信诈骗培训", form="lecture", mode="offline",
                           content="帮助老年人学习使用智能手机进行网上挂号、移动支付。" * (1 + i % 3), venue="社区活动室",
                           starts_at=start, ends_at=start + timedelta(hours=3),
                           news_links=[f"https://news.example.cn/2026/12/{i:02d}.html"], courses=[])
                  for i in range(30)]
    db.session.add_all(activities)
    db.session.flush()
    for n in range(20):
        out = io.BytesIO()
        Image.new("RGB", (1600, 1200), (20 * n % 255, 90, 160)).save(out, "JPEG", quality=85)
        photo = Photo(client_id=str(uuid.uuid4()), activity_id=activities[n % 5].id, org_id=org.id, slot=n // 5 + 1,
                      uploaded_by_id=lead.id, sha256=storage.sha256(out.getvalue()), size_bytes=len(out.getvalue()),
                      width=1600, height=1200, in_package=True)
        db.session.add(photo)
        db.session.flush()
        storage.write(storage.photo_path(photo), out.getvalue())
    submissions.submit(db.session.get(Campaign, campaign_id), org, lead)
    db.session.commit()
    return org.id


def cpu_seconds():
    """CPU time of this process and its finished children (soffice): on a loaded machine the
    wall time is mostly waiting for a core."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def bench_evidence(app, db, campaign_id, runs):
    from lwpwa.campaigns.models import Campaign
    from lwpwa.evidence import package, pdf
    from lwpwa.orgs.models import Org
    from lwpwa.reports import service
    from lwpwa.reports.xlsx import to_bytes
    from lwpwa.submissions import service as submissions

    with app.app_context():
        org_id = seed_evidence(db, campaign_id, app.config["EVIDENCE_STORAGE"])
        campaign, org = db.session.get(Campaign, campaign_id), db.session.get(Org, org_id)
        results = {}
        xlsx_bytes = None

        def table():
            nonlocal xlsx_bytes
            xlsx_bytes = to_bytes(service.unit_workbook(campaign, org))

        submission = submissions.latest_submission(campaign, org)
        cache = Path(app.config["EVIDENCE_STORAGE"]) / "pdf-cache"
        cold = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731 - PDFs made afresh
        for label, work, n, before_each in (
                ("30-activity .xlsx", table, runs, None),
                ("its PDF (soffice)", lambda: pdf.xlsx_to_pdf({"t": xlsx_bytes}), 3, cold),
                ("evidence package, 20 photos", lambda: package.build(campaign, org, submission), 3, cold),
                ("the same, PDFs cached", lambda: package.build(campaign, org, submission), 3, None)):
            times, cpu = [], []
            for _ in range(n):
                if before_each:
                    before_each()
                began, before = time.perf_counter(), cpu_seconds()
                work()
                times.append(time.perf_counter() - began)
                cpu.append(cpu_seconds() - before)
            results[label] = statistics.median(times)
            print(f"{label:28s} median of {n}: {results[label] * 1000:7.0f} ms wall, "
                  f"{statistics.median(cpu) * 1000:6.0f} ms CPU (this process and soffice)")
        data, photos = package.build(campaign, org, submission)
        print(f"package: {len(data):,} bytes, {photos} photos")
    return results


def timed(client, path, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), len(response.data)


def main():
    args = parse_args()
    tmp = tempfile.mkdtemp(prefix="lwpwa-report-bench-")
    url, handle = fresh_database(args.database_url, tmp)
    try:
        from flask_migrate import upgrade

        from lwpwa import create_app
        from lwpwa.extensions import db
        from lwpwa.reference import load_reference_data

        app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-long-enough-0123456789abcdef",
                          "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                          "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                          "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_KIB": 1024, "PASSWORD_PARALLELISM": 1,
                          "EVIDENCE_STORAGE": f"{tmp}/evidence"})
        with app.app_context():
            upgrade()
            load_reference_data()
            db.session.commit()
        if args.evidence_only:
            from lwpwa.campaigns.models import Campaign
            with app.app_context():
                today = datetime.now(ZONE).date()
                campaign = Campaign(title="2026年山西省全民终身学习活动周", region_code="140000",
                                    starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=4))
                db.session.add(campaign)
                db.session.commit()
                campaign_id = campaign.id
            bench_evidence(app, db, campaign_id, args.runs)
            return 0
        with app.app_context():
            began = time.perf_counter()
            campaign_id = seed(db)
            print(f"seeded {ACTIVITIES} activities, {ACTIVITIES * PER_ACTIVITY:,} check-ins in "
                  f"{time.perf_counter() - began:.1f} s ({db.engine.dialect.name})")
        client = app.test_client()
        with app.app_context():
            assert client.post("/login", data={"username": "bench-lead", "password": "bench password"}).status_code == 302
        results = []
        for label, path in (("table page", f"/unit/table?campaign={campaign_id}"),
                            ("table .xlsx", f"/unit/table.xlsx?campaign={campaign_id}"),
                            ("print view", f"/unit/table/print?campaign={campaign_id}"),
                            ("dashboard", f"/unit/?campaign={campaign_id}")):
            with app.app_context():
                timed(client, path, 1)  # warm caches (templates, statements)
                median, size = timed(client, path, args.runs)
            results.append((label, median, size))
            print(f"{label:12s} median of {args.runs}: {median * 1000:7.0f} ms  ({size:,} bytes)"
                  f"{'' if median < GOAL_S or label not in ('table page', 'table .xlsx') else '  ABOVE GOAL'}")
        bench_evidence(app, db, campaign_id, args.runs)
        with app.app_context():
            db.engine.dispose()
        return 0 if all(m < GOAL_S for label, m, _s in results if label in ("table page", "table .xlsx")) else 1
    finally:
        drop_database(handle)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
