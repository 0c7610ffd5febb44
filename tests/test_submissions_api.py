"""A submission is the record: numbered versions, accept / return with their 409s, the
fingerprint (校验码) of the frozen content, files that verify and changed files that do not, and
`basis=submitted` counting each unit's latest version whatever was synced since."""
import base64
import hashlib
import io
import json
import threading

import pytest
from conftest import assert_counts_exact, checkin, sync_body
from openpyxl import load_workbook

from lwpwa.extensions import db
from lwpwa.submissions import locks, service
from lwpwa.submissions.models import Submission

FIGURES = ("attendance", "attendance_scanned", "attendance_tallied", "volunteers", "volunteers_scanned",
           "volunteers_tallied")


def sync(client, headers, activity, codes=(), tally=0, volunteers=()):
    items = [checkin(activity.id, code=c) for c in codes]
    items += [checkin(activity.id, code=c, kind="volunteer") for c in volunteers]
    if tally:
        items.append(checkin(activity.id, headcount=tally))
    assert client.post("/api/v1/sync", json=sync_body(items), headers=headers).status_code == 200


def submit(client, org, campaign, headers):
    return client.post(f"/api/v1/orgs/{org.id}/submissions", json={"campaign_id": campaign.id}, headers=headers)


@pytest.fixture
def city(client, make):
    """Taiyuan: two units with a lead and check-ins; a Taiyuan bureau; a Datong unit."""
    campaign = make.campaign()
    units = {}
    for key, code in (("xiaodian", "140105"), ("yingze", "140106"), ("datong", "140213")):
        org = make.org(region_code=code, name=f"单位-{key}")
        lead = make.user("site_lead", org=org)
        volunteer = make.user("volunteer", org=org)
        activity = make.activity(org, campaign, theme="reading")
        sync(client, make.auth(volunteer), activity, [make.resident()[1] for _ in range(3)], tally=2,
             volunteers=[make.resident()[1]])
        units[key] = {"org": org, "lead": make.auth(lead), "volunteer": make.auth(volunteer), "activity": activity}
    bureau = make.auth(make.user("bureau", region_code="140100"))
    return campaign, units, bureau


def test_a_submission_is_a_numbered_version_with_the_fingerprint_of_its_frozen_content(client, city):
    campaign, units, _bureau = city
    unit = units["xiaodian"]
    response = submit(client, unit["org"], campaign, unit["lead"])
    assert response.status_code == 201
    first = response.get_json()
    assert (first["version"], first["status"], first["org_id"], first["campaign_id"]) == (
        1, "submitted", unit["org"].id, campaign.id)
    assert first["totals"] == {"activities": 1, "attendance": 5, "attendance_scanned": 3, "attendance_tallied": 2,
                               "volunteers": 1, "volunteers_scanned": 1, "volunteers_tallied": 0}
    assert first["submitted_at"] and first["submitted_by"]
    stored = db.session.get(Submission, first["id"])
    canonical = json.dumps(stored.snapshot, sort_keys=True, ensure_ascii=False).encode("utf-8")
    assert first["fingerprint"] == hashlib.sha256(canonical).hexdigest()
    assert stored.snapshot["version"] == 1 and stored.snapshot["activities"][0]["attendance_tallied"] == 2

    second = submit(client, unit["org"], campaign, unit["lead"]).get_json()
    assert second["version"] == 2 and second["fingerprint"] != first["fingerprint"]  # the number is frozen too
    listed = client.get(f"/api/v1/orgs/{unit['org'].id}/submissions?campaign_id={campaign.id}",
                        headers=unit["lead"]).get_json()
    assert [v["version"] for v in listed] == [2, 1] and not any(v["changed_since"] for v in listed)
    assert all(key in listed[0] for key in ("comment", "decided_by", "decided_at", "status"))
    sync(client, unit["volunteer"], unit["activity"], tally=4)
    listed = client.get(f"/api/v1/orgs/{unit['org'].id}/submissions?campaign_id={campaign.id}",
                        headers=unit["lead"]).get_json()
    assert [v["changed_since"] for v in listed] == [True, True]
    assert db.session.get(Submission, first["id"]).snapshot == stored.snapshot  # never rewritten


