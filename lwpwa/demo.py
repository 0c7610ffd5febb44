"""`seed-demo`: something real to click through today, in Taiyuan and Datong."""
import secrets
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from .accounts.models import User
from .accounts.passwords import hash_password
from .accounts.service import create_user
from .activities.models import Activity
from .campaigns.models import Campaign
from .checkins.sync import sync_batch
from .database import utcnow
from .extensions import db
from .orgs.models import Org
from .residents import service as residents
from .residents.models import Resident
from .submissions import service as submissions

ZONE = ZoneInfo("Asia/Shanghai")
DEMO_TITLE = "{year}年全民终身学习活动周（演示）"

UNITS = (
    dict(key="xiaodian", name="小店区社区学校", region_code="140105", kind="community_school",
         lead_name="李明", reporter_name="王芳", phone="0351-0000001"),
    dict(key="library", name="太原市图书馆", region_code="140100", kind="library",
         lead_name="赵强", reporter_name="陈静", phone="0351-0000002"),
    dict(key="datong", name="大同开放大学", region_code="140200", kind="open_university",
         lead_name="孙伟", reporter_name="周丽", phone="0352-0000003"),
)

# (unit, theme, form, mode, name, content, day offset from today, start hour, hours)
ACTIVITIES = (
    ("xiaodian", "smart_seniors", "training", "offline", "智能手机学用课堂",
     "教老年人用手机挂号、出行扫码和视频通话", 0, 9, 3),
    ("xiaodian", "reading", "reading_salon", "offline", "社区读书沙龙", "好书推荐与诵读", 0, 14, 2),
    ("xiaodian", "lifelong_learning", "lecture", "hybrid", "终身学习讲座", "养生保健与心理健康", 1, 9, 2),
    ("library", "reading", "exhibition", "offline", "书香太原展", "全民阅读成果展示", 0, 9, 8),
    ("library", "open_resources", "lecture", "online", "开放课程推介", "推介优质在线课程", 2, 19, 2),
    ("datong", "smart_seniors", "experience", "offline", "“智慧助老”体验日", "智慧出行与智慧医疗体验", 0, 9, 6),
    ("datong", "rural_revitalization", "visit", "offline", "乡村振兴观摩", "参观农村职业教育示范点", -1, 9, 4),
)

COURSES = {"open_resources": ["手机摄影入门", "家庭理财常识"]}


def _at(day, hour):
    return datetime.combine(day, time(hour), ZONE)


def seed_demo():
    """Create the demo once; returns the text of the logins (also saved in the instance)."""
    today = datetime.now(ZONE).date()
    title = DEMO_TITLE.format(year=today.year)
    if db.session.scalar(select(Campaign.id).where(Campaign.title == title)) is not None:
        return "demo data already present; logins are in instance/demo-logins.txt"
    campaign = Campaign(title=title, slogan="学习贯彻二十大，终身学习向未来", region_code="140000",
                        timezone="Asia/Shanghai", starts_on=today - timedelta(days=2),
                        ends_on=today + timedelta(days=4), report_due_on=today + timedelta(days=10))
    db.session.add(campaign)
    orgs = {}
    for unit in UNITS:
        fields = {k: v for k, v in unit.items() if k != "key"}
        org = db.session.scalar(select(Org).where(Org.name == fields["name"],
                                                  Org.region_code == fields["region_code"]))
        orgs[unit["key"]] = org or Org(**fields)
        db.session.add(orgs[unit["key"]])
    db.session.flush()

    logins = []

    def user(username, role, label, **scope):
        existing = db.session.scalar(select(User).where(User.username == username))
        password = secrets.token_urlsafe(9)
        if existing is None:
            existing = create_user(username, password, role, **scope)
        else:
            existing.password_hash = hash_password(password)
        logins.append((label, username, password))
        return existing

    lead = user("demo_lead", "site_lead", "site lead 负责人 · 小店区社区学校", org_id=orgs["xiaodian"].id)
    volunteer = user("demo_volunteer", "volunteer", "volunteer 志愿者 · 小店区社区学校", org_id=orgs["xiaodian"].id)
    user("demo_volunteer2", "volunteer", "volunteer 志愿者 · 大同开放大学", org_id=orgs["datong"].id)
    library_lead = user("demo_library", "site_lead", "site lead 负责人 · 太原市图书馆", org_id=orgs["library"].id)
    user("demo_xiaodian", "bureau", "bureau 区教育局 · 小店区", region_code="140105")
    user("demo_taiyuan", "bureau", "bureau 市教育局 · 太原市", region_code="140100")
    user("demo_shanxi", "bureau", "bureau 省教育厅 · 山西省", region_code="140000")
    user("demo_admin", "admin", "admin 管理员")

    activities = []
    for key, theme, form, mode, name, content, offset, hour, hours in ACTIVITIES:
        day = today + timedelta(days=offset)
        activity = Activity(campaign=campaign, org=orgs[key], theme=theme, form=form, mode=mode,
                            name=name, content=content, venue=orgs[key].name,
                            starts_at=_at(day, hour), ends_at=_at(day, hour + hours),
                            courses=COURSES.get(theme, []), capacity=60, created_by_id=lead.id)
        db.session.add(activity)
        activities.append(activity)
    db.session.flush()

    people = [residents.register(display_name=f"演示居民{i:02d}", age_group="60_plus" if i % 3 else "18_59",
                                 community="坞城社区")[1] for i in range(1, 31)]
    _demo_checkins(volunteer, activities[0], people[:18], tally=4)
    _demo_checkins(volunteer, activities[1], people[10:22], tally=0)
    _write_code_sheet(people[22:], campaign)
    # The library has submitted its table (version 1): the bureaus' pages show a record at once.
    submissions.submit(campaign, orgs["library"], library_lead)
    text = _format_logins(logins, campaign)
    path = current_app.instance_path + "/demo-logins.txt"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    return text


