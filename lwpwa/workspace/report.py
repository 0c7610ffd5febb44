"""The per-activity report: counts by day, scanned versus tally, who scanned, a chart of arrivals
over time (server-side SVG), and the printable sign-in sheet (签到表) as evidence."""
from datetime import datetime, timedelta, timezone

from flask import render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Integer, cast, extract, func, select

from ..accounts.models import User
from ..checkins.models import Checkin
from ..checkins.stats import activity_stats
from ..extensions import db
from ..residents import qr
from ..residents.masking import mask_name
from ..residents.models import Resident
from .forms import ConfirmForm
from .scope import current_org, unit_activity_or_404

SHEET_LIMIT = 10_000
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_TOP = 480, 280, 52, 44, 16


def epoch_seconds(column):
    """Seconds since 1970 of a naive-UTC datetime column, in SQL, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(extract("epoch", column), Integer)


def bucket_seconds(activity):
    length = activity.ends_at - activity.starts_at
    if length <= timedelta(hours=6):
        return 15 * 60
    if length <= timedelta(hours=48):
        return 60 * 60
    return None  # by local day


def arrivals(activity):
    """[(start, scanned, tally)] of accepted attendee check-ins, in buckets, gaps filled."""
    size = bucket_seconds(activity)
    accepted = (Checkin.activity_id == activity.id, Checkin.status == "accepted", Checkin.kind == "attendee")
    scanned = func.count(Checkin.resident_id)
    tally = func.coalesce(func.sum(Checkin.headcount), 0)
    zone = activity.campaign.zone
    if size is None:
        rows = db.session.execute(select(Checkin.day, scanned, tally).where(*accepted).group_by(Checkin.day)).all()
        found = {day: (s, t) for day, s, t in rows}
        first = min([activity.starts_at.astimezone(zone).date(), *found])
        last = max([(activity.ends_at - timedelta(seconds=1)).astimezone(zone).date(), *found])
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [(datetime.combine(day, datetime.min.time(), zone), *found.get(day, (0, 0))) for day in days], None
    bucket = (epoch_seconds(Checkin.scanned_at) // size).label("bucket")
    rows = db.session.execute(select(bucket, scanned, tally).where(*accepted).group_by(bucket)).all()
    found = {int(b): (s, int(t)) for b, s, t in rows}
    first = min([int(activity.starts_at.timestamp()) // size, *found])
    last = max([(int(activity.ends_at.timestamp()) - 1) // size, *found])
    return [(datetime.fromtimestamp(b * size, timezone.utc).astimezone(zone), *found.get(b, (0, 0)))
            for b in range(first, last + 1)], size


def nice_ceiling(n):
    """A round axis maximum at or above n (1, 2, 5, 10, 20, 50 …)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= n:
                return step * factor
        step *= 10


def arrivals_chart(buckets, size):
    """Geometry of a stacked bar chart (scanned below, tally above) for the SVG template."""
    peak = nice_ceiling(max([s + t for _start, s, t in buckets] + [1]))
    plot_width = CHART_WIDTH - CHART_LEFT - 8
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    slot = plot_width / max(len(buckets), 1)
    label_every = max(1, -(-len(buckets) // 5))  # at most 5 labels: legible on a phone
    bars = []
    for index, (start, scanned, tally) in enumerate(buckets):
        x = CHART_LEFT + index * slot + slot * 0.1
        scanned_h = plot_height * scanned / peak
        tally_h = plot_height * tally / peak
        base = CHART_TOP + plot_height
        label = start.strftime("%m-%d") if size is None else start.strftime("%H:%M")
        bars.append({"x": round(x, 1), "width": round(slot * 0.8, 1),
                     "scanned_y": round(base - scanned_h, 1), "scanned_h": round(scanned_h, 1),
                     "tally_y": round(base - scanned_h - tally_h, 1), "tally_h": round(tally_h, 1),
                     "scanned": scanned, "tally": tally, "label": label,
                     "show_label": index % label_every == 0, "label_x": round(x + slot * 0.4, 1)})
    ticks = [{"value": peak * n // 4, "y": round(CHART_TOP + plot_height * (1 - n / 4), 1)} for n in range(5)]
    return {"bars": bars, "ticks": ticks, "width": CHART_WIDTH, "height": CHART_HEIGHT,
            "left": CHART_LEFT, "base": CHART_TOP + plot_height, "right": CHART_WIDTH - 8,
            "bucket_minutes": size // 60 if size else None}


def recorders(activity):
    """Who scanned: [(username, display name, accepted check-ins recorded)]."""
    return db.session.execute(
        select(User.username, User.display_name, func.count())
        .select_from(Checkin).join(User, User.id == Checkin.recorded_by_id)
        .where(Checkin.activity_id == activity.id, Checkin.status == "accepted")
        .group_by(User.username, User.display_name).order_by(func.count().desc())).all()


def sign_in_rows(activity, limit=SHEET_LIMIT):
    """The sign-in sheet: accepted check-ins in time order, names masked, tallies as numbers."""
    zone = activity.campaign.zone
    rows = db.session.execute(
        select(Checkin.scanned_at, Checkin.kind, Checkin.headcount, Resident.display_name,
               Resident.age_group, Resident.community)
        .outerjoin(Resident, Resident.id == Checkin.resident_id)
        .where(Checkin.activity_id == activity.id, Checkin.status == "accepted")
        .order_by(Checkin.scanned_at, Checkin.id).limit(limit)).all()
    return [{"time": scanned_at.astimezone(zone), "kind": kind, "headcount": headcount,
             "name": mask_name(name) if name else "", "age_group": age_group, "community": community or ""}
            for scanned_at, kind, headcount, name, age_group, community in rows]


def age_group_labels():
    return {"under_14": _("Under 14"), "14_17": _("14–17"), "18_59": _("18–59"), "60_plus": _("60 and over")}


def kind_labels():
    return {"attendee": _("Participant"), "volunteer": _("Volunteer")}


def scanner_link(activity):
    """The scanner app opened on this activity (API.md: /app/?activity=ID), to share as a QR."""
    return request.host_url.rstrip("/") + f"/app/?activity={activity.id}"


def show(activity_id):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    buckets, size = arrivals(activity)
    link = scanner_link(activity)
    return render_template("workspace/activity.html", org=org, activity=activity, scanner_link=link,
                           scanner_qr=Markup(qr.svg(link, label=_("Scanner link of this activity"))),
                           stats=activity_stats(activity.id), chart=arrivals_chart(buckets, size),
                           recorders=recorders(activity), confirm=ConfirmForm())


def sign_in_sheet(activity_id):
    org = current_org()
    activity = unit_activity_or_404(org, activity_id)
    rows = sign_in_rows(activity)
    return render_template("workspace/sign_in_sheet.html", org=org, activity=activity, rows=rows,
                           truncated=len(rows) >= SHEET_LIMIT, ages=age_group_labels(),
                           kinds=kind_labels(), stats=activity_stats(activity.id))