def test_who_submits_and_reads_versions(client, make, city):
    campaign, units, bureau = city
    org = units["xiaodian"]["org"]
    url = f"/api/v1/orgs/{org.id}/submissions"
    assert client.post(url, json={"campaign_id": campaign.id}, headers=units["xiaodian"]["volunteer"]).status_code == 403
    assert client.post(url, json={"campaign_id": campaign.id}, headers=bureau).status_code == 403
    assert client.post(url, json={"campaign_id": campaign.id}, headers=units["datong"]["lead"]).status_code == 404
    assert client.post(url, json={}, headers=units["xiaodian"]["lead"]).status_code == 400
    assert client.post(url, json={"campaign_id": 987654}, headers=units["xiaodian"]["lead"]).status_code == 404
    shandong = make.campaign(region_code="370000")
    assert client.post(url, json={"campaign_id": shandong.id}, headers=units["xiaodian"]["lead"]).status_code == 404
    assert client.post(url, data="nope", headers=units["xiaodian"]["lead"]).status_code == 400
    assert submit(client, org, campaign, units["xiaodian"]["lead"]).status_code == 201
    query = f"{url}?campaign_id={campaign.id}"
    assert len(client.get(query, headers=bureau).get_json()) == 1
    assert len(client.get(query, headers=units["xiaodian"]["volunteer"]).get_json()) == 1
    assert client.get(query, headers=make.auth(make.user("bureau", region_code="140200"))).status_code == 404
    assert client.get(query, headers=units["datong"]["lead"]).status_code == 404


def test_accept_return_and_their_409s(client, make, city):
    campaign, units, bureau = city
    unit = units["xiaodian"]
    org = unit["org"]
    first = submit(client, org, campaign, unit["lead"]).get_json()
    accept, give_back = (f"/api/v1/submissions/{first['id']}/accept", f"/api/v1/submissions/{first['id']}/return")
    assert client.post(accept, json={}, headers=unit["lead"]).status_code == 403
    assert client.post(accept, json={}, headers=make.auth(make.user("bureau", region_code="140200"))).status_code == 404
    response = client.post(give_back, json={}, headers=bureau)
    assert response.status_code == 400 and "comment" in response.get_json()["error"]["fields"]
    assert client.post(give_back, json={"comment": "   "}, headers=bureau).status_code == 400
    returned = client.post(give_back, json={"comment": "志愿者人数请核实"}, headers=bureau)
    assert returned.status_code == 200
    body = returned.get_json()
    assert (body["status"], body["comment"]) == ("returned", "志愿者人数请核实")
    assert body["decided_by"] and body["decided_at"]
    assert client.post(give_back, json={"comment": "again"}, headers=bureau).status_code == 409
    assert client.post(accept, json={}, headers=bureau).status_code == 409
    assert not locks.table_accepted(org.id, campaign.id)

    # The unit corrects and submits again: version 2; version 1 can no longer be decided.
    sync(client, unit["volunteer"], unit["activity"], volunteers=[make.resident()[1]])
    second = submit(client, org, campaign, unit["lead"]).get_json()
    assert second["version"] == 2 and second["totals"]["volunteers"] == 2
    third = submit(client, org, campaign, unit["lead"]).get_json()
    stale = client.post(f"/api/v1/submissions/{second['id']}/accept", json={}, headers=bureau)
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "not_latest"
    accepted = client.post(f"/api/v1/submissions/{third['id']}/accept", json={"comment": "好"}, headers=bureau)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    again = client.post(f"/api/v1/submissions/{third['id']}/accept", json={}, headers=bureau)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_decided"
    assert locks.table_accepted(org.id, campaign.id)
    refused = submit(client, org, campaign, unit["lead"])
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "table_accepted"
    province = make.auth(make.user("bureau", region_code="140000"))
    assert client.post(f"/api/v1/submissions/{third['id']}/return", json={"comment": "x"},
                       headers=province).status_code == 409
    assert client.post("/api/v1/submissions/987654/accept", json={}, headers=bureau).status_code == 404
    assert_counts_exact()


