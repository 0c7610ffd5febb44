"""The migrations build exactly the schema the models describe, on every engine; 0003 fills
the counts table from the check-ins stored before it."""
import uuid
from datetime import date, datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import ENGINES, Factory, base_config, counts_table, drop_database_url, fresh_database_url, recount
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect

from lwpwa import create_app
from lwpwa.checkins.models import Checkin
from lwpwa.extensions import db
from lwpwa.reference import load_reference_data


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "write a migration: flask --app wsgi db migrate -m '...'"



@pytest.fixture(params=ENGINES)
def fresh_url(request, tmp_path):
    url = fresh_database_url(request.param, tmp_path)
    yield url
    drop_database_url(url)


def test_0003_fills_checkin_counts_from_the_checkins_already_stored(fresh_url):
    """Check-ins stored at revision 0002 (no counts table yet), then the upgrade: the table
    holds their counts, as the recount from checkins says, and the downgrade drops it."""
    app = create_app(base_config(fresh_url))
    with app.app_context():
        # Units, activities and people are made by today's models at the newest revision; the
        # check-ins are then written as revision 0002 stored them (later revisions add columns
        # to the tables the models write, so the models cannot write at 0002 themselves).
        upgrade()
        load_reference_data()
        make = Factory(app)
        campaign = make.campaign()
        activity, other = make.activity(make.org(), campaign), make.activity(make.org(), campaign)
        people = [make.resident()[0].id for _ in range(3)]
        a, b = activity.id, other.id
        db.session.commit()
        db.session.remove()
        downgrade(revision="0002")
        day1, day2 = date(2026, 12, 10), date(2026, 12, 11)
        now = datetime.now(timezone.utc)

        def row(activity_id, status, day, resident_id=None, headcount=None, kind="attendee"):
            return {"client_id": str(uuid.uuid4()), "activity_id": activity_id, "kind": kind, "status": status,
                    "day": day, "resident_id": resident_id, "headcount": headcount, "received_at": now}

        db.session.execute(insert(Checkin.__table__), [
            row(a, "accepted", day1, people[0]), row(a, "accepted", day1, people[1]),
            row(a, "duplicate", day1, people[0]), row(a, "accepted", day2, people[0]),
            row(a, "accepted", day1, headcount=4), row(a, "accepted", day1, headcount=3),
            row(a, "accepted", day1, people[2], kind="volunteer"),
            row(a, "held", day1, people[2]), row(a, "held", day2, headcount=9),
            row(None, "rejected", None), row(b, "rejected", day1, people[1]),
            row(b, "accepted", day2, headcount=2),
            row(b, "accepted", None, people[0]),  # no local day: not counted (see 0003)
        ])
        db.session.commit()
        assert "checkin_counts" not in inspect(db.engine).get_table_names()

        upgrade()
        expected = {(a, "attendee", "2026-12-10"): (2, 7), (a, "attendee", "2026-12-11"): (1, 0),
                    (a, "volunteer", "2026-12-10"): (1, 0), (b, "attendee", "2026-12-11"): (0, 2)}
        assert counts_table() == recount() == expected
        db.session.commit()

        downgrade(revision="0002")
        assert "checkin_counts" not in inspect(db.engine).get_table_names()
        upgrade()
        assert counts_table() == expected
        db.session.remove()
        db.engine.dispose()


def test_0005_numbers_the_submissions_already_stored(fresh_url):
    """Submissions stored at revision 0004 become versions 1, 2, … per (unit, campaign) in the
    order they were submitted, status `submitted`, snapshot and fingerprint untouched; the
    downgrade goes back and the upgrade again."""
    from sqlalchemy import text

    app = create_app(base_config(fresh_url))
    with app.app_context():
        # The reference data and the factory's rows need today's schema (later slots add columns
        # and tables); the submissions are then stored as revision 0004 knew them.
        upgrade()
        load_reference_data()
        make = Factory(app)
        campaign = make.campaign()
        first, second = make.org(), make.org()
        campaign_id, first_id, second_id = campaign.id, first.id, second.id
        db.session.commit()
        db.session.remove()
        downgrade(revision="0004")
        first, second = type("Org", (), {"id": first_id}), type("Org", (), {"id": second_id})
        campaign = type("Campaign", (), {"id": campaign_id})
        rows = [(first.id, "2026-12-12 10:00:00", "c" * 64), (second.id, "2026-12-12 09:00:00", "d" * 64),
                (first.id, "2026-12-11 10:00:00", "a" * 64), (first.id, "2026-12-11 10:00:00", "b" * 64)]
        for org_id, at, digest in rows:
            db.session.execute(text(
                "INSERT INTO submissions (org_id, campaign_id, submitted_at, fingerprint, snapshot)"
                " VALUES (:org, :campaign, :at, :digest, :snapshot)"),
                {"org": org_id, "campaign": campaign.id, "at": at, "digest": digest, "snapshot": '{"totals": {}}'})
        db.session.commit()

        upgrade()
        found = db.session.execute(text(
            "SELECT org_id, version, status, fingerprint, snapshot FROM submissions ORDER BY org_id, version")).all()
        assert [(o, v, s, f) for o, v, s, f, _snapshot in found] == [
            (first.id, 1, "submitted", "a" * 64), (first.id, 2, "submitted", "b" * 64),
            (first.id, 3, "submitted", "c" * 64), (second.id, 1, "submitted", "d" * 64)]
        db.session.commit()
        downgrade(revision="0004")
        assert "version" not in {c["name"] for c in inspect(db.engine).get_columns("submissions")}
        upgrade()
        assert db.session.execute(text("SELECT max(version) FROM submissions")).scalar() == 3
        db.session.remove()
        db.engine.dispose()
