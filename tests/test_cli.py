"""The command line of API.md: each command prints its new id alone on the last line."""
from lwpwa.accounts.models import User
from lwpwa.extensions import db
from lwpwa.residents import codes
from lwpwa.residents.models import Resident, SignInCode


def last_line(result):
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_init_db_is_safe_to_run_again(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == second.exit_code == 0, second.output
    assert "3244 regions" in second.output  # every GB/T 2260 code of the package, and the country


def test_create_campaign_org_user_and_cards(runner):
    campaign_id = last_line(runner.invoke(args=[
        "create-campaign", "--title", "Test 2026年山西省全民终身学习活动周", "--region", "140000",
        "--starts-on", "2026-12-10", "--ends-on", "2026-12-20", "--report-due-on", "2026-12-25"]))
    assert campaign_id.isdigit()
    org_id = last_line(runner.invoke(args=["create-org", "小店区社区学校", "--region", "140105"]))
    user_id = last_line(runner.invoke(args=["create-user", "Lead1", "--password", "long enough pw",
                                            "--role", "site_lead", "--org", org_id]))
    user = db.session.get(User, int(user_id))
    assert user.username == "lead1" and user.org_id == int(org_id)
    # Every user is a person with a sign-in code of their own.
    assert db.session.query(SignInCode).filter_by(resident_id=user.resident_id).count() == 1
    bureau_id = last_line(runner.invoke(args=["create-user", "taiyuan", "--password", "long enough pw",
                                              "--role", "bureau", "--region", "140100"]))
    assert db.session.get(User, int(bureau_id)).region_code == "140100"
    result = runner.invoke(args=["issue-cards", "5", "--org", org_id])
    printed = result.output.split()
    assert result.exit_code == 0 and len(printed) == 5 and all(codes.parse(c) == c for c in printed)
    cards = db.session.query(Resident).filter_by(source="card").all()
    assert len(cards) == 5 and all(r.display_name is None for r in cards)


def test_clear_errors_for_bad_input(runner):
    cases = [
        ["create-campaign", "--title", "Test x", "--region", "999999", "--starts-on", "2026-12-01", "--ends-on", "2026-12-02"],
        ["create-campaign", "--title", "Test x", "--region", "140000", "--starts-on", "12/01", "--ends-on", "2026-12-02"],
        ["create-campaign", "--title", "Test x", "--region", "140000", "--starts-on", "2026-12-05", "--ends-on", "2026-12-02"],
        ["create-campaign", "--title", "Test x", "--region", "140000", "--starts-on", "2026-12-01", "--ends-on", "2026-12-02", "--timezone", "Mars/Base"],
        ["create-org", "单位", "--region", "nope"],
        ["create-user", "v", "--password", "long enough pw", "--role", "volunteer"],
        ["create-user", "v", "--password", "short", "--role", "admin"],
        ["create-user", "b", "--password", "long enough pw", "--role", "bureau", "--region", "149999"],  # no such region (a county code is fine: 140105)
        ["issue-cards", "3", "--org", "424242"],
        ["issue-cards", "0", "--org", "1"],
    ]
    for args in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert "Error" in result.output and "Traceback" not in result.output, result.output


def test_duplicates_are_refused_by_the_database(runner):
    assert runner.invoke(args=["create-user", "same", "--password", "long enough pw", "--role", "admin"]).exit_code == 0
    again = runner.invoke(args=["create-user", "SAME", "--password", "long enough pw", "--role", "admin"])
    assert again.exit_code != 0 and "same" in again.output
    assert runner.invoke(args=["create-org", "同名单位", "--region", "140105"]).exit_code == 0
    assert runner.invoke(args=["create-org", "同名单位", "--region", "140105"]).exit_code != 0


def test_seed_demo_leaves_something_real_for_today(runner, client, app, tmp_path):
    app.instance_path = str(tmp_path)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "demo_lead" in result.output and "demo_volunteer" in result.output
    password = next(line.split()[-1] for line in result.output.splitlines() if " demo_volunteer " in line)
    token = client.post("/api/v1/auth/token", json={"username": "demo_volunteer", "password": password}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    from datetime import datetime

    from conftest import ZONE
    today = client.get(f"/api/v1/activities?on={datetime.now(ZONE).date()}", headers=headers).get_json()
    assert len(today) >= 2 and len({a["theme"] for a in today}) >= 2
    counts = [client.get(f"/api/v1/activities/{a['id']}/stats", headers=headers).get_json() for a in today]
    assert any(c["attendance"] > 0 and c["volunteers"] > 0 for c in counts)
    assert (tmp_path / "demo-logins.txt").read_text(encoding="utf-8").count("demo_") >= 7
    # A printable sheet of demo codes nobody has scanned yet, so a newcomer can scan at once.
    import re

    from lwpwa.residents.codes import parse
    sheet = (tmp_path / "demo-codes.html").read_text(encoding="utf-8")
    shown = re.findall(r"<figcaption>([0-9A-Z-]+)</figcaption>", sheet)
    assert len(shown) >= 8 and sheet.count("<svg") == len(shown) and "<script" not in sheet
    assert "demo-codes.html" in result.output
    now = datetime.now(ZONE).isoformat()
    answer = client.post("/api/v1/sync", headers=headers, json={"device_id": "newcomer", "sent_at": now, "checkins": [
        {"id": "0190c0de-0000-7000-8000-00000000de30", "activity_id": today[0]["id"], "kind": "attendee",
         "code": parse(shown[0]), "headcount": None, "scanned_at": today[0]["starts_at"]}]}).get_json()
    assert answer["results"][0]["status"] == "accepted", answer
    # Running it again changes nothing.
    assert "already present" in runner.invoke(args=["seed-demo"]).output