def test_submits_at_once_get_distinct_numbers(app, city):
    """Four requests submitting the same table at once (threads, each its own request and
    transaction): four versions, 1 to 4, none lost and none twice."""
    campaign, units, _bureau = city
    org_id, campaign_id, headers = units["xiaodian"]["org"].id, campaign.id, units["xiaodian"]["lead"]
    db.session.commit()
    barrier = threading.Barrier(4)
    statuses = []

    def one():
        client = app.test_client()
        barrier.wait()
        try:
            with app.app_context():
                statuses.append(client.post(f"/api/v1/orgs/{org_id}/submissions",
                                            json={"campaign_id": campaign_id}, headers=headers).status_code)
        except Exception as exc:  # noqa: BLE001 - shown in the assertion
            statuses.append(repr(exc))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 4
    versions = db.session.scalars(db.select(Submission.version).where(Submission.org_id == org_id)).all()
    assert sorted(versions) == [1, 2, 3, 4]


def test_basis_submitted_is_the_sum_of_the_latest_versions_after_further_syncs(client, make, city):
    campaign, units, bureau = city
    for key in ("xiaodian", "yingze"):
        assert submit(client, units[key]["org"], campaign, units[key]["lead"]).status_code == 201
    frozen = {key: db.session.scalar(db.select(Submission).where(Submission.org_id == units[key]["org"].id))
              for key in ("xiaodian", "yingze")}
    # After submitting: more scans, a tally, a new activity. The submitted basis does not move.
    sync(client, units["xiaodian"]["volunteer"], units["xiaodian"]["activity"], [make.resident()[1]], tally=7)
    extra = make.activity(units["yingze"]["org"], campaign, theme="smart_seniors")
    sync(client, units["yingze"]["volunteer"], extra, [make.resident()[1]])
    base = f"/api/v1/stats?campaign_id={campaign.id}&region=140100"
    live = client.get(base + "&group_by=org", headers=bureau).get_json()
    assert live["basis"] == "live" and live["totals"]["attendance"] == 5 + 5 + 8 + 1
    body = client.get(base + "&group_by=org&basis=submitted", headers=bureau).get_json()
    assert body["basis"] == "submitted"
    expected = {figure: sum(s.snapshot["totals"][figure] for s in frozen.values()) for figure in FIGURES}
    assert {figure: body["totals"][figure] for figure in FIGURES} == expected
    assert body["totals"]["attendance"] == 10 and body["totals"]["units_missing"] == 0
    assert body["totals"]["activities"] == 2
    rows = {row["key"]: row for row in body["rows"]}
    mine = rows[str(units["xiaodian"]["org"].id)]
    assert mine["submission"]["version"] == 1 and mine["submission"]["status"] == "submitted"
    assert {figure: mine[figure] for figure in FIGURES} == {
        figure: frozen["xiaodian"].snapshot["totals"][figure] for figure in FIGURES}
    for group_by in ("theme", "day", "city", "county"):
        grouped = client.get(base + f"&group_by={group_by}&basis=submitted", headers=bureau).get_json()
        assert {figure: sum(row[figure] for row in grouped["rows"]) for figure in FIGURES} == expected, group_by
    counties = {row["key"]: row for row in client.get(base + "&group_by=county&basis=submitted",
                                                      headers=bureau).get_json()["rows"]}
    assert counties["140105"]["attendance"] == 5 and counties["140106"]["attendance"] == 5
    assert counties["140107"]["attendance"] == 0 and counties["140105"]["label"] == "小店区"

    # A unit that never submitted counts nothing and is missing; the province sees it.
    province = make.auth(make.user("bureau", region_code="140000"))
    shanxi = client.get(f"/api/v1/stats?campaign_id={campaign.id}&region=140000&group_by=org&basis=submitted",
                        headers=province).get_json()
    assert shanxi["totals"]["units_missing"] == 1 and shanxi["totals"]["attendance"] == 10
    (datong,) = [row for row in shanxi["rows"] if row["key"] == str(units["datong"]["org"].id)]
    assert datong["submission"] is None and datong["attendance"] == 0
    # A new version replaces the old one in the submitted basis.
    submit(client, units["xiaodian"]["org"], campaign, units["xiaodian"]["lead"])
    again = client.get(base + "&group_by=org&basis=submitted", headers=bureau).get_json()
    assert again["totals"]["attendance"] == 13 + 5  # xiaodian now 5 + 1 + 7; yingze still its version 1
    csv_text = client.get(base + "&group_by=org&basis=submitted&format=csv", headers=bureau).data.decode("utf-8-sig")
    assert csv_text.splitlines()[0].endswith("submission_version,submission_status,submission_submitted_at")
    assert client.get(base + "&basis=frozen", headers=bureau).status_code == 400


