"""Flags kept as data through the real write paths: sync and the lead's approvals mark
activities dirty, the next read of the page or API brings the flags up to date, and they stay
equal to a full recomputation. The API, the explanation and review workflow, the edit history,
the thresholds page, the evidence pages and their scoping."""
from datetime import datetime, timedelta

import pytest
from conftest import ZONE, checkin, sync_body
from test_workspace_support import post, sign_in

from lwpwa.checkins.models import Checkin
from lwpwa.extensions import db
from lwpwa.flags import refresh, thresholds
from lwpwa.flags.models import ActivityEdit, Flag, FlagDirty, FlagEvent
from lwpwa.submissions.service import submit as submit_table

START = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
NO_NIGHT = {"after_hours_min": 100_000}


def sync(client, headers, items, device_id="device-1"):
    response = client.post("/api/v1/sync", json=sync_body(items, device_id=device_id), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [result["status"] for result in response.get_json()["results"]]


@pytest.fixture
def taiyuan(make):
    class World:
        pass

    w = World()
    w.campaign = make.campaign()
    w.org = make.org(region_code="140105")
    w.volunteer = make.user("volunteer", org=w.org)
    w.lead = make.user("site_lead", org=w.org)
    w.headers = make.auth(w.volunteer)
    w.bureau = make.user("bureau", region_code="140100")
    w.bureau_headers = make.auth(w.bureau)
    # The activities of these tests happen now, which is night after 22:00 in Shanghai: the
    # after-hours rule is out of their way (tests/test_flag_rules.py tests it).
    thresholds.save(w.campaign.id, {**thresholds.DEFAULTS, **NO_NIGHT}, w.bureau)
    db.session.commit()
    return w


def api_flags(client, w, region="140100", **params):
    query = "&".join(f"{k}={v}" for k, v in {"campaign_id": w.campaign.id, "region": region, **params}.items())
    response = client.get(f"/api/v1/anomalies?{query}", headers=w.bureau_headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def stored():
    return sorted((f.key, f.count, f.active) for f in db.session.scalars(db.select(Flag)))


def full_recompute(campaign):
    """What a recomputation of every activity finds: the reference flags are exact against."""
    refresh.refresh_all(campaign)
    db.session.commit()
    return stored()


def test_sync_marks_dirty_and_the_api_brings_the_flag_up_to_date(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(4)]
    full = make.activity(w.org, w.campaign, capacity=2, form="lecture")
    sync(client, w.headers, [checkin(full.id, code=c) for c in people[:2]])
    assert api_flags(client, w)["flags"] == []
    sync(client, w.headers, [checkin(full.id, code=c) for c in people[2:]])
    assert db.session.get(FlagDirty, full.id) is not None  # marked by the sync, in its transaction
    answer = api_flags(client, w)
    assert db.session.get(FlagDirty, full.id) is None
    assert answer["campaign_id"] == w.campaign.id and answer["region_code"] == "140100" and answer["pending"] == 0
    [flag] = answer["flags"]
    assert (flag["kind"], flag["org_id"], flag["activity_ids"], flag["count"]) == ("over_capacity", w.org.id, [full.id], 4)
    assert flag["detail"]["limit"] == 2 and flag["thresholds"]["capacity_lecture"] == 400
    assert flag["evidence_url"].endswith(f"/region/flags/{flag['id']}") and flag["status"] == "open"
    assert "device-1" not in str(flag["detail"]) and "resident" not in str(flag)
    assert stored() == full_recompute(w.campaign)


def test_the_api_refuses_what_it_should(client, make, taiyuan):
    w = taiyuan
    assert client.get(f"/api/v1/anomalies?region=140100", headers=w.bureau_headers).status_code == 400
    missing = client.get(f"/api/v1/anomalies?campaign_id={w.campaign.id}&region=140200", headers=w.bureau_headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/anomalies?campaign_id={w.campaign.id}&region=140100",
                      headers=make.auth(w.volunteer)).status_code == 403
    bad = client.get(f"/api/v1/anomalies?campaign_id={w.campaign.id}&include_inactive=2", headers=w.bureau_headers)
    assert bad.status_code == 400 and "include_inactive" in bad.get_json()["error"]["fields"]


def test_an_approval_far_off_raises_far_approved_and_stays_exact(client, make, taiyuan):
    w = taiyuan
    _r, code = make.resident()
    late = make.activity(w.org, w.campaign, starts_at=START, hours=2)
    assert sync(client, w.headers, [checkin(late.id, code=code, scanned_at=START + timedelta(hours=11))]) == ["held"]
    assert api_flags(client, w)["flags"] == []
    held = db.session.scalar(db.select(Checkin).where(Checkin.status == "held"))
    sign_in(client, w.lead)
    response = post(client, f"/unit/review/{held.id}", {"decision": "approve", "note": "补录"})
    assert response.status_code == 302
    kinds = sorted(f["kind"] for f in api_flags(client, w)["flags"])
    assert "far_approved" in kinds
    far = next(f for f in api_flags(client, w)["flags"] if f["kind"] == "far_approved")
    assert far["account_ids"] == [w.lead.id] and far["count"] == 1
    assert stored() == full_recompute(w.campaign)


def test_a_flag_that_no_longer_holds_is_kept_with_its_history(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(3)]
    small = make.activity(w.org, w.campaign, capacity=2)
    sync(client, w.headers, [checkin(small.id, code=c) for c in people])
    [flag] = api_flags(client, w)["flags"]
    # The lead raises the capacity after the first scan: over_capacity clears, the change is flagged.
    response = client.patch(f"/api/v1/activities/{small.id}", json={"capacity": 50}, headers=make.auth(w.lead))
    assert response.status_code == 200, response.get_data(as_text=True)
    kinds = {f["kind"]: f for f in api_flags(client, w)["flags"]}
    assert set(kinds) == {"changed_after_submission"}
    assert kinds["changed_after_submission"]["detail"]["fields"] == ["capacity"]
    cleared = {f["id"]: f for f in api_flags(client, w, include_inactive=1)["flags"]}[flag["id"]]
    assert cleared["active"] is False
    actions = [e.action for e in db.session.scalars(db.select(FlagEvent).where(FlagEvent.flag_id == flag["id"])
                                                    .order_by(FlagEvent.id))]
    assert actions == ["raised", "cleared"]
    [edit] = db.session.scalars(db.select(ActivityEdit)).all()
    assert (edit.field, edit.old, edit.new, edit.after_first_scan, edit.after_submission) == ("capacity", "2", "50", True, False)


def test_edits_before_the_first_scan_are_kept_but_raise_nothing(client, make, taiyuan):
    w = taiyuan
    planned = make.activity(w.org, w.campaign, capacity=20)
    lead = make.auth(w.lead)
    assert client.patch(f"/api/v1/activities/{planned.id}", json={"venue": "图书馆", "capacity": 30},
                        headers=lead).status_code == 200
    edits = db.session.scalars(db.select(ActivityEdit).order_by(ActivityEdit.field)).all()
    assert [(e.field, e.after_first_scan) for e in edits] == [("capacity", False), ("venue", False)]
    _r, code = make.resident()
    sync(client, w.headers, [checkin(planned.id, code=code)])
    assert api_flags(client, w)["flags"] == []
    # After the unit submitted its table, a venue change is flagged.
    submit_table(w.campaign, w.org, w.lead)
    db.session.commit()
    assert client.patch(f"/api/v1/activities/{planned.id}", json={"venue": "文化馆"}, headers=lead).status_code == 200
    [flag] = api_flags(client, w)["flags"]
    assert flag["kind"] == "changed_after_submission" and flag["detail"]["after_submission"] is True
    sign_in(client, w.bureau)
    page = client.get(f"/region/activities/{planned.id}").get_data(as_text=True)
    assert 'id="edits"' in page and "文化馆" in page and "图书馆" in page


def test_the_lead_explains_and_the_bureau_reviews(app, client, make, taiyuan):
    w = taiyuan
    resident, code = make.resident(display_name="张秀英")
    people = [code] + [make.resident()[1] for _ in range(2)]
    full = make.activity(w.org, w.campaign, capacity=2, name="爆满讲座")
    sync(client, w.headers, [checkin(full.id, code=c) for c in people], device_id="phone-7")
    [flag] = api_flags(client, w)["flags"]
    lead = app.test_client()
    sign_in(lead, w.lead)
    listing = lead.get("/unit/flags/").get_data(as_text=True)
    assert f'data-flag="{flag["id"]}"' in listing
    assert post(lead, f"/unit/flags/{flag['id']}/explain", {"explanation": ""}).status_code == 400
    response = post(lead, f"/unit/flags/{flag['id']}/explain", {"explanation": "加了椅子，临时扩容"})
    assert response.status_code == 302
    assert api_flags(client, w)["flags"][0]["status"] == "explained"
    bureau = app.test_client()
    sign_in(bureau, w.bureau)
    page = bureau.get(f"/region/flags/{flag['id']}").get_data(as_text=True)
    assert "加了椅子，临时扩容" in page and 'id="scans" data-count="3"' in page
    assert w.volunteer.username in page and "phone-7" in page and "张秀英" not in page
    assert "capacity_lecture" not in page and "400" in page  # thresholds shown by their labels
    assert post(bureau, f"/region/flags/{flag['id']}/review", {"note": ""}, ).status_code == 400
    assert post(bureau, f"/region/flags/{flag['id']}/review", {"note": "已核实"}).status_code == 302
    answer = api_flags(client, w)["flags"][0]
    assert (answer["status"], answer["review_note"], answer["explanation"]) == ("reviewed", "已核实", "加了椅子，临时扩容")
    history = bureau.get(f"/region/flags/{flag['id']}").get_data(as_text=True)
    assert history.index('data-action="raised"') < history.index('data-action="explained"') \
        < history.index('data-action="reviewed"')
    # Another unit's lead and another city's bureau see none of it.
    stranger = app.test_client()
    sign_in(stranger, make.user("site_lead", org=make.org(region_code="140106")))
    assert stranger.get(f"/unit/flags/{flag['id']}").status_code == 404
    assert post(stranger, f"/unit/flags/{flag['id']}/explain", {"explanation": "x"}).status_code == 404
    datong = app.test_client()
    sign_in(datong, make.user("bureau", region_code="140200"))
    assert datong.get(f"/region/flags/{flag['id']}").status_code == 404
    assert datong.get(f"/region/activities/{full.id}").status_code == 404
    assert 'id="flags-over_capacity" data-count="0"' in datong.get(
        f"/region/140200/anomalies?campaign={w.campaign.id}").get_data(as_text=True)


def test_the_page_lists_flags_by_kind_with_links(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(3)]
    full = make.activity(w.org, w.campaign, capacity=2, name="爆满讲座")
    sync(client, w.headers, [checkin(full.id, code=c) for c in people], device_id="phone-7")
    sign_in(client, w.bureau)
    html = client.get(f"/region/140100/anomalies?campaign={w.campaign.id}").get_data(as_text=True)
    assert 'id="flags-over_capacity" data-count="1"' in html and 'id="flags-two_places" data-count="0"' in html
    assert f'href="/region/activities/{full.id}"' in html
    page = client.get(f"/region/activities/{full.id}").get_data(as_text=True)
    assert "爆满讲座" in page and 'data-total="attendance">3<' in page and 'id="flags"' in page
    device = client.get(f"/region/140100/devices/phone-7?campaign={w.campaign.id}")
    assert device.status_code == 200 and "爆满讲座" in device.get_data(as_text=True)


def test_the_province_sets_thresholds_and_the_flags_follow(app, client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(20)]
    walk_ins = make.activity(w.org, w.campaign, capacity=100)
    sync(client, w.headers, [checkin(walk_ins.id, code=c) for c in people] + [checkin(walk_ins.id, headcount=25)])
    [flag] = api_flags(client, w)["flags"]
    assert (flag["kind"], flag["thresholds"]["tally_share"]) == ("tally_share", 30)
    city = app.test_client()
    sign_in(city, w.bureau)
    url = f"/region/140100/thresholds?campaign={w.campaign.id}"
    assert 'id="t-tally_share">30<' in city.get(url).get_data(as_text=True)
    assert post(city, url, {"tally_share": "60"}).status_code == 403
    province = app.test_client()
    sign_in(province, make.user("bureau", region_code="140000"))
    purl = f"/region/140000/thresholds?campaign={w.campaign.id}"
    form = province.get(purl).get_data(as_text=True)
    from lwpwa.flags.thresholds import DEFAULTS
    values = {name: str(value) for name, value in {**DEFAULTS, **NO_NIGHT}.items()}
    assert post(province, purl, {**values, "tally_share": "abc"}).status_code == 400
    assert post(province, purl, {**values, "tally_share": "101"}).status_code == 400
    assert post(province, purl, {**values, "tally_share": "60"}).status_code == 302
    assert 'value="60"' in province.get(purl).get_data(as_text=True) and "t-tally_share" in form
    assert api_flags(client, w)["flags"] == []
    assert post(province, purl, {**values, "tally_share": "40"}).status_code == 302
    [again] = api_flags(client, w)["flags"]
    assert again["id"] == flag["id"] and again["thresholds"]["tally_share"] == 40


def test_flags_refresh_brings_every_dirty_activity_up_to_date(client, make, runner, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(3)]
    full = make.activity(w.org, w.campaign, capacity=2)
    sync(client, w.headers, [checkin(full.id, code=c) for c in people])
    assert db.session.scalar(db.select(db.func.count()).select_from(FlagDirty)) == 1
    result = runner.invoke(args=["flags-refresh"])
    assert result.exit_code == 0, result.output
    assert f"campaign {w.campaign.id}: flags up to date" in result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(FlagDirty)) == 0
    assert [(f.kind, f.count) for f in db.session.scalars(db.select(Flag))] == [("over_capacity", 3)]
    again = runner.invoke(args=["flags-refresh", "--all", "--campaign", str(w.campaign.id)])
    assert again.exit_code == 0 and db.session.scalar(db.select(db.func.count()).select_from(FlagEvent)) == 1


def test_two_units_whose_phones_report_the_same_device_id_get_a_flag_each(client, make, taiyuan):
    w = taiyuan
    other_org = make.org(region_code="140106")
    other_headers = make.auth(make.user("volunteer", org=other_org))
    for org, headers in ((w.org, w.headers), (other_org, other_headers)):
        replay = make.activity(org, w.campaign, capacity=100)
        people = [make.resident()[1] for _ in range(41)]
        sync(client, headers, [checkin(replay.id, code=c, scanned_at=START + timedelta(seconds=0.25 * i))
                               for i, c in enumerate(people)], device_id="device-1")
    flags = [f for f in api_flags(client, w)["flags"] if f["kind"] == "replay" and f["device_ids"] == ["device-1"]]
    assert sorted(f["org_id"] for f in flags) == sorted([w.org.id, other_org.id])
    assert stored() == full_recompute(w.campaign)


def test_voids_bring_the_flags_down_and_they_stay_exact(client, make, taiyuan):
    """A copy scanned at once at another venue (two_places) and a tally of 300 at a salon: the
    lead voids the copy's scans and the tally; the flags clear, kept with their history."""
    w = taiyuan
    lead = make.auth(w.lead)
    people = [make.resident()[1] for _ in range(10)]
    here = make.activity(w.org, w.campaign, capacity=100)
    copy = make.activity(w.org, w.campaign, capacity=100)
    here.venue, copy.venue = "东区", "西区"  # the factory fixes one venue
    db.session.commit()
    salon = make.activity(w.org, w.campaign, form="reading_salon")
    sync(client, w.headers, [checkin(here.id, code=c, scanned_at=START + timedelta(seconds=20 * i))
                             for i, c in enumerate(people)])
    copied = [checkin(copy.id, code=c, scanned_at=START + timedelta(seconds=20 * i + 5)) for i, c in enumerate(people)]
    tally = checkin(salon.id, headcount=300)
    # Another volunteer on another phone (one account at both would be two_places by itself).
    second = make.auth(make.user("volunteer", org=w.org))
    sync(client, second, copied + [checkin(salon.id, code=people[0]), tally], device_id="device-2")
    kinds = sorted(f["kind"] for f in api_flags(client, w)["flags"])
    assert kinds == ["over_capacity", "tally_share", "two_places"]
    for item in copied[:4] + [tally]:
        response = client.post(f"/api/v1/checkins/{item['id']}/void", json={"reason": "扫错了活动"}, headers=lead)
        assert response.status_code == 200, response.get_data(as_text=True)
    # 6 of the copy's scans remain: fewer than the 8 people two places needs.
    assert api_flags(client, w)["flags"] == []
    cleared = api_flags(client, w, include_inactive=1)["flags"]
    assert sorted((f["kind"], f["active"]) for f in cleared) == [
        ("over_capacity", False), ("tally_share", False), ("two_places", False)]
    assert stored() == full_recompute(w.campaign)


def test_the_leads_page_brings_its_own_flags_up_to_date(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(3)]
    full = make.activity(w.org, w.campaign, capacity=2)
    sync(client, w.headers, [checkin(full.id, code=c) for c in people])
    sign_in(client, w.lead)
    page = client.get("/unit/flags/").get_data(as_text=True)
    [flag] = db.session.scalars(db.select(Flag)).all()
    assert f'data-flag="{flag.id}"' in page and db.session.get(FlagDirty, full.id) is None


def test_cancelling_a_counted_activity_after_submission_is_flagged(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(3)]
    full = make.activity(w.org, w.campaign, capacity=2)
    sync(client, w.headers, [checkin(full.id, code=c) for c in people])
    assert [f["kind"] for f in api_flags(client, w)["flags"]] == ["over_capacity"]
    submit_table(w.campaign, w.org, w.lead)
    db.session.commit()
    response = client.patch(f"/api/v1/activities/{full.id}", json={"is_cancelled": True}, headers=make.auth(w.lead))
    assert response.status_code == 200, response.get_data(as_text=True)
    [flag] = api_flags(client, w)["flags"]
    assert (flag["kind"], flag["detail"]["fields"], flag["detail"]["after_submission"]) == \
        ("changed_after_submission", ["is_cancelled"], True)


def test_times_moved_after_the_first_scan_are_flagged_beyond_the_margin(client, make, taiyuan):
    w = taiyuan
    lead = make.auth(w.lead)
    talk = make.activity(w.org, w.campaign, starts_at=START, hours=2, capacity=50)
    _r, code = make.resident()
    sync(client, w.headers, [checkin(talk.id, code=code)])
    overran = (START + timedelta(hours=2, minutes=20)).isoformat()
    assert client.patch(f"/api/v1/activities/{talk.id}", json={"ends_at": overran}, headers=lead).status_code == 200
    assert api_flags(client, w)["flags"] == []  # a lecture that ran 20 minutes over
    stretched = (START + timedelta(hours=8)).isoformat()
    assert client.patch(f"/api/v1/activities/{talk.id}", json={"ends_at": stretched}, headers=lead).status_code == 200
    [flag] = api_flags(client, w)["flags"]
    assert (flag["kind"], flag["count"], flag["detail"]["fields"]) == ("changed_after_submission", 1, ["ends_at"])
    edits = db.session.scalars(db.select(ActivityEdit).order_by(ActivityEdit.id)).all()
    assert [(e.field, e.after_first_scan) for e in edits] == [("ends_at", True), ("ends_at", True)]


def test_the_workspace_form_keeps_the_edit_history_too(client, make, taiyuan):
    """The form sends every field again, with local times: only what changed is recorded."""
    from test_workspace_activities import form_data
    w = taiyuan
    talk = make.activity(w.org, w.campaign, capacity=40)
    _r, code = make.resident()
    sync(client, w.headers, [checkin(talk.id, code=code)])
    sign_in(client, w.lead)

    class Unit:
        campaign = w.campaign
    data = form_data(Unit, capacity="400", venue=talk.venue, mode=talk.mode, form=talk.form,
                     starts_at=talk.starts_at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M"),
                     ends_at=talk.ends_at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M"))
    assert post(client, f"/unit/activities/{talk.id}/edit", data).status_code == 302
    edits = db.session.scalars(db.select(ActivityEdit)).all()
    assert [(e.field, e.old, e.new, e.user_id) for e in edits] == [("capacity", "40", "400", w.lead.id)]


def test_the_query_is_declared_repeats_empties_and_nulls(client, make, taiyuan):
    w = taiyuan
    url = f"/api/v1/anomalies?campaign_id={w.campaign.id}"
    twice = client.get(url + "&include_inactive=0&include_inactive=1", headers=w.bureau_headers)
    assert twice.status_code == 400 and set(twice.get_json()["error"]["fields"]) == {"include_inactive"}
    # Empty values are no values: the caller's region, active flags only.
    body = client.get(url + "&region=&include_inactive=", headers=w.bureau_headers).get_json()
    assert body["region_code"] == "140100" and body["flags"] == []
    bad = client.get(url + "&region=taiyuan", headers=w.bureau_headers)
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"region"}
    # An admin's own region is the whole country.
    assert client.get(url, headers=make.auth(make.user("admin"))).get_json()["region_code"] == "000000"
