"""An honest city and fraud cases on top of it, generated deterministically for the flag rules.

The honest city (`build_city`): 8 units of Taiyuan, 59 activities over the week of Monday
2026-11-16 (Asia/Shanghai): phone classes Mon–Fri for the same 25 seniors (three couples
arriving together each time), reading salons, seminars and hands-on sessions, lectures of up to
176, a week-long exhibition with 38 % of its visitors tallied as walk-ins, a Mon–Fri course entered as one activity, an
online lecture watched in a community room, exhibition visitors who go on to a salon elsewhere
40 minutes later, phones whose clocks are 7 minutes and 8 hours off, and a phone synced a day
late. Check-ins are inserted directly in the shape sync leaves them (both clocks, receipt
time, device, account), then `checkin_counts` is rebuilt from them as bench/stats.py does,
and every activity is marked dirty.

Each fraud function adds one dishonest pattern to a built city and returns what a bureau must
see: {"kind", "activity_ids"} (activities the flag must name).
"""
import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from lwpwa.accounts.service import create_user
from lwpwa.activities.models import Activity
from lwpwa.campaigns.models import Campaign
from lwpwa.checkins import counters
from lwpwa.checkins.models import Checkin
from lwpwa.extensions import db
from lwpwa.flags.dirty import mark_dirty
from lwpwa.orgs.models import Org
from lwpwa.residents.models import Resident

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 16, tzinfo=ZONE)
DISTRICTS = ("140105", "140106", "140107", "140108", "140109", "140110", "140121", "140122")


def at(day, hour, minute=0):
    """Local time on day `day` (0 = Monday) of the week."""
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


class City:
    def __init__(self, seed=2026):
        self.rng = random.Random(seed)
        self.rows = []
        self.campaign = Campaign(title=f"flag city {seed} {uuid.uuid4().hex[:6]}", region_code="140000",
                                 timezone="Asia/Shanghai", starts_on=MONDAY.date(),
                                 ends_on=(MONDAY + timedelta(days=6)).date())
        db.session.add(self.campaign)
        self.units, self.accounts, self.activities = [], {}, {}
        for index, district in enumerate(DISTRICTS):
            org = Org(name=f"诚信单位{index}-{uuid.uuid4().hex[:4]}", region_code=district)
            db.session.add(org)
            self.units.append(org)
        db.session.flush()
        for org in self.units:
            self.accounts[org.id] = [create_user(f"v{org.id}-{n}-{uuid.uuid4().hex[:4]}", "correct horse battery",
                                                 "volunteer", org_id=org.id) for n in range(3)]
        self.lead = {org.id: create_user(f"lead{org.id}-{uuid.uuid4().hex[:4]}", "correct horse battery",
                                         "site_lead", org_id=org.id) for org in self.units}
        db.session.flush()
        self.people = self.residents(2400)

    # --- building blocks --------------------------------------------------------------------
    def residents(self, n):
        first = db.session.scalar(select(db.func.coalesce(db.func.max(Resident.id), 0))) + 1
        db.session.execute(insert(Resident), [{"id": first + i, "source": "card"} for i in range(n)])
        return list(range(first, first + n))

    def activity(self, org, name, starts, hours, form="lecture", venue=None, mode="offline", capacity=None,
                 created=None):
        activity = Activity(campaign_id=self.campaign.id, org_id=org.id, theme="smart_seniors", name=name,
                            form=form, mode=mode, venue=venue if venue is not None else f"{org.name}活动室",
                            starts_at=starts, ends_at=starts + timedelta(hours=hours), capacity=capacity,
                            created_at=created or starts - timedelta(days=5))
        db.session.add(activity)
        db.session.flush()
        self.activities[activity.id] = activity
        return activity

    def scan(self, activity, when, resident=None, headcount=None, kind="attendee", account=None, device=None,
             clock_error=timedelta(0), received=None, status="accepted", resolved_by=None, resolved_at=None):
        account = account or self.accounts[activity.org_id][0]
        when = when.astimezone(ZONE)
        self.rows.append({
            "client_id": str(uuid.uuid4()), "device_id": device or f"phone-{account.id}", "recorded_by_id": account.id,
            "activity_id": activity.id, "kind": kind, "resident_id": resident, "headcount": headcount,
            "device_scanned_at": when + clock_error, "scanned_at": when,
            "received_at": received or when + timedelta(minutes=2), "day": when.date(), "status": status,
            "resolved_by_id": getattr(resolved_by, "id", None), "resolved_at": resolved_at})

    def queue(self, activity, people, start, spread_minutes=25, **fields):
        """People arriving at a door in random order at a human pace, from `start`."""
        people = list(people)
        self.rng.shuffle(people)
        self.queue_in_order(activity, people, start, spread_minutes, **fields)

    def queue_in_order(self, activity, people, start, spread_minutes=25, **fields):
        mean = spread_minutes * 60 / max(len(people), 1)
        moment = start
        for person in people:
            moment += timedelta(seconds=max(2.5, self.rng.expovariate(1 / mean)))
            self.scan(activity, moment, resident=person, **fields)

    def volunteers(self, activity, day_start, n):
        for person in self.rng.sample(self.people, n):
            self.scan(activity, day_start - timedelta(minutes=40), resident=person, kind="volunteer")

    def write(self):
        """Insert the gathered check-ins, rebuild the counts from them, mark every activity dirty."""
        if self.rows:
            db.session.execute(insert(Checkin), self.rows)
        self.rows = []
        counters.rebuild()
        mark_dirty(self.activities)
        db.session.commit()


