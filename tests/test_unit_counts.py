"""`unit_counts`, each unit's counts per campaign, kept by the triggers of migration 0013: after
syncs, voids, approvals, a cancelled and a restored activity, an activity moved to another unit
and week, a deleted one, a rebuild of checkin_counts and a corrupted row, it equals the sums of
checkin_counts (lwpwa/reports/rollup.py), `recount` says so or mends it, and the counts API read
from it equals the counts summed from checkin_counts activity by activity."""
import uuid
from datetime import datetime

from conftest import ZONE, assert_counts_exact, checkin, sync_body
from sqlalchemy import text

from lwpwa.activities.models import Activity
from lwpwa.extensions import db
from lwpwa.orgs.models import Org
from lwpwa.reports import rollup
from lwpwa.reports.counts import counted_activities, grouped_totals, unit_totals


def post_sync(client, headers, items):
    response = client.post("/api/v1/sync", json=sync_body(items), headers=headers)
    assert response.status_code == 200, response.get_json()
    return [r["status"] for r in response.get_json()["results"]]


def units_table():
    """{(campaign_id, org_id): (activities, attendee scanned, headcount, volunteer scanned, headcount)}."""
    rows = db.session.execute(text("SELECT campaign_id, org_id, activities, attendee_scanned, attendee_headcount,"
                                   " volunteer_scanned, volunteer_headcount FROM unit_counts"))
    return {(c, o): tuple(int(v) for v in values) for c, o, *values in rows if any(values)}


def assert_exact():
    db.session.commit()
    assert rollup.differences() == []
    db.session.rollback()
    return units_table()


def test_the_unit_counts_follow_every_write(client, make, unit, runner):
    other_org = make.org("140212")
    other_week = make.campaign()
    second = make.activity(unit.org, unit.campaign, theme="reading")
    codes = [make.resident()[1] for _ in range(4)]
    a, b = unit.activity.id, second.id
    assert assert_exact() == {(unit.campaign.id, unit.org.id): (2, 0, 0, 0, 0)}

    items = [checkin(a, code=codes[0]), checkin(a, code=codes[1]), checkin(a, headcount=3),
             checkin(b, code=codes[2], kind="volunteer"), checkin(b, code=codes[3])]
    assert post_sync(client, unit.headers, items) == ["accepted"] * 5
    assert assert_exact() == {(unit.campaign.id, unit.org.id): (2, 3, 3, 1, 0)}

    # The phone's undo and the site lead's void take their share off.
    undo = {"id": str(uuid.uuid4()), "kind": "void", "voids": items[0]["id"], "scanned_at": datetime.now(ZONE).isoformat()}
    assert post_sync(client, unit.headers, [undo]) == ["accepted"]
    assert client.post(f"/api/v1/checkins/{items[2]['id']}/void", json={"reason": "多记了"},
                       headers=unit.lead_headers).status_code == 200
    assert assert_exact() == {(unit.campaign.id, unit.org.id): (2, 2, 0, 1, 0)}

    # Cancelled: the activity and its counts leave the unit's row; restored: they come back.
    for cancelled, expected in ((True, (1, 1, 0, 1, 0)), (False, (2, 2, 0, 1, 0))):
        response = client.patch(f"/api/v1/activities/{a}", json={"is_cancelled": cancelled}, headers=unit.lead_headers)
        assert response.status_code == 200, response.get_json()
        assert assert_exact() == {(unit.campaign.id, unit.org.id): expected}

    # Moved to another unit and week (as a rescue tool would); an activity deleted.
    db.session.get(Activity, b).org_id, db.session.get(Activity, b).campaign_id = other_org.id, other_week.id
    assert assert_exact() == {(unit.campaign.id, unit.org.id): (1, 1, 0, 0, 0),
                              (other_week.id, other_org.id): (1, 1, 0, 1, 0)}
    spare = make.activity(other_org, other_week)
    assert assert_exact()[(other_week.id, other_org.id)] == (2, 1, 0, 1, 0)
    db.session.execute(text("DELETE FROM activities WHERE id = :id"), {"id": spare.id})
    assert assert_exact() == {(unit.campaign.id, unit.org.id): (1, 1, 0, 0, 0),
                              (other_week.id, other_org.id): (1, 1, 0, 1, 0)}

    # A rebuild of checkin_counts (recount --fix) goes through the triggers too.
    good = assert_exact()
    db.session.execute(text("UPDATE checkin_counts SET scanned = scanned + 5"))
    db.session.commit()
    assert assert_exact() == {(unit.campaign.id, unit.org.id): (1, 6, 0, 0, 0),  # follows, wrong as it is
                              (other_week.id, other_org.id): (1, 6, 0, 6, 0)}
    result = runner.invoke(args=["recount", "--fix"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert_counts_exact()
    assert assert_exact() == good


def test_recount_finds_a_corrupted_unit_row_and_fix_mends_it(client, make, unit, runner):
    post_sync(client, unit.headers, [checkin(unit.activity.id, code=make.resident()[1])])
    good = assert_exact()
    db.session.execute(text("UPDATE unit_counts SET attendee_scanned = 7"))
    db.session.execute(text("INSERT INTO unit_counts (campaign_id, org_id, activities) VALUES (999, 999, 1)"))
    db.session.commit()
    result = runner.invoke(args=["recount"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert (f"campaign {unit.campaign.id} unit {unit.org.id}: unit_counts activities=1 attendee_scanned=7 "
            "attendee_headcount=0 volunteer_scanned=0 volunteer_headcount=0, checkin_counts activities=1 "
            "attendee_scanned=1 attendee_headcount=0 volunteer_scanned=0 volunteer_headcount=0") in lines
    assert "campaign 999 unit 999: unit_counts activities=1 attendee_scanned=0 attendee_headcount=0 " \
           "volunteer_scanned=0 volunteer_headcount=0, checkin_counts no row" in lines
    assert "2 units' rows of unit_counts differ (recount --fix rebuilds it)" in lines
    result = runner.invoke(args=["recount", "--fix"])
    assert result.exit_code == 0, result.output
    assert "2 units' rows mended: unit_counts rebuilt from checkin_counts" in result.output
    db.session.rollback()
    assert assert_exact() == good
    assert runner.invoke(args=["recount"]).exit_code == 0


def test_counts_by_unit_and_region_read_from_unit_counts_equal_the_counter_rows(client, make):
    """The national week and a province's week under it; units in two provinces."""
    national = make.campaign(region_code="000000")
    week = make.campaign(region_code="140000")
    week.parent_id = national.id
    db.session.commit()
    orgs = [make.org("140105"), make.org("140212"), make.org("370102"), make.org("140105")]
    for n, (org, campaign) in enumerate(zip(orgs, (week, national, national, week))):
        volunteer = make.auth(make.user("volunteer", org=org))
        for m in range(2):
            activity = make.activity(org, campaign, theme="reading" if m else "smart_seniors")
            post_sync(client, volunteer, [checkin(activity.id, code=make.resident()[1]) for _ in range(n + m + 1)]
                      + [checkin(activity.id, headcount=n + 2, kind="volunteer" if m else "attendee")])
    make.activity(orgs[3], week, is_cancelled=True)
    for region in ("000000", "140000", "140100", "370000"):
        ids = counted_activities(national.id, region_code=region)
        for column in (Org.id, Org.region_code):
            assert sorted(unit_totals(national.id, region, column)) == sorted(grouped_totals(ids, column)), (region, column)
    assert sorted(unit_totals(week.id, "140000", Org.id)) == sorted(
        grouped_totals(counted_activities(week.id, region_code="140000"), Org.id))
