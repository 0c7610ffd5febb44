"""The per-activity report: counts by day, scanned versus tally, who scanned, the arrivals chart,
and the sign-in sheet with masked names, only for the own unit."""
import re
from datetime import timedelta

from conftest import checkin, sync_body
from test_workspace_support import lead, other  # noqa: F401 (fixtures)

from lwpwa.extensions import db
from lwpwa.workspace.report import arrivals, arrivals_chart, nice_ceiling


def scan_some(client, make, unit):
    start = unit.activity.starts_at
    people = [make.resident(display_name=name, age_group=age, community="迎泽社区")
              for name, age in (("张三", "60_plus"), ("欧阳娜娜", "18_59"), ("李", None))]
    items = [checkin(unit.activity.id, code=people[0][1], scanned_at=start + timedelta(minutes=5)),
             checkin(unit.activity.id, code=people[1][1], scanned_at=start + timedelta(minutes=20)),
             checkin(unit.activity.id, code=people[1][1], scanned_at=start + timedelta(minutes=21)),  # duplicate
             checkin(unit.activity.id, headcount=6, scanned_at=start + timedelta(minutes=35)),
             checkin(unit.activity.id, code=people[2][1], kind="volunteer", scanned_at=start)]
    response = client.post("/api/v1/sync", headers=unit.headers, json=sync_body(items))
    assert response.status_code == 200
    return people


def test_the_report_shows_counts_and_the_api_agrees(lead, make, unit):
    scan_some(lead, make, unit)
    html = lead.get(f"/unit/activities/{unit.activity.id}").get_data(as_text=True)
    stats = lead.get(f"/api/v1/activities/{unit.activity.id}/stats", headers=unit.lead_headers).get_json()
    shown = dict(re.findall(r'data-stat="(\w+)">(\d+)<', html))
    assert shown == {"attendance": "8", "scanned": "2", "headcount": "6", "volunteers": "1"}
    assert {k: stats[k] for k in shown} == {k: int(v) for k, v in shown.items()}
    assert stats["by_day"][0]["date"] in html
    assert unit.volunteer.username in html  # who scanned


def test_the_arrivals_chart_buckets_by_quarter_hour(app, make, unit, client):
    scan_some(client, make, unit)
    buckets, size = arrivals(unit.activity)
    assert size == 15 * 60 and len(buckets) == 12  # a three-hour activity
    assert [(s, t) for _start, s, t in buckets[:3]] == [(1, 0), (1, 0), (0, 6)]
    assert sum(s for _b, s, _t in buckets) == 2  # the duplicate is not counted, volunteers are not arrivals
    chart = arrivals_chart(buckets, size)
    assert chart["ticks"][-1]["value"] == 10 and chart["bucket_minutes"] == 15
    assert chart["bars"][2]["tally_h"] > 0 and chart["bars"][2]["scanned_h"] == 0


def test_the_chart_is_inline_svg_without_style_attributes(lead, make, unit):
    scan_some(lead, make, unit)
    html = lead.get(f"/unit/activities/{unit.activity.id}").get_data(as_text=True)
    svg = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert svg.count('class="bar-scanned"') == 2 and svg.count('class="bar-tally"') == 1
    assert "style=" not in html and "<script" not in html


def test_nice_ceiling():
    assert [nice_ceiling(n) for n in (0, 1, 3, 7, 11, 99, 101)] == [1, 1, 5, 10, 20, 100, 200]


def test_a_multi_day_activity_is_charted_by_day(app, make, unit):
    long = make.activity(unit.org, unit.campaign, hours=72)
    buckets, size = arrivals(long)
    assert size is None and len(buckets) in (3, 4)


def test_the_sign_in_sheet_masks_names_and_shows_tallies_apart(lead, make, unit):
    scan_some(lead, make, unit)
    html = lead.get(f"/unit/activities/{unit.activity.id}/sign-in-sheet").get_data(as_text=True)
    assert "签到表" in html
    rows = re.findall(r"<tr(?: class=\"tally\")?>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>"
                      r"\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", html)
    assert [r[2:] for r in rows] == [
        ("*", "", "迎泽社区", "志愿者"),
        ("张*", "60 岁及以上", "迎泽社区", "参与者"),
        ("欧***", "18–59 岁", "迎泽社区", "参与者"),
        ("未扫码 6 人（手工计数）", "", "", "参与者"),
    ]
    assert "张三" not in html and "欧阳娜娜" not in html


def test_another_units_report_and_sheet_are_not_found(lead, other):
    assert lead.get(f"/unit/activities/{other.activity.id}").status_code == 404
    assert lead.get(f"/unit/activities/{other.activity.id}/sign-in-sheet").status_code == 404


def test_a_cancelled_activity_says_so(lead, unit):
    unit.activity.is_cancelled = True
    db.session.commit()
    html = lead.get(f"/unit/activities/{unit.activity.id}").get_data(as_text=True)
    assert "已取消" in html and "恢复活动" in html


def test_the_activity_page_shares_the_scanner_link_as_a_qr_code(lead, unit):
    from lwpwa.residents import qr

    html = lead.get(f"/unit/activities/{unit.activity.id}").get_data(as_text=True)
    link = f"http://localhost/app/?activity={unit.activity.id}"
    assert f"<code>{link}</code>" in html
    assert qr.svg(link, label="本活动的扫码链接") in html  # the same modules as the residents' QR images
