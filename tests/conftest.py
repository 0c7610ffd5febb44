"""Test harness: every test that uses the database runs on SQLite and, when TEST_DATABASE_URL
names a PostgreSQL server, on PostgreSQL too. Under CI=true nothing may be skipped for lack of
a database or a browser: a missing part fails the run."""
import os
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from lwpwa import create_app
from lwpwa.accounts import tokens
from lwpwa.accounts.service import create_user
from lwpwa.activities.models import Activity
from lwpwa.campaigns.models import Campaign
from lwpwa.extensions import db, limiter
from lwpwa.orgs.models import Org
from lwpwa.reference import load_reference_data
from lwpwa.residents import service as residents

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL")
ZONE = ZoneInfo("Asia/Shanghai")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# Reference tables stay loaded (init-db fills them); every other table's rows are made by tests
# and cleared after each one. New tables are cleared without being listed here.
REFERENCE_TABLES = {"regions", "themes", "activity_forms", "campaigns", "alembic_version",
                    "region_releases", "region_changes"}

ENGINES = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_configure(config):
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true needs TEST_DATABASE_URL: PostgreSQL must be covered")


def base_config(database_url):
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": True,
        "SESSION_COOKIE_SECURE": False,
        "PREFERRED_URL_SCHEME": "http",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Argon2 at minimal cost: tests check behaviour, not the cost.
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_KIB": 1024,
        "PASSWORD_PARALLELISM": 1,
        "EVIDENCE_STORAGE": tempfile.mkdtemp(prefix="lwpwa-evidence-"),
    }


def fresh_database_url(engine, tmp_dir):
    """A new empty database for one engine: a SQLite file, or a PostgreSQL database."""
    if engine == "sqlite":
        return f"sqlite:///{tmp_dir}/lwpwa-test.sqlite3"
    name = f"lwpwa_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def drop_database_url(url):
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory):
    url = fresh_database_url(request.param, tmp_path_factory.mktemp(request.param))
    yield url
    drop_database_url(url)


def migrated_app(database_url):
    """An app on `database_url`, upgraded to the newest schema with its reference data."""
    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
    return app


@contextmanager
def seeding(database_url):
    """A Factory on a migrated database, for data a real server (tests/servers.py) will serve;
    commits, and closes every connection, when the block ends."""
    app = migrated_app(database_url)
    with app.app_context():
        yield Factory(app)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _migrated_app(database_url):
    app = migrated_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_migrated_app):
    with _migrated_app.app_context():
        limiter.reset()
        yield _migrated_app
        db.session.rollback()
        db.session.remove()
        clear_test_rows()


def test_tables():
    """Tables whose rows tests make, children before parents (the order SQLite deletes in)."""
    return [table.name for table in reversed(db.metadata.sorted_tables) if table.name not in REFERENCE_TABLES]


def clear_test_rows():
    tables = test_tables()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            connection.execute(text("DELETE FROM campaigns WHERE title LIKE 'Test %'"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("DELETE FROM campaigns WHERE title LIKE 'Test %'"))


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, as in production: its own database
    session, its own `g`. The test's session commits first, so the request sees what the test
    made and the test then reads what the request wrote."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Builds test data through the same services the app uses, and commits it."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def _next(self):
        self.count += 1
        return self.count

    def campaign(self, region_code="140000", starts_on=None, days=7, timezone="Asia/Shanghai"):
        starts_on = starts_on or datetime.now(ZONE).date() - timedelta(days=1)
        campaign = Campaign(title=f"Test campaign {self._next()}", region_code=region_code,
                            timezone=timezone, starts_on=starts_on,
                            ends_on=starts_on + timedelta(days=days),
                            report_due_on=starts_on + timedelta(days=days + 5))
        db.session.add(campaign)
        db.session.commit()
        return campaign

    def org(self, region_code="140105", name=None):
        org = Org(name=name or f"测试单位{self._next()}", region_code=region_code,
                  lead_name="李明", reporter_name="王芳", phone="0351-1234567")
        db.session.add(org)
        db.session.commit()
        return org

    def user(self, role="volunteer", org=None, region_code=None, password="correct horse battery"):
        user = create_user(f"{role}{self._next()}", password, role,
                           org_id=org.id if org else None, region_code=region_code)
        db.session.commit()
        return user

    def token(self, user):
        secret, _token = tokens.issue_token(user, name="pytest")
        db.session.commit()
        return secret

    def auth(self, user):
        return {"Authorization": f"Bearer {self.token(user)}"}

    def activity(self, org, campaign, starts_at=None, hours=3, theme="smart_seniors", **fields):
        starts_at = starts_at or datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
        activity = Activity(campaign_id=campaign.id, org_id=org.id, theme=theme,
                            name=fields.pop("name", f"活动{self._next()}"), form=fields.pop("form", "lecture"),
                            mode="offline", venue="社区活动室", starts_at=starts_at,
                            ends_at=starts_at + timedelta(hours=hours), **fields)
        db.session.add(activity)
        db.session.commit()
        return activity

    def resident(self, **fields):
        resident, code, key = residents.register(**fields)
        db.session.commit()
        resident.key = key
        return resident, code.code


@pytest.fixture
def make(app):
    return Factory(app)


@pytest.fixture
def unit(make):
    """A unit in Taiyuan with a campaign, an activity happening now, a volunteer and a lead."""

    class Unit:
        pass

    u = Unit()
    u.campaign = make.campaign()
    u.org = make.org()
    u.volunteer = make.user("volunteer", org=u.org)
    u.lead = make.user("site_lead", org=u.org)
    u.activity = make.activity(u.org, u.campaign)
    u.headers = make.auth(u.volunteer)
    u.lead_headers = make.auth(u.lead)
    return u


def checkin(activity_id, code=None, headcount=None, kind="attendee", scanned_at=None, id=None):
    """One sync item as a phone makes it."""
    item = {"id": id or str(uuid.uuid4()), "activity_id": activity_id, "kind": kind,
            "scanned_at": (scanned_at or datetime.now(ZONE)).isoformat()}
    if code is not None:
        item["code"] = code
    if headcount is not None:
        item["headcount"] = headcount
    return item


def sync_body(items, device_id="device-1", sent_at=None):
    return {"device_id": device_id, "sent_at": (sent_at or datetime.now(ZONE)).isoformat(),
            "checkins": items}


def _day_text(day):
    return day if isinstance(day, str) else day.isoformat()


def counts_table(connection=None):
    """{(activity_id, kind, "YYYY-MM-DD"): (scanned, headcount)}: the rows of checkin_counts."""
    connection = connection or db.session
    rows = connection.execute(text("SELECT activity_id, kind, day, scanned, headcount FROM checkin_counts"))
    return {(a, k, _day_text(d)): (int(s), int(h)) for a, k, d, s, h in rows}


def recount(connection=None):
    """The same, computed from checkins by definition: distinct (person, day)s accepted, plus
    the sum of accepted tallies, per activity, kind and day."""
    connection = connection or db.session
    rows = connection.execute(text(
        "SELECT activity_id, kind, day, COUNT(DISTINCT resident_id), COALESCE(SUM(headcount), 0)"
        " FROM checkins WHERE status = 'accepted' AND day IS NOT NULL GROUP BY activity_id, kind, day"))
    return {(a, k, _day_text(d)): (int(s), int(h)) for a, k, d, s, h in rows}


def assert_counts_exact(connection=None):
    """checkin_counts equals the recount from checkins; returns the table."""
    table = counts_table(connection)
    assert table == recount(connection)
    return table
