"""A resident's own profile with their private key: rename, replace the code, see their own
attendance, delete themselves; counts never move."""
from datetime import datetime, timedelta

import pytest
from conftest import ZONE, checkin, sync_body

from lwpwa.extensions import db
from lwpwa.residents import codes
from lwpwa.residents.models import Resident


def me(resident):
    return {"Authorization": f"Resident {resident.key}"}


def sync(client, unit, *items, headers=None):
    response = client.post("/api/v1/sync", json=sync_body(list(items)), headers=headers or unit.headers)
    assert response.status_code == 200
    return [(r["status"], r["reason"]) for r in response.get_json()["results"]]


def stats(client, unit, activity=None):
    response = client.get(f"/api/v1/activities/{(activity or unit.activity).id}/stats",
                          headers=unit.lead_headers)
    assert response.status_code == 200
    return response.get_json()


def test_rename_change_age_group_and_community(client, make):
    resident, code = make.resident(display_name="张三", age_group="60_plus", community="坞城社区")
    response = client.patch("/api/v1/residents/me", headers=me(resident),
                            json={"display_name": "  张秀英 ", "community": None})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["display_name"], body["age_group"], body["community"], body["code"]) == \
        ("张秀英", "60_plus", None, code)
    response = client.patch("/api/v1/residents/me", headers=me(resident), json={"age_group": "18_59"})
    assert response.get_json()["age_group"] == "18_59"
    assert response.get_json()["display_name"] == "张秀英"  # untouched when absent
    assert client.patch("/api/v1/residents/me", headers=me(resident), json={}).status_code == 200


