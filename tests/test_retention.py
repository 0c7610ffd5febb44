"""Retention: `flask anonymize --campaign ID` removes the personal data of the campaign's
residents not active after its report due date; every count stays identical, codes keep working."""
from datetime import datetime, time, timedelta

import pytest
from conftest import ZONE, checkin, sync_body

from lwpwa.extensions import db
from lwpwa.residents import service as residents
from lwpwa.residents.models import Resident

PERSONAL = ("display_name", "age_group", "community")


def sync(client, headers, *items):
    response = client.post("/api/v1/sync", json=sync_body(list(items)), headers=headers)
    assert response.status_code == 200
    return [r["status"] for r in response.get_json()["results"]]


def all_stats(client, headers, *activities):
    return [client.get(f"/api/v1/activities/{a.id}/stats", headers=headers).get_json() for a in activities]


def personal(resident):
    db.session.refresh(resident)
    return tuple(getattr(resident, name) for name in PERSONAL)


@pytest.fixture
def past(make, unit, client):
    """A campaign whose report was due 18 days ago, and who took part in it."""

    class Past:
        pass

    p = Past()
    today = datetime.now(ZONE).date()
    p.campaign = make.campaign(starts_on=today - timedelta(days=30), days=7)
    assert p.campaign.report_due_on == today - timedelta(days=18)
    p.activity = make.activity(unit.org, p.campaign,
                               starts_at=datetime.combine(p.campaign.starts_on, time(9), ZONE))
    p.on_due_day = make.activity(unit.org, p.campaign, starts_at=datetime.combine(
        p.campaign.report_due_on, time(9), ZONE))
    during = p.activity.starts_at + timedelta(minutes=30)
    p.gone, gone_code = make.resident(display_name="张三", age_group="60_plus", community="坞城社区")
    p.back, back_code = make.resident(display_name="李四", age_group="18_59")
    p.due_day, due_code = make.resident(display_name="王五")
    p.never, _never_code = make.resident(display_name="赵六")  # registered, never scanned: no campaign
    p.card = residents.mint_cards(unit.org, 1)[0]
    residents.attach_card_profile(p.card.resident, "孙奶奶", "60_plus", None)
    p.shandong_card = residents.mint_cards(make.org(region_code="370102"), 1)[0]
    residents.attach_card_profile(p.shandong_card.resident, "周爷爷", "60_plus", None)
    # All of them registered or got their card during the campaign.
    registered = datetime.combine(p.campaign.starts_on, time(8), ZONE)
    for person in (p.gone, p.back, p.due_day, p.never, p.card.resident, p.shandong_card.resident):
        person.created_at = person.consent_at = registered
    db.session.commit()
    p.volunteer_person = db.session.get(Resident, unit.volunteer.resident_id)
    assert sync(client, unit.headers,
                checkin(p.activity.id, code=gone_code, scanned_at=during),
                checkin(p.activity.id, code=back_code, scanned_at=during),
                checkin(p.activity.id, code=due_code, scanned_at=during),
                checkin(p.activity.id, code=residents.active_code(p.volunteer_person).code,
                        kind="volunteer", scanned_at=during),
                checkin(p.activity.id, headcount=4, scanned_at=during),
                checkin(p.on_due_day.id, code=due_code,
                        scanned_at=p.on_due_day.starts_at + timedelta(minutes=5)),
                # Active after the due date: at today's activity of the new campaign.
                checkin(unit.activity.id, code=back_code)) == ["accepted"] * 7
    p.codes = {"gone": gone_code, "back": back_code, "card": p.card.code}
    return p


def test_anonymize_removes_the_personal_data_of_the_inactive_and_no_count_moves(client, runner, unit, past):
    activities = (past.activity, past.on_due_day, unit.activity)
    before = all_stats(client, unit.lead_headers, *activities)
    assert before[0]["attendance"] == 7 and before[0]["volunteers"] == 1

    result = runner.invoke(args=["anonymize", "--campaign", str(past.campaign.id)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "3"

    assert personal(past.gone) == (None, None, None)
    assert personal(past.due_day) == (None, None, None)  # the due day itself is not "after"
    assert personal(past.card.resident) == (None, None, None)  # a card of the campaign's region
    assert personal(past.back) == ("李四", "18_59", None)  # active after the due date
    assert personal(past.never) == ("赵六", None, None)
    assert personal(past.shandong_card.resident) == ("周爷爷", "60_plus", None)  # another province
    assert all_stats(client, unit.lead_headers, *activities) == before

    # Codes stay usable: a card in a wallet or a code on a phone works next year.
    next_day = [checkin(unit.activity.id, code=code) for code in past.codes.values()]
    assert sync(client, unit.headers, *next_day) == ["accepted", "duplicate", "accepted"]
    # The private key still opens what is left, so the resident can still delete it.
    me = client.get("/api/v1/residents/me", headers={"Authorization": f"Resident {past.gone.key}"})
    assert me.status_code == 200 and me.get_json()["display_name"] is None

    again = runner.invoke(args=["anonymize", "--campaign", str(past.campaign.id)])
    assert again.exit_code == 0 and again.output.strip().splitlines()[-1] == "0"


def test_a_dry_run_counts_and_changes_nothing(runner, past):
    result = runner.invoke(args=["anonymize", "--campaign", str(past.campaign.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "3"
    assert personal(past.gone) == ("张三", "60_plus", "坞城社区")


def test_only_after_the_report_due_date(runner, make, unit, past):
    result = runner.invoke(args=["anonymize", "--campaign", str(unit.campaign.id)])
    assert result.exit_code != 0 and "due" in result.output
    unit.campaign.report_due_on = None
    db.session.commit()
    result = runner.invoke(args=["anonymize", "--campaign", str(unit.campaign.id)])
    assert result.exit_code != 0 and "due date" in result.output
    result = runner.invoke(args=["anonymize", "--campaign", "999999"])
    assert result.exit_code != 0 and "no campaign" in result.output
    assert personal(past.gone) == ("张三", "60_plus", "坞城社区")


def test_a_rejected_or_held_scan_after_the_due_date_is_not_activity(client, runner, unit, past):
    # Held: scanned far outside the activity's hours; not counted, so not activity.
    far = datetime.now(ZONE) - timedelta(days=3)
    assert sync(client, unit.headers, checkin(unit.activity.id, code=past.codes["gone"],
                                              scanned_at=far)) == ["held"]
    result = runner.invoke(args=["anonymize", "--campaign", str(past.campaign.id)])
    assert result.exit_code == 0 and personal(past.gone) == (None, None, None)


def test_a_profile_made_or_given_after_the_due_date_stays(client, runner, make, unit, past):
    new_card = residents.mint_cards(unit.org, 1)[0]  # minted today, for this year's week
    residents.attach_card_profile(new_card.resident, "吴奶奶", "60_plus", None)
    # An old card of the region, whose holder gave a profile only today, at a visit.
    old_card = past.card.resident
    residents.attach_card_profile(old_card, "孙奶奶", "60_plus", "坞城社区")
    db.session.commit()
    result = runner.invoke(args=["anonymize", "--campaign", str(past.campaign.id)])
    assert result.exit_code == 0 and result.output.strip().splitlines()[-1] == "2"
    assert personal(new_card.resident) == ("吴奶奶", "60_plus", None)
    assert personal(old_card) == ("孙奶奶", "60_plus", "坞城社区")
    assert personal(past.gone) == (None, None, None)