def build_city(seed=2026):
    city = City(seed)
    rng, pool = city.rng, city.people
    u = city.units
    # Unit 0: phone classes for the same 25 seniors, three couples arriving together.
    seniors = pool[:25]
    couples = [(seniors[0], seniors[1]), (seniors[2], seniors[3]), (seniors[4], seniors[5])]
    for day in range(5):
        cls = city.activity(u[0], f"智能手机课{day + 1}", at(day, 9), 1.5, form="training", capacity=30)
        singles = seniors[6:]
        rng.shuffle(singles)
        order = [p for pair in couples for p in pair] + singles
        rng.shuffle(couples)
        city.queue_in_order(cls, order, at(day, 8, 45), 20)
        city.volunteers(cls, at(day, 9), 2)
    salon = city.activity(u[0], "读书沙龙", at(2, 14), 2, form="reading_salon")
    city.queue(salon, pool[30:45], at(2, 13, 50), 15)
    city.scan(salon, at(2, 14, 10), headcount=3)
    city.volunteers(salon, at(2, 14), 2)
    lecture = city.activity(u[0], "健康讲座", at(3, 19), 2, capacity=150)
    city.queue(lecture, pool[45:165], at(3, 18, 40), 30)
    city.volunteers(lecture, at(3, 19), 4)
    # Unit 1: a week-long exhibition (walk-ins tallied), salons, the lecture of 176 at two doors.
    expo = city.activity(u[1], "终身学习成果展", at(0, 9), 6 * 24 + 8, form="exhibition", venue="市图书馆展厅")
    for day in range(7):
        visitors = rng.sample(pool[200:900], 40)
        for hour in (9, 11, 15):
            city.queue(expo, visitors[:13] if hour == 9 else visitors[13:26] if hour == 11 else visitors[26:],
                       at(day, hour), 40, account=city.accounts[u[1].id][1])
        city.scan(expo, at(day, 16), headcount=25, account=city.accounts[u[1].id][1])  # ~38 % walk-ins
        city.volunteers(expo, at(day, 9), 3)
    # Exhibition visitors on Wednesday 13:00–13:20 who go on to unit 0's salon 40 minutes later.
    walkers = pool[1000:1008]
    city.queue(expo, walkers, at(2, 13), 20, account=city.accounts[u[1].id][1])
    city.queue(salon, walkers, at(2, 13, 55), 10)
    for day, name in ((1, "读书沙龙·周二"), (5, "读书沙龙·周六")):
        s = city.activity(u[1], name, at(day, 15), 2, form="reading_salon", venue="市图书馆三楼")
        city.queue(s, rng.sample(pool[900:1000], 20 - day), at(day, 14, 50), 15)
        city.volunteers(s, at(day, 15), 2)
    big = city.activity(u[1], "名家讲座", at(5, 14), 2, capacity=200, venue="市图书馆报告厅")
    audience = pool[1100:1276]
    doors = city.accounts[u[1].id]
    city.queue(big, audience[:90], at(5, 13, 30), 30, account=doors[0])
    city.queue(big, audience[90:166], at(5, 13, 30), 30, account=doors[2], clock_error=timedelta(hours=8))
    city.scan(big, at(5, 14, 5), headcount=10, account=doors[0])
    city.volunteers(big, at(5, 14), 6)
    # Unit 2: a Mon–Fri course entered as one activity, an online lecture, a lecture.
    course = city.activity(u[2], "老年大学周课程", at(0, 9), 4 * 24 + 2, form="training", capacity=40)
    students = pool[1300:1330]
    for day in range(5):
        city.queue(course, students, at(day, 8, 45), 20, clock_error=timedelta(minutes=7))
    online = city.activity(u[2], "线上讲座", at(2, 19), 1.5, mode="online", venue="线上")
    city.queue(online, pool[1330:1410], at(2, 18, 50), 25)
    lec2 = city.activity(u[2], "防诈骗讲座", at(1, 14), 2, capacity=120)
    # This phone synced a day late.
    city.queue(lec2, pool[1410:1500], at(1, 13, 40), 30)
    for row in city.rows[-90:]:
        row["received_at"] = row["scanned_at"] + timedelta(hours=26)
    # Units 3–7: nine ordinary activities each.
    kinds = (("lecture", 60, 180, 2), ("reading_salon", 10, 25, 2), ("seminar", 12, 20, 2), ("experience", 20, 40, 2),
             ("visit", 25, 35, 3), ("lecture", 40, 90, 2), ("reading_salon", 8, 18, 2), ("training", 20, 35, 2),
             ("experience", 15, 30, 2))
    # People of one time slot are drawn apart: nobody is at two activities at once.
    slots = {}
    for index, org in enumerate(u[3:], start=3):
        for n, (form, low, high, hours) in enumerate(kinds):
            day, hour = n % 7, (9, 14, 19)[(n + index) % 3]
            activity = city.activity(org, f"活动{index}-{n}", at(day, hour), hours, form=form,
                                     capacity=high + 20 if form == "lecture" else None)
            size = rng.randint(low, high)
            busy = slots.setdefault((day, hour), set())
            people = rng.sample([p for p in pool[1600:] if p not in busy], size)
            busy.update(people)
            city.queue(activity, people, at(day, hour) - timedelta(minutes=15), max(10, size // 6),
                       account=city.accounts[org.id][n % 2])
            if form in ("lecture", "visit"):
                city.scan(activity, at(day, hour, 5), headcount=rng.randint(1, 6))
            city.volunteers(activity, at(day, hour), rng.randint(1, 3))
    city.write()
    return city


# --- fraud cases, each returns what must be flagged -----------------------------------------------

def _copy(city, org, venue, mode="offline"):
    original = city.activity(org, "原讲座", at(3, 14), 2, capacity=150, venue="区文化馆")
    people = city.residents(60)
    city.queue(original, people, at(3, 13, 45), 20)
    copy = city.activity(org, "原讲座（副本）", at(3, 14), 2, capacity=150, venue=venue, mode=mode)
    for row in [r for r in city.rows if r["activity_id"] == original.id]:
        city.scan(copy, row["scanned_at"] + timedelta(seconds=40), resident=row["resident_id"],
                  account=city.accounts[org.id][1])
    return {"kind": "two_places", "activity_ids": {original.id, copy.id}}


def copied_to_another_venue(city):
    return _copy(city, city.units[3], "另一个社区")


def copied_to_the_same_venue(city):
    """Dodge: the copy says the same venue."""
    return _copy(city, city.units[3], "区文化馆")


def copied_as_online(city):
    """Dodge: the copy is declared online."""
    return _copy(city, city.units[3], "线上", mode="online")


def one_device_at_two_places(city):
    org = city.units[4]
    here = city.activity(org, "东区讲座", at(4, 9), 2, capacity=100, venue="东区")
    there = city.activity(org, "西区讲座", at(4, 9), 2, capacity=100, venue="西区")
    people = city.residents(60)
    account = city.accounts[org.id][2]
    for i, person in enumerate(people):
        city.scan(here if (i // 5) % 2 == 0 else there, at(4, 8, 40) + timedelta(seconds=20 * i), resident=person,
                  account=account, device="one-phone")
    return {"kind": "two_places", "activity_ids": {here.id, there.id}}


def one_account_on_two_phones(city):
    org = city.units[5]
    here = city.activity(org, "南区讲座", at(4, 14), 2, capacity=100, venue="南区")
    there = city.activity(org, "北区讲座", at(4, 14), 2, capacity=100, venue="北区")
    account = city.accounts[org.id][2]
    people = city.residents(80)
    for i, person in enumerate(people[:40]):
        city.scan(here, at(4, 13, 40) + timedelta(seconds=30 * i + 3), resident=person, account=account, device="p1")
    for i, person in enumerate(people[40:]):
        city.scan(there, at(4, 13, 40) + timedelta(seconds=30 * i + 17), resident=person, account=account, device="p2")
    return {"kind": "two_places", "activity_ids": {here.id, there.id}}


def three_hundred_cards_fourteen_times(city):
    """300 cards into 14 activities, two a day for 7 days, at a normal pace, order shuffled."""
    org = city.units[6]
    cards = city.residents(300)
    ids = set()
    for day in range(7):
        for slot, hour in enumerate((9, 15)):
            activity = city.activity(org, f"宣讲{day}-{slot}", at(day, hour), 2, capacity=320, venue=f"礼堂{slot}")
            ids.add(activity.id)
            city.queue(activity, cards, at(day, hour) - timedelta(minutes=20), 60,
                       account=city.accounts[org.id][2], device=f"hall-{slot}")
    return {"kind": "same_audience", "activity_ids": ids}


def replayed_fast(city):
    org = city.units[7]
    activity = city.activity(org, "快速讲座", at(2, 9), 2, capacity=100)
    for i, person in enumerate(city.residents(41)):
        city.scan(activity, at(2, 9) + timedelta(seconds=0.25 * i), resident=person, device="fast-phone")
    return {"kind": "replay", "activity_ids": {activity.id}}


def replayed_with_new_device_ids(city):
    """Dodge: a new device id every 30 scans."""
    org = city.units[7]
    activity = city.activity(org, "换机讲座", at(3, 9), 2, capacity=200)
    for i, person in enumerate(city.residents(120)):
        city.scan(activity, at(3, 9) + timedelta(seconds=0.3 * i), resident=person, device=f"rotating-{i // 30}",
                  account=city.accounts[org.id][2])
    return {"kind": "replay", "activity_ids": {activity.id}}


def replayed_in_the_same_order(city):
    org = city.units[3]
    cards = city.residents(40)
    ids = set()
    for n in range(3):
        activity = city.activity(org, f"顺序{n}", at(n, 10), 2, capacity=50, venue=f"教室{n}")
        ids.add(activity.id)
        city.queue_in_order(activity, cards, at(n, 9, 50), 20, account=city.accounts[org.id][2])
    return {"kind": "replay", "activity_ids": ids}


def one_account_all_day(city):
    org = city.units[4]
    ids = set()
    cards = city.residents(450)
    for n, hour in enumerate((8, 11, 14)):
        activity = city.activity(org, f"全天{n}", at(6, hour), 2, capacity=200, venue=f"全天{n}")
        ids.add(activity.id)
        city.queue(activity, cards[n * 150:(n + 1) * 150], at(6, hour) - timedelta(minutes=30), 120,
                   account=city.accounts[org.id][2])
    return {"kind": "replay", "activity_ids": ids}


def created_after_it_happened(city):
    org = city.units[5]
    activity = city.activity(org, "补建活动", at(1, 9), 2, capacity=60, created=at(3, 20))
    city.queue(activity, city.residents(30), at(1, 8, 50), 15)
    return {"kind": "late_entry", "activity_ids": {activity.id}}


def received_days_later(city):
    org = city.units[5]
    activity = city.activity(org, "迟报活动", at(2, 9), 2, capacity=60)
    city.queue(activity, city.residents(30), at(2, 8, 50), 15, received=at(6, 20))
    return {"kind": "late_entry", "activity_ids": {activity.id}}


def clock_set_back_days(city):
    org = city.units[6]
    activity = city.activity(org, "改时活动", at(3, 9), 2, capacity=60)
    city.queue(activity, city.residents(30), at(3, 8, 50), 15, clock_error=timedelta(days=-3), device="old-date")
    return {"kind": "late_entry", "activity_ids": {activity.id}}


def scanned_at_night(city):
    org = city.units[7]
    activity = city.activity(org, "夜间活动", at(2, 19), 2, capacity=60)
    city.queue(activity, city.residents(30), at(3, 1, 30), 20)  # 01:30–01:50, within sync's margin
    return {"kind": "after_hours", "activity_ids": {activity.id}}


def all_after_the_end(city):
    org = city.units[7]
    activity = city.activity(org, "事后补扫", at(4, 9), 2, capacity=60)
    city.queue(activity, city.residents(30), at(4, 11, 20), 40)  # after 11:00, within 90 minutes
    return {"kind": "after_hours", "activity_ids": {activity.id}}


def inside_the_six_hour_margin(city):
    """Dodge: scanned 5 hours before the start, inside the margin sync counts without asking."""
    org = city.units[6]
    activity = city.activity(org, "提前扫码", at(5, 15), 2, capacity=60)
    city.queue(activity, city.residents(30), at(5, 10), 20)
    return {"kind": "after_hours", "activity_ids": {activity.id}}


def tally_of_hundreds_at_a_salon(city):
    org = city.units[3]
    activity = city.activity(org, "小沙龙", at(4, 14), 2, form="reading_salon")
    city.queue(activity, city.residents(12), at(4, 13, 50), 10)
    city.scan(activity, at(4, 14, 20), headcount=300)
    return {"kind": "tally_share", "activity_ids": {activity.id}}


def tally_just_under_half(city):
    """Dodge: tallies at 48 %."""
    org = city.units[4]
    activity = city.activity(org, "半数计数", at(5, 9), 2, capacity=250)
    city.queue(activity, city.residents(100), at(5, 8, 40), 30)
    city.scan(activity, at(5, 9, 10), headcount=92)
    return {"kind": "tally_share", "activity_ids": {activity.id}}


def salon_of_five_hundred_without_capacity(city):
    """Dodge: leave capacity empty."""
    org = city.units[5]
    activity = city.activity(org, "大沙龙", at(6, 14), 2, form="reading_salon")
    city.queue(activity, city.residents(500), at(6, 13, 20), 90, account=city.accounts[org.id][2])
    return {"kind": "over_capacity", "activity_ids": {activity.id}}


def over_the_capacity(city):
    org = city.units[6]
    activity = city.activity(org, "超员讲座", at(6, 9), 2, capacity=50)
    city.queue(activity, city.residents(80), at(6, 8, 40), 30)
    return {"kind": "over_capacity", "activity_ids": {activity.id}}


def more_volunteers_than_attendees(city):
    org = city.units[7]
    activity = city.activity(org, "志愿者多", at(5, 9), 2, capacity=60)
    city.queue(activity, city.residents(20), at(5, 8, 45), 15)
    city.queue(activity, city.residents(30), at(5, 8, 20), 15, kind="volunteer")
    return {"kind": "volunteer_ratio", "activity_ids": {activity.id}}


def approved_far_off(city):
    org = city.units[3]
    activity = city.activity(org, "补签活动", at(1, 19), 2, capacity=60)
    city.queue(activity, city.residents(15), at(1, 9), 20, resolved_by=city.lead[org.id], resolved_at=at(2, 9))
    return {"kind": "far_approved", "activity_ids": {activity.id}}


FRAUDS = (copied_to_another_venue, copied_to_the_same_venue, copied_as_online, one_device_at_two_places,
          one_account_on_two_phones, three_hundred_cards_fourteen_times, replayed_fast,
          replayed_with_new_device_ids, replayed_in_the_same_order, one_account_all_day, created_after_it_happened,
          received_days_later, clock_set_back_days, scanned_at_night, all_after_the_end,
          inside_the_six_hour_margin, tally_of_hundreds_at_a_salon, tally_just_under_half,
          salon_of_five_hundred_without_capacity, over_the_capacity, more_volunteers_than_attendees,
          approved_far_off)