@pytest.mark.parametrize("body, code", [
    ({"display_name": "名" * 65}, "validation_error"),
    ({"display_name": 42}, "validation_error"),
    ({"community": "x\u0000y"}, "validation_error"),
    ({"community": "社" * 101}, "validation_error"),
    ({"age_group": "70_plus"}, "validation_error"),
    ({"age_group": "under_14"}, "guardian_consent_required"),
    ({"age_group": "under_14", "guardian_consent": False}, "guardian_consent_required"),
    ({"age_group": "under_14", "guardian_consent": "yes"}, "validation_error"),
])
def test_changes_are_validated_as_at_registration(client, make, body, code):
    resident, _code = make.resident(display_name="李四", age_group="18_59")
    response = client.patch("/api/v1/residents/me", headers=me(resident), json=body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == code
    db.session.refresh(resident)
    assert (resident.display_name, resident.age_group) == ("李四", "18_59")


def test_under_14_with_a_guardians_consent(client, make):
    resident, _code = make.resident(age_group="14_17")
    response = client.patch("/api/v1/residents/me", headers=me(resident),
                            json={"age_group": "under_14", "guardian_consent": True})
    assert response.status_code == 200 and response.get_json()["age_group"] == "under_14"
    db.session.refresh(resident)
    assert resident.guardian_consent_at is not None


def test_patch_needs_the_key_and_json(client, make):
    resident, _code = make.resident()
    assert client.patch("/api/v1/residents/me", json={"display_name": "x"}).status_code == 401
    response = client.patch("/api/v1/residents/me", headers=me(resident), data="not json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


def test_a_replaced_code_is_revoked_and_the_new_one_counts(client, make, unit):
    resident, old = make.resident(display_name="王五")
    assert sync(client, unit, checkin(unit.activity.id, code=old)) == [("accepted", None)]
    before = stats(client, unit)
    response = client.post("/api/v1/residents/me/code", headers=me(resident))
    assert response.status_code == 201
    body = response.get_json()
    new = body["code"]
    assert new != old and codes.parse(new) == new and body["code_display"] == codes.grouped(new)
    assert client.get("/api/v1/residents/me", headers=me(resident)).get_json()["code"] == new
    # The old code is refused at sync, on any later day too; the new one counts as the same person.
    assert sync(client, unit, checkin(unit.activity.id, code=old)) == [("rejected", "revoked_code")]
    assert sync(client, unit, checkin(unit.activity.id, code=new)) == [("duplicate", None)]
    assert stats(client, unit) == before
    other = make.activity(unit.org, unit.campaign)
    assert sync(client, unit, checkin(other.id, code=new)) == [("accepted", None)]
    assert stats(client, unit, other)["attendance"] == 1


def test_my_checkins_are_mine_only(client, make, unit):
    resident, code = make.resident(display_name="赵六")
    _other, other_code = make.resident(display_name="孙七")
    yesterday = make.activity(unit.org, unit.campaign, name="读书沙龙",
                              starts_at=datetime.now(ZONE).replace(microsecond=0) - timedelta(days=1))
    sync(client, unit,
         checkin(yesterday.id, code=code, scanned_at=yesterday.starts_at + timedelta(minutes=5)),
         checkin(unit.activity.id, code=code, kind="volunteer"),
         checkin(unit.activity.id, code=code, kind="volunteer"),  # a duplicate: not listed twice
         checkin(unit.activity.id, code=other_code),
         checkin(unit.activity.id, headcount=3))
    # After a replaced code the history keeps the check-ins of the old one.
    client.post("/api/v1/residents/me/code", headers=me(resident))
    response = client.get("/api/v1/residents/me/checkins", headers=me(resident))
    assert response.status_code == 200
    rows = response.get_json()["checkins"]
    today = datetime.now(ZONE).date()
    assert [(r["activity_name"], r["date"], r["kind"]) for r in rows] == [
        (unit.activity.name, today.isoformat(), "volunteer"),
        ("读书沙龙", (today - timedelta(days=1)).isoformat(), "attendee"),
    ]
    assert {r["org_name"] for r in rows} == {unit.org.name}
    assert {r["campaign_title"] for r in rows} == {unit.campaign.title}
    assert "孙七" not in response.get_data(as_text=True)
    assert other_code not in response.get_data(as_text=True)
    assert client.get("/api/v1/residents/me/checkins").status_code == 401


def test_delete_leaves_every_stats_figure_identical(client, make, unit):
    resident, code = make.resident(display_name="周八", age_group="60_plus")
    _kept, kept_code = make.resident()
    sync(client, unit, checkin(unit.activity.id, code=code), checkin(unit.activity.id, code=kept_code),
         checkin(unit.activity.id, code=code, kind="volunteer"), checkin(unit.activity.id, headcount=2))
    before = stats(client, unit)
    assert (before["attendance"], before["volunteers"], before["scanned"]) == (4, 1, 2)
    assert client.delete("/api/v1/residents/me", headers=me(resident)).status_code == 204
    assert stats(client, unit) == before
    assert sync(client, unit, checkin(unit.activity.id, code=code)) == [("rejected", "revoked_code")]
    assert stats(client, unit) == before
    assert db.session.get(Resident, resident.id).display_name is None


def test_code_replacement_is_limited_per_resident_not_per_address(client, make):
    resident, _code = make.resident()
    other, _other_code = make.resident()
    for _ in range(10):
        assert client.post("/api/v1/residents/me/code", headers=me(resident)).status_code == 201
    response = client.post("/api/v1/residents/me/code", headers=me(resident))
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert client.post("/api/v1/residents/me/code", headers=me(other)).status_code == 201
    # Every replaced code is revoked; only the last one lives.
    db.session.refresh(resident)
    assert [c.is_revoked for c in resident.codes] == [True] * 10 + [False]


def test_under_14_always_comes_with_the_guardians_consent(client, make):
    """As the document has it (if age_group is under_14, guardian_consent is true), whatever was
    given before: the answer never depends on what the client cannot see."""
    resident, _code = make.resident(age_group="under_14", guardian_consent=True)
    response = client.patch("/api/v1/residents/me", headers=me(resident), json={"age_group": "under_14"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "guardian_consent_required"
    response = client.patch("/api/v1/residents/me", headers=me(resident),
                            json={"age_group": "under_14", "guardian_consent": True, "display_name": "小明"})
    assert response.status_code == 200 and response.get_json()["display_name"] == "小明"
    # Other changes need nothing more; a null consent is no consent, and no error either.
    response = client.patch("/api/v1/residents/me", headers=me(resident),
                            json={"community": "坞城社区", "guardian_consent": None})
    assert response.status_code == 200 and response.get_json()["age_group"] == "under_14"
