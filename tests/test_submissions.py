"""Submitting a table: a snapshot with its time; a later change shows until resubmitted."""
from conftest import checkin, sync_body

from lwpwa.submissions import service


def test_submit_then_change_then_resubmit(client, unit, make):
    assert service.submission_status(unit.campaign, unit.org)[0] == service.MISSING
    first = service.submit(unit.campaign, unit.org, unit.lead)
    assert first.snapshot["totals"] == {"activities": 1, "attendance": 0, "volunteers": 0,
                                        "attendance_scanned": 0, "attendance_tallied": 0,
                                        "volunteers_scanned": 0, "volunteers_tallied": 0}
    assert service.submission_status(unit.campaign, unit.org) == (service.SUBMITTED, first)
    _r, code = make.resident()
    client.post("/api/v1/sync", json=sync_body([checkin(unit.activity.id, code=code)]), headers=unit.headers)
    status, latest = service.submission_status(unit.campaign, unit.org)
    assert status == service.CHANGED and latest.id == first.id
    second = service.submit(unit.campaign, unit.org, unit.lead)
    assert second.snapshot["totals"]["attendance"] == second.snapshot["totals"]["attendance_scanned"] == 1
    assert second.snapshot["activities"][0]["attendance_tallied"] == 0
    assert service.submission_status(unit.campaign, unit.org) == (service.SUBMITTED, second)
    unit.org.phone = "0351-7654321"
    assert service.submission_status(unit.campaign, unit.org)[0] == service.CHANGED
