"""The rest of issue 13's walk-through in the app: a typed pairing code, "my volunteer code",
activities marked 进行中 / 已结束 / 未开始, another unit's activity link explained."""
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from .helpers import ZONE
from .pages import sign_in, wait_for_service_worker
from .test_pairing import pairing_payload


def test_typed_pairing_code_and_my_volunteer_code(live_server, launch, new_context):
    payload = pairing_payload(live_server, "volunteer2")
    context = new_context(launch())
    page = context.new_page()
    page.goto("/app/")
    page.fill("#pair-code", "  " + payload.removeprefix("LWPAIR:") + " ")  # as typed, without the prefix
    page.click("#pair-submit")
    expect(page.locator("header .who")).to_have_text("volunteer2")

    page.click("#open-volunteer-code")
    expect(page.locator("h1")).to_have_text("我的志愿者码")
    expect(page.locator("#volunteer-qr")).to_be_visible()
    shown = page.locator("#volunteer-code-text").inner_text().replace("-", "").replace("\n", "")
    from lwpwa.accounts.models import User
    from lwpwa.extensions import db
    from lwpwa.residents.models import SignInCode
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "volunteer2"))
        own = db.session.scalar(select(SignInCode.code).where(SignInCode.resident_id == user.resident_id,
                                                              SignInCode.is_revoked.is_(False)))
    assert shown == own
    wait_for_service_worker(page)
    context.set_offline(True)  # kept on the phone
    page.reload()
    expect(page.locator("#volunteer-code-text")).to_be_visible()


def test_activities_are_marked_and_another_units_link_is_explained(live_server, launch, new_context):
    from lwpwa.activities.models import Activity
    from lwpwa.extensions import db
    from lwpwa.orgs.models import Org
    now = datetime.now(ZONE).replace(microsecond=0)
    status, upcoming = live_server.api.call("POST", "/activities", {
        "campaign_id": live_server.campaign_id, "org_id": live_server.org_id, "theme": "reading", "name": "明天的讲座",
        "content": "讲座", "form": "lecture", "mode": "offline", "venue": "礼堂",
        "starts_at": (now + timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=1, hours=2)).isoformat(),
        "news_links": [], "courses": []}, token=live_server.lead_token)
    assert status == 201, upcoming
    with live_server.app.app_context():
        other = Org(name="别的单位", region_code="140100")
        db.session.add(other)
        db.session.flush()
        foreign = Activity(campaign_id=live_server.campaign_id, org_id=other.id, theme="reading", name="别人的活动",
                           form="lecture", mode="offline", venue="别处", starts_at=now, ends_at=now + timedelta(hours=2))
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    page = new_context(launch()).new_page()
    sign_in(page)
    expect(page.locator(f"[data-activity-id='{upcoming['id']}'] .phase")).to_have_text("未开始")
    page.goto(f"/app/?activity={foreign_id}")
    expect(page.locator("#link-problem")).to_contain_text("不属于您的单位")
    expect(page.locator("#activities")).to_be_visible()
    expect(page.locator(f"[data-activity-id='{foreign_id}']")).to_have_count(0)
