"""A state machine drives the sync with random devices, batches, resends, orders, clock errors
and undos (kind `void`: of the same user's item, at most 15 minutes after it, in the batch of
its target or a later one); after every request the server's answers and stats must equal a
simple model, and the counts table must equal the recount from checkins."""
import random
import uuid
from datetime import datetime, time, timedelta

from conftest import ZONE, assert_counts_exact, sync_body
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

PEOPLE = 4


class SyncMachine(RuleBasedStateMachine):
    def __init__(self, client, make, campaign):
        super().__init__()
        self.client, self.make, self.campaign = client, make, campaign

    @initialize()
    def setup(self):
        org = self.make.org(name=f"模型单位{uuid.uuid4().hex[:6]}")
        other = self.make.org(name=f"别家{uuid.uuid4().hex[:6]}")
        self.headers = [self.make.auth(self.make.user("volunteer", org=org)) for _ in range(2)]
        # Two days long, starting at midnight yesterday: scans pick an hour well inside a day.
        midnight = datetime.combine(datetime.now(ZONE).date() - timedelta(days=1), time(0), ZONE)
        self.start = midnight
        self.activity = self.make.activity(org, self.campaign, starts_at=midnight, hours=48)
        self.foreign = self.make.activity(other, self.campaign, starts_at=midnight, hours=48)
        self.codes = [self.make.resident()[1] for _ in range(PEOPLE)]
        self.sent = {}  # id -> item
        self.decided = {}  # id -> (status, reason), the model's answer to it now
        self.state = {}  # check-in id -> {"device", "time", "key" or "tally"}, for undos
        self.counted = set()  # (kind, person, day)
        self.tallies = {"attendee": 0, "volunteer": 0}
        self.held = 0

    def predict(self, item, true_time):
        """The model: the first decision of an id is final; people count once per kind and day."""
        if item["activity_id"] == self.foreign.id:
            return "rejected", "forbidden_activity"
        if true_time < self.start - timedelta(hours=6) or true_time > self.start + timedelta(hours=54):
            self.held += 1
            return "held", None
        if "headcount" in item:
            self.tallies[item["kind"]] += item["headcount"]
            return "accepted", None
        key = (item["kind"], item["code"], true_time.date())
        if key in self.counted:
            return "duplicate", None
        self.counted.add(key)
        return "accepted", None

    def predict_undo(self, item, device, true_time):
        """An undo counts once: of the same device's user's counted item, 1 minute before to 15
        minutes after it; the item is then voided and its count taken off."""
        target = self.state.get(item["voids"])
        if target is None or target["device"] != device:
            return "rejected", "void_not_allowed"
        if self.decided[item["voids"]] == ("voided", None):
            return "duplicate", None
        if self.decided[item["voids"]] != ("accepted", None) or not (
                -timedelta(minutes=1) <= true_time - target["time"] <= timedelta(minutes=15)):
            return "rejected", "void_not_allowed"
        self.decided[item["voids"]] = ("voided", None)
        if "tally" in target:
            kind, headcount = target["tally"]
            self.tallies[kind] -= headcount
        else:
            self.counted.discard(target["key"])
        return "accepted", None

    @rule(data=st.data(),
          new=st.lists(st.tuples(st.integers(0, PEOPLE), st.sampled_from(["attendee", "volunteer"]),
                                 st.integers(0, 1), st.integers(1, 22), st.sampled_from(["own", "own", "foreign", "early"]),
                                 st.integers(1, 3)), max_size=6),
          resend=st.integers(0, 6),
          undos=st.lists(st.sampled_from([-2, 0, 5, 14, 16, 30]), max_size=3),
          clock_error_minutes=st.sampled_from([0, 3, -90, 24 * 60, -24 * 60, 7 * 24 * 60]),
          device=st.integers(0, 1), seed=st.integers(0, 10**6))
    def send_batch(self, data, new, resend, undos, clock_error_minutes, device, seed):
        error = timedelta(minutes=clock_error_minutes)
        batch, truths = [], {}
        for person, kind, day, hour, where, headcount in new:
            true_time = self.start + timedelta(days=day, hours=hour)
            if where == "early":
                true_time = self.start - timedelta(hours=8)
            item = {"id": str(uuid.uuid4()), "kind": kind,
                    "activity_id": self.foreign.id if where == "foreign" else self.activity.id,
                    "scanned_at": (true_time + error).isoformat()}
            if person == PEOPLE:
                item["headcount"] = headcount  # a tally
            else:
                item["code"] = self.codes[person]
            batch.append(item)
            truths[item["id"]] = true_time
        # Undos of earlier items or of this batch's, at a chosen time after the item's.
        targets = [item for item in [*self.sent.values(), *batch] if item["kind"] != "void"]
        for minutes in undos if targets else ():
            target = data.draw(st.sampled_from(targets))
            true_time = (truths.get(target["id"]) or self.state[target["id"]]["time"]) + timedelta(minutes=minutes)
            item = {"id": str(uuid.uuid4()), "kind": "void", "voids": target["id"],
                    "scanned_at": (true_time + error).isoformat()}
            batch.append(item)
            truths[item["id"]] = true_time
        old = list(self.sent.values())
        batch += [data.draw(st.sampled_from(old)) for _ in range(min(resend, len(old)))] if old else []
        random.Random(seed).shuffle(batch)

        response = self.client.post("/api/v1/sync", headers=self.headers[device],
                                    json=sync_body(batch, device_id=f"phone-{device}",
                                                   sent_at=datetime.now(ZONE) + error))
        assert response.status_code == 200, response.get_json()
        answers = [(r["id"], r["status"], r["reason"]) for r in response.get_json()["results"]]
        assert [a[0] for a in answers] == [item["id"] for item in batch]
        for item, (_id, status, reason) in zip(batch, answers):
            if item["id"] not in self.decided:  # decided in the order given
                if item["kind"] == "void":
                    self.decided[item["id"]] = self.predict_undo(item, device, truths[item["id"]])
                else:
                    self.decided[item["id"]] = self.predict(item, truths[item["id"]])
                    self.state[item["id"]] = {"device": device, "time": truths[item["id"]]}
                    if "headcount" in item:
                        self.state[item["id"]]["tally"] = (item["kind"], item["headcount"])
                    else:
                        self.state[item["id"]]["key"] = (item["kind"], item["code"], truths[item["id"]].date())
                self.sent[item["id"]] = item
            assert (status, reason) == self.decided[item["id"]], item

    @invariant()
    def stats_equal_the_model(self):
        if not hasattr(self, "activity"):
            return
        stats = self.client.get(f"/api/v1/activities/{self.activity.id}/stats", headers=self.headers[0]).get_json()
        people = {kind: sum(1 for k, _c, _d in self.counted if k == kind) for kind in ("attendee", "volunteer")}
        assert stats["attendance"] == people["attendee"] + self.tallies["attendee"]
        assert stats["volunteers"] == people["volunteer"] + self.tallies["volunteer"]
        assert stats["scanned"] == people["attendee"] and stats["headcount"] == self.tallies["attendee"]
        assert stats["held"] == self.held

    @invariant()
    def counts_table_equals_the_recount_and_the_model(self):
        """checkin_counts (which the stats read) equals the recount from checkins, row by row."""
        if not hasattr(self, "activity"):
            return
        table = {key: value for key, value in assert_counts_exact().items() if key[0] == self.activity.id}
        for kind in ("attendee", "volunteer"):
            days = {day for k, _c, day in self.counted if k == kind}
            scanned = {day.isoformat(): sum(1 for k, _c, d in self.counted if k == kind and d == day)
                       for day in days}
            assert {key[2]: value[0] for key, value in table.items() if key[1] == kind and value[0]} == scanned
            assert sum(value[1] for key, value in table.items() if key[1] == kind) == self.tallies[kind]


def test_the_sync_always_equals_the_model(client, make):
    campaign = make.campaign(days=10)
    run_state_machine_as_test(
        lambda: SyncMachine(client, make, campaign),
        settings=settings(max_examples=15, stateful_step_count=8, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))