def test_the_etag_tells_the_bases_apart(client, city):
    campaign, units, bureau = city
    submit(client, units["xiaodian"]["org"], campaign, units["xiaodian"]["lead"])
    base = f"/api/v1/stats?campaign_id={campaign.id}&group_by=org"
    live = client.get(base, headers=bureau).headers["ETag"]
    submitted = client.get(base + "&basis=submitted", headers=bureau)
    assert submitted.headers["ETag"] != live
    assert client.get(base + "&basis=submitted", headers={**bureau, "If-None-Match": submitted.headers["ETag"]}
                      ).status_code == 304


def stamp_of(ws):
    return [str(ws.cell(r, 1).value) for r in range(1, ws.max_row + 1)
            if str(ws.cell(r, 1).value or "").startswith(("校验码", "报送版本", "说明"))]


def test_a_version_downloaded_carries_its_fingerprint_and_figures_a_changed_file_does_not_verify(client, make, city):
    campaign, units, bureau = city
    unit = units["xiaodian"]
    org = unit["org"]
    xlsx = f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}"
    live = load_workbook(io.BytesIO(client.get(xlsx, headers=unit["lead"]).data)).worksheets[0]
    assert [line for line in stamp_of(live) if line.startswith("说明")] and "尚未报送" in stamp_of(live)[0]
    first = submit(client, org, campaign, unit["lead"]).get_json()
    # Unchanged: the live download is version 1, with its 校验码.
    now = client.get(xlsx, headers=unit["lead"]).data
    assert f"校验码：{first['fingerprint']}" in stamp_of(load_workbook(io.BytesIO(now)).worksheets[0])
    sync(client, unit["volunteer"], unit["activity"], tally=9)
    changed = load_workbook(io.BytesIO(client.get(xlsx, headers=unit["lead"]).data)).worksheets[0]
    assert not any(line.startswith("校验码") for line in stamp_of(changed))
    assert any("不是报送版本" in line for line in stamp_of(changed))
    # Version 1 asked for: its own figures (5, not 14) and fingerprint, whatever was synced since.
    data = client.get(xlsx + "&version=1", headers=bureau).data
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "活动主题")
    assert ws.cell(header + 4, ws.max_column).value == 5 and ws.cell(header + 6, ws.max_column).value == 2
    assert f"校验码：{first['fingerprint']}" in stamp_of(ws)
    assert client.get(xlsx + "&version=7", headers=bureau).status_code == 404

    found = client.get(f"/api/v1/submissions/verify?fingerprint={first['fingerprint']}", headers=bureau)
    assert found.status_code == 200
    body = found.get_json()
    assert (body["org_id"], body["version"], body["campaign_id"], body["org_name"]) == (
        org.id, 1, campaign.id, "单位-xiaodian")
    assert body["totals"]["attendance"] == 5
    # Any bureau may check a fingerprint (a paper copy travels); a unit only its own.
    assert client.get(f"/api/v1/submissions/verify?fingerprint={first['fingerprint']}",
                      headers=make.auth(make.user("bureau", region_code="370000"))).status_code == 200
    assert client.get(f"/api/v1/submissions/verify?fingerprint={first['fingerprint']}",
                      headers=unit["volunteer"]).status_code == 200
    assert client.get(f"/api/v1/submissions/verify?fingerprint={first['fingerprint']}",
                      headers=units["datong"]["lead"]).status_code == 404
    assert client.get("/api/v1/submissions/verify?fingerprint=" + "0" * 64, headers=bureau).status_code == 404
    assert client.get("/api/v1/submissions/verify?fingerprint=xyz", headers=bureau).status_code == 400
    assert client.get("/api/v1/submissions/verify", headers=bureau).status_code == 400

    # The file itself: as downloaded it verifies; one figure changed, it does not.
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    checked = client.post("/api/v1/submissions/verify", data=data, headers=bureau, content_type=xlsx_type).get_json()
    assert checked["valid"] is True and checked["submission"]["version"] == 1
    workbook = load_workbook(io.BytesIO(data))
    workbook.worksheets[0].cell(header + 4, workbook.worksheets[0].max_column).value = 50
    edited = io.BytesIO()
    workbook.save(edited)
    checked = client.post("/api/v1/submissions/verify", json={"xlsx_base64": base64.b64encode(edited.getvalue()).decode()},
                          headers=bureau).get_json()
    assert checked["valid"] is False and checked["problem"] == "changed"
    assert checked["fingerprint"] == first["fingerprint"]
    assert {(d["expected"], d["found"]) for d in checked["differences"]} == {("5", "50")}
    live_file = client.get(xlsx, headers=unit["lead"]).data
    assert client.post("/api/v1/submissions/verify", data=live_file, headers=bureau,
                       content_type=xlsx_type).get_json()["problem"] == "no_fingerprint"
    assert client.post("/api/v1/submissions/verify", data=b"not a workbook", headers=bureau,
                       content_type=xlsx_type).get_json()["problem"] == "not_xlsx"
    assert client.post("/api/v1/submissions/verify", data=b"", headers=bureau, content_type=xlsx_type).status_code == 400
    assert client.post("/api/v1/submissions/verify", data=b"{", headers=bureau).get_json()["error"]["code"] == \
        "invalid_json"
    assert client.post("/api/v1/submissions/verify", json={"xlsx_base64": "%%%"}, headers=bureau).status_code == 400


