"""The unit dashboard: the campaign and its deadline, every activity with live counts, and what
still needs the site lead's attention."""
from datetime import datetime

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..activities.models import Activity
from ..checkins.models import Checkin
from ..database import utcnow
from ..extensions import db
from ..reports.counts import ZERO, activity_totals
from ..submissions.service import table_snapshot
from .scope import current_org, selected_campaign, unit_campaigns
from .table import submission_state


def unit_activities(campaign, org):
    return db.session.scalars(
        select(Activity).where(Activity.campaign_id == campaign.id, Activity.org_id == org.id)
        .order_by(Activity.starts_at, Activity.id)).all()


def held_counts(activity_ids):
    """{activity_id: unresolved held check-ins}."""
    rows = db.session.execute(
        select(Checkin.activity_id, func.count())
        .where(Checkin.status == "held", Checkin.resolved_at.is_(None), Checkin.activity_id.in_(activity_ids))
        .group_by(Checkin.activity_id))
    return dict(rows.all())


def dashboard_data(campaign, org):
    activities = unit_activities(campaign, org)
    ids = select(Activity.id).where(Activity.campaign_id == campaign.id, Activity.org_id == org.id)
    # The table's snapshot counts the activities that count; only cancelled ones are counted apart.
    snapshot = table_snapshot(campaign, org)
    totals = {row["id"]: {"attendance": row["attendance"], "volunteers": row["volunteers"]}
              for row in snapshot["activities"]}
    if any(a.is_cancelled for a in activities):
        totals.update(activity_totals(ids.where(Activity.is_cancelled.is_(True))))
    held = held_counts(ids)
    now = utcnow()
    rows = []
    for activity in activities:
        counts = totals.get(activity.id, {"attendance": 0, "volunteers": 0})
        rows.append({"activity": activity, "attendance": counts["attendance"],
                     "volunteers": counts["volunteers"], "held": held.get(activity.id, 0),
                     "live": activity.starts_at <= now < activity.ends_at and not activity.is_cancelled})
    counted = [r for r in rows if not r["activity"].is_cancelled]
    today = datetime.now(campaign.zone).date()
    due = campaign.report_due_on
    status, latest = submission_state(campaign, org, snapshot)
    return {
        "campaign": campaign,
        "today": today,
        "due": due,
        "days_left": (due - today).days if due else None,
        "rows": rows,
        "totals": {"activities": len(counted),
                   "attendance": sum(r["attendance"] for r in counted),
                   "volunteers": sum(r["volunteers"] for r in counted)},
        "held": sum(held.values()),
        "missing_links": [r["activity"] for r in counted
                          if r["activity"].ends_at <= now and not r["activity"].news_links],
        "contacts_missing": not (org.lead_name and org.reporter_name and org.phone),
        "submission": status,
        "latest_submission": latest,
    }


def index():
    org = current_org()
    campaign = selected_campaign(org)
    return render_template("workspace/dashboard.html", org=org, campaigns=unit_campaigns(org),
                           user=current_user, **dashboard_data(campaign, org))


def live_counts(campaign, org):
    """The dashboard's figures that change during the week, for its periodic refresh."""
    ids = select(Activity.id).where(Activity.campaign_id == campaign.id, Activity.org_id == org.id)
    totals = activity_totals(ids)
    held = held_counts(ids)
    activity_ids = db.session.scalars(ids).all()
    return {
        "generated_at": utcnow().isoformat(),
        "activities": {str(i): {"attendance": totals.get(i, ZERO)["attendance"],
                                "volunteers": totals.get(i, ZERO)["volunteers"], "held": held.get(i, 0)}
                       for i in activity_ids},
        "held": sum(held.values()),
    }


def live():
    org = current_org()
    response = jsonify(live_counts(selected_campaign(org), org))
    response.headers["Cache-Control"] = "no-store"
    return response
