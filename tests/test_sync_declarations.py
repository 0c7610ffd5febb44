"""The sync declarations (lwpwa/checkins/declarations.py) decide every item as the hand-written
rule did before them, on both of their paths: the whole batch in one pydantic-core call, and
item by item. The rule they replaced is kept here, word for word, as the reference."""
import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lwpwa.api.body import parse_timestamp
from lwpwa.checkins import declarations, items
from lwpwa.residents import codes

KINDS = ("attendee", "volunteer")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


# --- the rule before the declarations (lwpwa/checkins/items.py at 54214c7) --------------------

def _uuid(value):
    if not isinstance(value, str) or len(value) > 64:
        return None
    if len(value) == 36 and _CANONICAL_UUID.match(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def previous_rule(data):
    """(valid, client_id, echo_id, activity_id, kind, code, headcount, device_scanned_at, voids)"""
    if not isinstance(data, dict):
        return (False, None, None, None, None, None, None, None, None)
    sent_id = data.get("id")
    client_id = _uuid(sent_id)
    echo_id = sent_id if client_id is not None or (isinstance(sent_id, (str, int)) and len(str(sent_id)) <= 64) else None
    kind = data.get("kind")
    scanned = parse_timestamp(data.get("scanned_at"))
    if kind == "void":
        voids = _uuid(data.get("voids"))
        if client_id is None or voids is None or scanned is None or voids == client_id:
            return (False, client_id, echo_id, None, None, None, None, scanned, None)
        return (True, client_id, echo_id, None, None, None, None, scanned, voids)
    activity_id, code, headcount = data.get("activity_id"), data.get("code"), data.get("headcount")
    kind = kind if kind in KINDS else None
    activity_id = activity_id if isinstance(activity_id, int) and not isinstance(activity_id, bool) \
        and 0 < activity_id < 2**31 else None
    has_code, has_headcount = code is not None, headcount is not None
    valid = (client_id is not None and activity_id is not None and kind is not None and scanned is not None
             and has_code != has_headcount)
    parsed_headcount = parsed_code = None
    if valid and has_headcount:
        valid = isinstance(headcount, int) and not isinstance(headcount, bool) and 1 <= headcount <= 10_000
        parsed_headcount = headcount if valid else None
    if valid and has_code:
        parsed_code = codes.parse(code)
        valid = parsed_code is not None
    return (valid, client_id, echo_id, activity_id, kind, parsed_code if valid else None,
            parsed_headcount if valid else None, scanned, None)


def as_tuple(item):
    return (item.status is None, item.client_id, item.echo_id, item.activity_id, item.kind, item.code,
            item.headcount, item.device_scanned_at, item.voids)


def same_time(a, b):
    return (a is None and b is None) or (a is not None and b is not None and a == b
                                         and a.utcoffset() == b.utcoffset()
                                         and a.replace(tzinfo=None) == b.replace(tzinfo=None))


def assert_same(item, data):
    expected, got = previous_rule(data), as_tuple(item)
    assert got[:7] == expected[:7] and got[8] == expected[8], (data, got, expected)
    assert same_time(got[7], expected[7]), (data, got[7], expected[7])


# --- what phones and other clients send --------------------------------------------------------

def _spellings(value):
    return st.sampled_from([value, value.upper(), value.replace("-", ""), "{" + value + "}",
                            "urn:uuid:" + value, value[:-1], value + " ", value.replace("-", "", 1)])


ids = st.uuids().map(str).flatmap(_spellings) | st.sampled_from([None, 5, True, "", "x" * 65, "\ud800"])
good_code = st.builds(lambda body: body + codes.check_character(body),
                      st.text(codes.ALPHABET, min_size=16, max_size=16))
code_texts = good_code.flatmap(lambda code: st.sampled_from([
    code, code.lower(), codes.grouped(code), code[:-1] + ("0" if code[-1] != "0" else "1"), code[:16],
    " " + code, code.replace("0", "O"), code + "\n"]))
times = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                     timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8)),
                                                timezone(timedelta(hours=-5, minutes=-30)),
                                                timezone(timedelta(hours=14))]))
time_texts = times.flatmap(lambda moment: st.sampled_from([
    moment.isoformat(), moment.isoformat(" "), moment.isoformat(timespec="milliseconds"),
    moment.isoformat(timespec="minutes"), moment.isoformat().replace("+00:00", "Z"),
    moment.replace(tzinfo=None).isoformat(), moment.isoformat() + "z", moment.isoformat().replace("-", "", 2),
    moment.isoformat(timespec="hours")])) | st.sampled_from(["1671067862", "", None, 1671067862, "2022-12-15"])
checkins = st.fixed_dictionaries(
    {"id": ids, "activity_id": st.sampled_from([1, 12, 0, -1, 2**31 - 1, 2**31, True, 1.0, "12", None]),
     "kind": st.sampled_from(["attendee", "volunteer", "void", "speaker", None]), "scanned_at": time_texts},
    optional={"code": code_texts | st.sampled_from([None, 5, ["list"], "A" * 100]),
              "headcount": st.sampled_from([None, 0, 1, 3, 10_000, 10_001, True, 2.0, "3"])})