def test_the_region_table_takes_the_basis_and_the_unit_version_column(client, city):
    campaign, units, bureau = city
    submit(client, units["xiaodian"]["org"], campaign, units["xiaodian"]["lead"])
    sync(client, units["xiaodian"]["volunteer"], units["xiaodian"]["activity"], tally=3)
    url = f"/api/v1/regions/140100/report.xlsx?campaign_id={campaign.id}"
    for basis, attendance in (("live", 8 + 5), ("submitted", 5)):
        workbook = load_workbook(io.BytesIO(client.get(url + f"&basis={basis}", headers=bureau).data))
        ws = workbook.worksheets[0]
        header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "活动主题")
        assert ws.cell(header + 4, ws.max_column).value == attendance, basis
    by_unit = workbook.worksheets[1]
    assert by_unit.cell(1, by_unit.max_column).value == "报送版本"
    labels = {by_unit.cell(r, 1).value: by_unit.cell(r, by_unit.max_column).value for r in range(2, by_unit.max_row)}
    assert labels == {"单位-xiaodian": "第1版（已报送）", "单位-yingze": "未报送"}
    assert client.get(url + "&basis=nope", headers=bureau).status_code == 400


def test_a_version_from_before_the_split_rows_still_counts(client, city):
    """Versions stored before migration 0005 have no summary and a snapshot without the split
    and the days: the submitted basis sums the snapshot itself, parts unknown (0)."""
    campaign, units, bureau = city
    org = units["xiaodian"]["org"]
    old = {"campaign_id": campaign.id, "org": {"id": org.id, "name": org.name},
           "activities": [{"id": units["xiaodian"]["activity"].id, "theme": "reading", "name": "旧活动",
                           "form": "lecture", "attendance": 40, "volunteers": 2, "news_links": []}],
           "totals": {"activities": 1, "attendance": 40, "volunteers": 2}}
    db.session.add(Submission(org_id=org.id, campaign_id=campaign.id, version=1, status="submitted",
                              fingerprint=service.fingerprint(old), snapshot=old))
    db.session.commit()
    base = f"/api/v1/stats?campaign_id={campaign.id}&region=140100&basis=submitted"
    body = client.get(base + "&group_by=theme", headers=bureau).get_json()
    assert body["totals"]["attendance"] == 40 and body["totals"]["attendance_scanned"] == 0
    assert {row["key"]: row["attendance"] for row in body["rows"]}["reading"] == 40
    assert client.get(base + "&group_by=org", headers=bureau).get_json()["rows"][0]["submission"]["version"] == 1
    listed = client.get(f"/api/v1/orgs/{org.id}/submissions?campaign_id={campaign.id}", headers=bureau).get_json()
    assert listed[0]["changed_since"] is True
    found = client.get(f"/api/v1/submissions/verify?fingerprint={service.fingerprint(old)}", headers=bureau)
    assert found.status_code == 200 and found.get_json()["version"] == 1