def _demo_checkins(volunteer, activity, codes, tally):
    """Record through the real sync path, as a phone would."""
    start = activity.starts_at
    items = [{"id": str(uuid.uuid4()), "activity_id": activity.id, "kind": "attendee",
              "code": code.code, "scanned_at": (start + timedelta(minutes=3 + i)).isoformat()}
             for i, code in enumerate(codes)]
    if tally:
        items.append({"id": str(uuid.uuid4()), "activity_id": activity.id, "kind": "attendee",
                      "headcount": tally, "scanned_at": (start + timedelta(minutes=30)).isoformat()})
    volunteer_code = residents.active_code(db.session.get(Resident, volunteer.resident_id))
    items.append({"id": str(uuid.uuid4()), "activity_id": activity.id, "kind": "volunteer",
                  "code": volunteer_code.code, "scanned_at": start.isoformat()})
    now = utcnow()
    sync_batch(volunteer, "demo-device", now, items, now)


CODE_SHEET = "demo-codes.html"


def _write_code_sheet(codes, campaign):
    """A page to print (or show on a second screen) with demo residents' QR codes not yet scanned
    anywhere, so a newcomer can try the scanner at once. Plain HTML, no script."""
    from html import escape

    from .residents.codes import grouped
    from .residents.qr import svg

    cards = "\n".join(
        f'<figure>{svg(code.code, label=grouped(code.code))}<figcaption>{escape(grouped(code.code))}</figcaption></figure>'
        for code in codes)
    page = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>演示签到码 · '
            f'{escape(campaign.title)}</title><style>body{{font-family:sans-serif}}main{{display:grid;'
            f'grid-template-columns:repeat(auto-fill,minmax(55mm,1fr));gap:8mm}}figure{{margin:0;text-align:center}}'
            f'svg{{width:45mm;height:45mm}}figcaption{{font:bold 12pt monospace;white-space:nowrap}}</style></head>'
            f'<body><h1>演示签到码 · Demo sign-in codes</h1><p>{escape(campaign.title)}：用志愿者账号登录扫码器'
            f'（/app/），扫描下列签到码。Sign in to the scanner (/app/) as a volunteer and scan these.</p>'
            f'<main>{cards}</main></body></html>\n')
    with open(f"{current_app.instance_path}/{CODE_SHEET}", "w", encoding="utf-8") as handle:
        handle.write(page)


def _format_logins(logins, campaign):
    lines = [f"Demo logins for {campaign.title} (saved in instance/demo-logins.txt;",
             f"  demo sign-in codes to print or show: instance/{CODE_SHEET}):"]
    width = max(len(label) for label, _u, _p in logins)
    for label, username, password in logins:
        lines.append(f"  {label.ljust(width)}  {username:<16} {password}")
    return "\n".join(lines)
