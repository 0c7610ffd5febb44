"""Anomaly flags: each one found on crafted data, none raised on clean data, each page link
leading to evidence the bureau may see (and nothing outside its region)."""
from datetime import datetime, timedelta

import pytest
from conftest import ZONE, checkin, sync_body
from test_web_login import sign_in

from lwpwa.bureau import anomalies
from lwpwa.checkins.models import Checkin
from lwpwa.database import utcnow
from lwpwa.extensions import db
from lwpwa.regions.models import Region

START = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)


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
    w.other_org = make.org(region_code="140106")
    w.headers = make.auth(make.user("volunteer", org=w.org))
    w.other_headers = make.auth(make.user("volunteer", org=w.other_org))
    w.region = db.session.get(Region, "140100")
    return w


def activity(make, org, campaign, venue="社区活动室", mode="offline", **fields):
    """The factory's activity at a given venue and mode (the factory fixes both)."""
    made = make.activity(org, campaign, **fields)
    made.venue, made.mode = venue, mode
    db.session.commit()
    return made


def flags(w, kind):
    return anomalies.all_flags(w.campaign, w.region)[kind]


def test_clean_data_raises_no_flag(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(25)]
    # Same people, same time, same venue (two rooms listed as one venue): not two places at once.
    morning = activity(make, w.org, w.campaign, starts_at=START, venue="社区活动室", capacity=45)
    same_place = activity(make, w.other_org, w.campaign, starts_at=START, venue="社区活动室 ")
    # Later the same day, elsewhere, not overlapping; and an online class at the same time.
    evening = activity(make, w.org, w.campaign, starts_at=START + timedelta(hours=4), venue="图书馆")
    online = activity(make, w.other_org, w.campaign, starts_at=START, venue="线上", mode="online")
    assert set(sync(client, w.headers, [checkin(morning.id, code=c, scanned_at=START + timedelta(seconds=2 * i))
                                        for i, c in enumerate(people)])) == {"accepted"}
    sync(client, w.other_headers, [checkin(same_place.id, code=c) for c in people[:5]], device_id="device-2")
    sync(client, w.other_headers, [checkin(online.id, code=c) for c in people[:5]], device_id="device-2")
    sync(client, w.headers, [checkin(evening.id, code=c, scanned_at=START + timedelta(hours=4, minutes=1))
                             for c in people[:5]])
    # Tallies: 40 % of a big activity, and most of a tiny one.
    sync(client, w.headers, [checkin(morning.id, headcount=16)])
    tiny = activity(make, w.org, w.campaign, starts_at=START, venue="社区活动室")
    sync(client, w.headers, [checkin(tiny.id, code=people[0]), checkin(tiny.id, headcount=5)])
    # A held check-in that the lead rejected (it stays held, with the decision recorded).
    far = START + timedelta(hours=20)
    assert sync(client, w.headers, [checkin(morning.id, code=people[0], scanned_at=far)]) == ["held"]
    db.session.execute(db.update(Checkin).where(Checkin.status == "held").values(resolved_at=utcnow()))
    db.session.commit()
    assert anomalies.all_flags(w.campaign, w.region) == {kind: [] for kind in anomalies.KINDS}


def test_the_same_code_at_two_overlapping_activities_in_different_venues(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(3)]
    here = activity(make, w.org, w.campaign, starts_at=START, venue="小店社区学校")
    there = activity(make, w.other_org, w.campaign, starts_at=START + timedelta(hours=1), venue="迎泽图书馆")
    sync(client, w.headers, [checkin(here.id, code=c) for c in people])
    sync(client, w.other_headers, [checkin(there.id, code=c, scanned_at=START + timedelta(hours=1, minutes=5))
                                   for c in people[:2]], device_id="device-2")
    found = flags(w, "overlap")
    assert len(found) == 1
    assert (found[0]["activity_id"], found[0]["other_id"], found[0]["codes"]) == (here.id, there.id, 2)
    sign_in(client, make.user("bureau", region_code="140100").username)
    page = client.get(f"/region/activities/{there.id}").get_data(as_text=True)
    assert f'<a href="/region/activities/{here.id}">' in page


def test_attendance_above_capacity(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(4)]
    full = activity(make, w.org, w.campaign, capacity=3)
    roomy = activity(make, w.org, w.campaign, capacity=4)
    sync(client, w.headers, [checkin(full.id, code=c) for c in people[:3]] + [checkin(full.id, headcount=1)])
    sync(client, w.headers, [checkin(roomy.id, code=c) for c in people])
    assert [(f["activity_id"], f["capacity"], f["peak"]) for f in flags(w, "capacity")] == [(full.id, 3, 4)]