def test_the_answers_fit_the_openapi_document(client, make, city):
    from test_openapi import Api

    campaign, units, bureau = city
    api = Api(client, client.get("/api/v1/openapi.json").get_json())
    unit = units["xiaodian"]
    org_path = f"/api/v1/orgs/{unit['org'].id}/submissions"
    created = api.call("post", "/api/v1/orgs/{org_id}/submissions", 201, path=org_path,
                       json={"campaign_id": campaign.id}, headers=unit["lead"])
    api.call("get", "/api/v1/orgs/{org_id}/submissions", 200, path=f"{org_path}?campaign_id={campaign.id}",
             headers=bureau)
    api.call("get", "/api/v1/submissions/{submission_id}", 200, path=f"/api/v1/submissions/{created['id']}",
             headers=bureau)
    api.call("get", "/api/v1/submissions/verify", 200,
             path=f"/api/v1/submissions/verify?fingerprint={created['fingerprint']}", headers=bureau)
    api.call("post", "/api/v1/submissions/{submission_id}/return", 400,
             path=f"/api/v1/submissions/{created['id']}/return", json={}, headers=bureau)
    api.call("post", "/api/v1/submissions/{submission_id}/accept", 200,
             path=f"/api/v1/submissions/{created['id']}/accept", json={"comment": "好"}, headers=bureau)
    api.call("post", "/api/v1/submissions/{submission_id}/accept", 409,
             path=f"/api/v1/submissions/{created['id']}/accept", json={}, headers=bureau)
    api.call("post", "/api/v1/orgs/{org_id}/submissions", 409, path=org_path, json={"campaign_id": campaign.id},
             headers=unit["lead"])
    api.call("get", "/api/v1/stats", 200, path=f"/api/v1/stats?campaign_id={campaign.id}&basis=submitted",
             headers=bureau)
    region = api.call("post", "/api/v1/regions/{code}/submissions", 201, path="/api/v1/regions/140100/submissions",
                      json={"campaign_id": campaign.id}, headers=bureau)
    assert region["totals"]["units_missing"] == 1
    api.call("get", "/api/v1/regions/{code}/submissions", 200,
             path=f"/api/v1/regions/140100/submissions?campaign_id={campaign.id}", headers=bureau)
    api.call("post", "/api/v1/submissions/{submission_id}/accept", 403,
             path=f"/api/v1/submissions/{region['id']}/accept", json={}, headers=bureau)
    data = client.get(f"/api/v1/orgs/{unit['org'].id}/report.xlsx?campaign_id={campaign.id}&version=1",
                      headers=bureau).data
    checked = api.call("post", "/api/v1/submissions/verify", 200, json={"xlsx_base64": base64.b64encode(data).decode()},
                       headers=bureau)
    assert checked["valid"] is True


