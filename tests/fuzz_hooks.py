"""Schemathesis hooks of tests/test_fuzz_api.py: realistic values where validity depends on
the server's state, not on the request's shape.

JSON Schema cannot say "within the campaign's week" or "a unit you manage": an activity whose
times the generator drew in the year 2000 is refused (400) although it fits the document, and
schemathesis' positive_data_acceptance would count that against the server. So for requests
drawn as *valid* (never for the invalid ones, whose refusal is what is being tested) the ids
and times of new and changed activities are moved into the seeded unit's campaign; every other
field stays as drawn. The values come from the test, in LWPWA_FUZZ_* variables.
"""
import os
from datetime import datetime, timedelta

import schemathesis

STATEFUL_IDS = {"createActivity": ("campaign_id", "org_id")}
TIMED = ("createActivity", "updateActivity")


def _settings():
    return {
        "campaign_id": int(os.environ["LWPWA_FUZZ_CAMPAIGN_ID"]),
        "org_id": int(os.environ["LWPWA_FUZZ_ORG_ID"]),
        "starts_at": datetime.fromisoformat(os.environ["LWPWA_FUZZ_STARTS_AT"]),
    }


@schemathesis.hook
def map_case(context, case):
    operation_id = case.operation.definition.raw.get("operationId")
    if operation_id not in TIMED or case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    if not isinstance(case.body, dict):
        return case
    settings = _settings()
    body = dict(case.body)
    for name in STATEFUL_IDS.get(operation_id, ()):
        body[name] = settings[name]
    if "starts_at" in body or "ends_at" in body or operation_id == "createActivity":
        starts_at = settings["starts_at"]
        body["starts_at"] = starts_at.isoformat()
        body["ends_at"] = (starts_at + timedelta(hours=2)).isoformat()
    case.body = body
    return case
