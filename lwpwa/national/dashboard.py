"""The national dashboard (/region/000000/): totals, a map and a table by province, each
province with its units' submission counts; rows are the counts API's `group_by=province`."""
from flask import render_template, request
from sqlalchemy import func, select

from ..bureau import charts, dashboard
from ..extensions import db
from ..orgs.models import Org
from ..reports import service


def province_rows(campaign, region, statuses):
    """The counts API's rows by province, each with how many of its units are in which status."""
    rows = service.stats_rows(campaign, region, "province")
    province_of = dict(db.session.execute(select(Org.id, func.substr(Org.region_code, 1, 2))).all())
    for row in rows:
        members = {org_id for org_id, prefix in province_of.items() if prefix + "0000" == row["key"]}
        row["units"] = len(members)
        row["statuses"] = dashboard.status_counts(statuses, members)
    return rows


def render(region, campaigns, campaign, trail, localized_themes):
    page = {"region": region, "campaigns": campaigns, "campaign": campaign, "trail": trail}
    if campaign is None:
        return render_template("national/dashboard.html", **page)
    sort = request.args.get("sort", "label")
    descending = request.args.get("dir") == "desc"
    statuses = dashboard.unit_statuses(campaign, region)
    rows = province_rows(campaign, region, statuses)
    themes = localized_themes(service.stats_rows(campaign, region, "theme"))
    days = service.stats_rows(campaign, region, "day")
    totals = {key: sum(row[key] for row in rows) for key in ("activities", "attendance", "volunteers")}
    return render_template(
        "national/dashboard.html", **page,
        provinces=dashboard.sort_rows(rows, sort, descending), totals=totals,
        tallied=dashboard.tallied_attendance(campaign, region),
        status_counts=dashboard.status_counts(statuses),
        theme_chart=charts.bars(themes), day_chart=charts.line(days) if days else None,
        sort=sort, descending=descending)