def test_a_counter_row_voided_to_nothing_is_no_change(client, city):
    """A scan and its void, both after the submission, leave the figures as submitted: the
    table has not changed (a counter row at 0 says nothing)."""
    from datetime import date

    from lwpwa.checkins.models import CheckinCount

    campaign, units, _bureau = city
    unit = units["xiaodian"]
    submit(client, unit["org"], campaign, unit["lead"])
    db.session.add(CheckinCount(activity_id=unit["activity"].id, kind="attendee", day=date(2030, 1, 1),
                                scanned=0, headcount=0))
    db.session.commit()
    assert service.submission_status(campaign, unit["org"])[0] == service.SUBMITTED


def test_bodies_and_queries_are_declared_nulls_repeats_and_empties(client, make, city):
    campaign, units, bureau = city
    unit = units["xiaodian"]
    url = f"/api/v1/orgs/{unit['org'].id}/submissions"

    def fields(response):
        assert response.status_code == 400, response.get_data(as_text=True)
        return set(response.get_json()["error"]["fields"])

    # The document forbids null, a text or a boolean for campaign_id; 1.0 is JSON Schema's integer 1.
    for bad in (None, str(campaign.id), True, 1.5, 2**31):
        assert fields(client.post(url, json={"campaign_id": bad}, headers=unit["lead"])) == {"campaign_id"}, bad
    first = client.post(url, json={"campaign_id": float(campaign.id)}, headers=unit["lead"])
    assert first.status_code == 201
    version = first.get_json()
    # A return needs a comment (null is none), without control characters; an acceptance may send null.
    give_back = f"/api/v1/submissions/{version['id']}/return"
    for bad in (None, "", "  ", "请\x07核实", 12):
        assert fields(client.post(give_back, json={"comment": bad}, headers=bureau)) == {"comment"}, repr(bad)
    accepted = client.post(f"/api/v1/submissions/{version['id']}/accept", json={"comment": None}, headers=bureau)
    assert accepted.status_code == 200 and accepted.get_json()["comment"] is None

    # Queries: a repeat is refused by name, an empty value is no value.
    listed = f"{url}?campaign_id={campaign.id}"
    assert fields(client.get(listed + f"&campaign_id={campaign.id}", headers=unit["lead"])) == {"campaign_id"}
    assert client.get(listed + "&unknown=", headers=unit["lead"]).status_code == 200
    assert fields(client.get(f"{url}?campaign_id=", headers=unit["lead"])) == {"campaign_id"}
    verify = "/api/v1/submissions/verify?fingerprint="
    fingerprint = version["fingerprint"]
    assert fields(client.get(verify + fingerprint + "&fingerprint=" + fingerprint, headers=bureau)) == {"fingerprint"}
    assert fields(client.get(verify, headers=bureau)) == {"fingerprint"}
    # As a person types it: either case, spaces around it.
    typed = client.get(verify + f"%20{fingerprint.upper()}%0A", headers=bureau)
    assert typed.status_code == 200 and typed.get_json()["id"] == version["id"]

    # The file to check: canonical base64 of something, as a file part, or the body itself.
    check = "/api/v1/submissions/verify"
    for bad in (None, "", "AAA", "AAAA\n", "QQ==QQ==", 7):
        assert fields(client.post(check, json={"xlsx_base64": bad}, headers=bureau)) == {"xlsx_base64"}, repr(bad)
    assert client.post(check, json={"xlsx_base64": "QUJD"}, headers=bureau).get_json()["problem"] == "not_xlsx"
    assert fields(client.post(check, data={"other": "x"}, headers=bureau, content_type="multipart/form-data")) == {
        "file", "other"}
    sent = client.post(check, data={"file": (io.BytesIO(b"not a workbook"), "t.xlsx")}, headers=bureau,
                       content_type="multipart/form-data")
    assert sent.status_code == 200 and sent.get_json()["problem"] == "not_xlsx"