undos = st.fixed_dictionaries({"id": ids, "kind": st.just("void"), "voids": ids, "scanned_at": time_texts})
anything = st.one_of(checkins, undos, st.sampled_from(["not an object", None, [1], 5]))
# Items that are valid but for now and then one field, as phones send them: the one call's
# own ground.
plausible_time = times.flatmap(lambda moment: st.sampled_from([
    moment.isoformat(), moment.isoformat(" "), moment.isoformat(timespec="milliseconds"),
    moment.isoformat().replace("+00:00", "Z"), moment.isoformat(timespec="hours")]))
plausible = st.one_of(
    st.fixed_dictionaries({"id": st.uuids().map(str).flatmap(lambda value: st.sampled_from([value, value, value.upper()])),
                           "activity_id": st.integers(1, 10**6), "kind": st.sampled_from(KINDS),
                           "scanned_at": plausible_time},
                          optional={"device": st.just("ignored")}).flatmap(lambda item: st.one_of(
                              st.builds(lambda code: {**item, "code": code}, code_texts),
                              st.builds(lambda n: {**item, "headcount": n, "code": None}, st.integers(0, 10_001)))),
    st.fixed_dictionaries({"id": st.uuids().map(str), "kind": st.just("void"), "voids": st.uuids().map(str),
                           "scanned_at": plausible_time}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(anything, max_size=6))
def test_every_item_is_decided_as_the_previous_rule_decided_it(batch):
    for item, data in zip(items.parse_batch(batch), batch, strict=True):
        assert_same(item, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(plausible, max_size=6) | st.lists(checkins | undos | plausible, max_size=6))
def test_a_batch_read_in_one_call_is_read_as_item_by_item(batch):
    """Where the one call takes the batch, its items are the ones parse_batch makes."""
    body = json.dumps({"device_id": "d", "sent_at": "2022-12-15T10:00:05+08:00", "checkins": batch})
    try:
        checked = declarations.SYNC_BATCH.validate_json(body)
    except ValueError:
        return  # an item that does not fit: read item by item (the other test)
    quick = [items._valid_item(index, item) for index, item in enumerate(checked["checkins"])]
    items._check_codes(quick, batch)
    for item, data in zip(quick, batch, strict=True):
        assert_same(item, data)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(declarations.TIME_PATTERN, fullmatch=True))
def test_the_quick_time_agrees_with_fromisoformat_wherever_it_takes_one(text):
    """A time in the pattern is parsed by pydantic-core: it must be what parse_timestamp reads
    (else the Python branch reads it)."""
    try:
        quick = declarations.SYNC_ITEM.validate_python(
            {"id": str(uuid.uuid4()), "kind": "void", "voids": str(uuid.uuid4()), "scanned_at": text})["scanned_at"]
    except ValueError:
        quick = None
    assert same_time(quick, parse_timestamp(text)), text


def test_the_check_characters_of_a_batch(app):
    good = [codes.new_code() for _ in range(50)]
    bad = [code[:-1] + ("0" if code[-1] != "0" else "1") for code in good[:5]]
    assert items.bad_check_characters(good) == []
    assert items.bad_check_characters([*good, *bad]) == list(range(50, 55))
    assert items.bad_check_characters([]) == []


def test_the_document_names_the_servers_batch_limit(app):
    app.config["SYNC_MAX_ITEMS"] = 250
    try:
        doc = app.test_client().get("/api/v1/openapi.json").get_json()
    finally:
        app.config["SYNC_MAX_ITEMS"] = 1000
    schemas = doc["components"]["schemas"]
    checkins = schemas["SyncRequest"]["properties"]["checkins"]
    assert checkins["maxItems"] == 250
    # Items should be SyncItems, and any other value is a result, not a refused batch.
    should, other = checkins["items"]["anyOf"]
    assert should == {"$ref": "#/components/schemas/SyncItem"} and set(other) == {"description"}
    assert schemas["SyncRequest"]["required"] == ["device_id", "sent_at", "checkins"]
    assert [part["$ref"] for part in schemas["SyncItem"]["oneOf"]] == [
        "#/components/schemas/SyncCheckin", "#/components/schemas/SyncVoid"]
    assert schemas["SyncCheckin"]["required"] == ["id", "activity_id", "kind", "scanned_at"]
    assert schemas["SyncVoid"]["required"] == ["id", "kind", "voids", "scanned_at"]
    assert schemas["VoidRequest"]["required"] == ["reason"]


@pytest.mark.parametrize("body, fields", [
    ({}, {"device_id": "This field is required.", "sent_at": "This field is required.",
          "checkins": "Must be a list of check-ins."}),
    ({"device_id": 5, "sent_at": "x", "checkins": {}},
     {"device_id": "Must be text.", "sent_at": "Must be an ISO 8601 date-time with a UTC offset.",
      "checkins": "Must be a list of check-ins."}),
    ({"device_id": " ", "sent_at": "0001-01-01T00:00:00+00:00", "checkins": None},
     {"device_id": "This field is required.", "checkins": "Must be a list of check-ins."}),
])
def test_the_envelopes_answers_are_the_validators(client, unit, body, fields):
    response = client.post("/api/v1/sync", json=body, headers={**unit.headers, "Accept-Language": "en"})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == fields