def test_tallies_making_up_most_of_the_attendance(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(9)]
    walk_ins = activity(make, w.org, w.campaign)
    sync(client, w.headers, [checkin(walk_ins.id, code=c) for c in people] + [checkin(walk_ins.id, headcount=12)])
    found = flags(w, "tally")
    assert [(f["activity_id"], f["scanned"], f["tally"], f["share"]) for f in found] == [(walk_ins.id, 9, 12, 57)]


def test_implausibly_fast_scanning_from_one_device(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(anomalies.FAST_SCANS + 1)]
    queue = activity(make, w.org, w.campaign)
    replay = activity(make, w.org, w.campaign)
    # A real queue: one scan every 0.6 s is 34 in 20 s: not flagged.
    sync(client, w.headers, [checkin(queue.id, code=c, scanned_at=START + timedelta(seconds=0.6 * i))
                             for i, c in enumerate(people)], device_id="queue-phone")
    assert flags(w, "fast_device") == []
    # The same 41 codes in 10 seconds from another device: 4 a second.
    sync(client, w.headers, [checkin(replay.id, code=c, scanned_at=START + timedelta(seconds=0.25 * i))
                             for i, c in enumerate(people)], device_id="replay-phone")
    found = flags(w, "fast_device")
    assert [(f["device_id"], f["activity_id"], f["burst_scans"]) for f in found] == [("replay-phone", replay.id, 41)]


def test_approved_check_ins_far_outside_the_activitys_time(client, make, taiyuan):
    w = taiyuan
    _r, code = make.resident()
    late = activity(make, w.org, w.campaign, starts_at=START, hours=2)
    far = START + timedelta(hours=2 + anomalies.FAR_HOURS + 3)
    assert sync(client, w.headers, [checkin(late.id, code=code, scanned_at=far)]) == ["held"]
    held = db.session.scalar(db.select(Checkin).where(Checkin.status == "held"))
    held.status, held.resolved_at, held.resolution_note = "accepted", utcnow(), "补录"
    db.session.commit()
    found = flags(w, "far_approved")
    assert [(f["activity_id"], f["checkins"]) for f in found] == [(late.id, 1)]
    sign_in(client, make.user("bureau", region_code="140000").username)
    page = client.get(f"/region/activities/{late.id}").get_data(as_text=True)
    assert 'id="far"' in page and "补录" in page


def test_the_flags_page_links_to_evidence_inside_the_region_only(client, make, taiyuan):
    w = taiyuan
    people = [make.resident()[1] for _ in range(3)]
    full = activity(make, w.org, w.campaign, capacity=2, name="爆满讲座")
    sync(client, w.headers, [checkin(full.id, code=c) for c in people], device_id="phone-7")
    sign_in(client, make.user("bureau", region_code="140100").username)
    html = client.get(f"/region/140100/anomalies?campaign={w.campaign.id}").get_data(as_text=True)
    assert 'id="flags-capacity" data-count="1"' in html and 'id="flags-overlap" data-count="0"' in html
    assert f'href="/region/activities/{full.id}"' in html
    evidence = client.get(f"/region/activities/{full.id}")
    page = evidence.get_data(as_text=True)
    assert evidence.status_code == 200 and "爆满讲座" in page and 'data-total="attendance">3<' in page
    assert "/region/140100/devices/phone-7" in page
    device = client.get(f"/region/140100/devices/phone-7?campaign={w.campaign.id}")
    assert device.status_code == 200 and "爆满讲座" in device.get_data(as_text=True)
    # Datong's bureau sees none of it.
    with client.session_transaction() as session:
        session.clear()
    sign_in(client, make.user("bureau", region_code="140200").username)
    assert client.get(f"/region/activities/{full.id}").status_code == 404
    assert client.get(f"/region/140100/anomalies?campaign={w.campaign.id}").status_code == 404
    assert client.get(f"/region/140200/devices/phone-7?campaign={w.campaign.id}").status_code == 404
    datong = client.get(f"/region/140200/anomalies?campaign={w.campaign.id}").get_data(as_text=True)
    assert 'id="flags-capacity" data-count="0"' in datong and "爆满讲座" not in datong


def test_a_fast_burst_across_two_aligned_windows_is_still_found(client, make, taiyuan):
    """The pre-filter looks at aligned 20 s buckets: a burst split 20 / 21 across two of them
    must still be flagged."""
    w = taiyuan
    people = [make.resident()[1] for _ in range(anomalies.FAST_SCANS + 1)]
    replay = activity(make, w.org, w.campaign)
    start = START + timedelta(seconds=11)  # START is on the hour: a multiple of 20 s
    sync(client, w.headers, [checkin(replay.id, code=c, scanned_at=start + timedelta(seconds=0.45 * i))
                             for i, c in enumerate(people)], device_id="split-burst")
    assert [f["device_id"] for f in flags(w, "fast_device")] == ["split-burst"]
