"""The thresholds of the rules, per campaign: the defaults below unless the province changed
them (`flag_thresholds`). Each default was chosen to raise nothing on an honest week
(tests/flag_city.py builds one: salons, phone classes with the same seniors, lectures up to
180, a week-long exhibition, a Mon–Fri course entered as one activity, an online lecture,
phones with wrong clocks, a phone synced a day late) and to catch the fraud cases and their
dodges beside it."""
from flask_babel import lazy_gettext as _l

from ..database import utcnow
from ..extensions import db
from .models import FlagThresholds

# name: (default, minimum, maximum, label). Integers only: percentages are whole percents.
THRESHOLDS = {
    "two_places_minutes": (10, 1, 240, _l("Two places: the same people scanned at two activities within (minutes)")),
    "two_places_people": (8, 1, 10_000, _l("Two places: at least this many people")),
    "switch_minutes": (10, 1, 240, _l("One device or account switching between activities at different places within (minutes)")),
    "switches": (3, 1, 10_000, _l("One device or account: at least this many switches")),
    "same_audience_activities": (5, 2, 1000, _l("Same audience: a person at this many activities of one unit")),
    "same_audience_people": (50, 1, 100_000, _l("Same audience: at least this many such people")),
    "fast_scans": (40, 2, 10_000, _l("Replay: more code scans than this by one device or account …")),
    "fast_window_s": (20, 1, 3600, _l("… within this many seconds")),
    "account_day_scans": (400, 10, 100_000, _l("Replay: code scans by one account in one day, more than")),
    "order_pairs": (20, 2, 100_000, _l("Replay: people scanned in the same order, pairs at least")),
    "order_activities": (3, 2, 1000, _l("Replay: same order at this many activities")),
    "late_created_hours": (2, 0, 24 * 60, _l("Late entry: activity created this many hours after its start")),
    "late_receipt_hours": (48, 1, 24 * 60, _l("Late entry: scans received this many hours after they were made")),
    "clock_error_hours": (24, 1, 24 * 365, _l("Late entry: a device clock wrong by this many hours")),
    "late_min": (5, 1, 100_000, _l("Late entry: at least this many check-ins")),
    "night_start": (22, 0, 23, _l("After hours: night begins at (local hour)")),
    "night_end": (6, 0, 23, _l("After hours: night ends at (local hour)")),
    "outside_minutes": (90, 1, 6 * 60, _l("After hours: scanned this many minutes before the start or after the end")),
    "after_hours_min": (5, 1, 100_000, _l("After hours: at least this many check-ins")),
    "after_end_share": (50, 1, 100, _l("After hours: share of the scans after the end (%)")),
    "tally_share": (30, 1, 100, _l("Tally share: tallies above this share of the attendance (%)")),
    "tally_min": (20, 1, 100_000, _l("Tally share: once the tallies reach")),
    "tally_share_exhibition": (70, 1, 100, _l("Tally share at exhibitions, where walk-ins are the rule (%)")),
    "capacity_reading_salon": (60, 0, 1_000_000, _l("Most attendees in a day without a capacity: reading salon (0: no limit)")),
    "capacity_seminar": (60, 0, 1_000_000, _l("… seminar")),
    "capacity_experience": (80, 0, 1_000_000, _l("… hands-on experience")),
    "capacity_training": (120, 0, 1_000_000, _l("… training")),
    "capacity_visit": (200, 0, 1_000_000, _l("… visit")),
    "capacity_lecture": (400, 0, 1_000_000, _l("… lecture")),
    "capacity_exhibition": (0, 0, 1_000_000, _l("… exhibition")),
    "capacity_other": (0, 0, 1_000_000, _l("… other")),
    "volunteer_ratio": (50, 1, 10_000, _l("Volunteers above this share of the attendance (%)")),
    "volunteer_min": (5, 1, 100_000, _l("Volunteers: at least")),
    "far_hours": (6, 1, 24 * 31, _l("Approved far off: scanned this many hours outside the activity")),
    "edit_minutes": (30, 0, 24 * 60, _l("Changed: times moved by more than (minutes) after the first scan or submission")),
}
DEFAULTS = {name: spec[0] for name, spec in THRESHOLDS.items()}

# Which thresholds each kind uses: shown beside each flag.
USED_BY = {
    "two_places": ("two_places_minutes", "two_places_people", "switch_minutes", "switches"),
    "same_audience": ("same_audience_activities", "same_audience_people"),
    "replay": ("fast_scans", "fast_window_s", "account_day_scans", "order_pairs", "order_activities"),
    "late_entry": ("late_created_hours", "late_receipt_hours", "clock_error_hours", "late_min"),
    "after_hours": ("night_start", "night_end", "outside_minutes", "after_hours_min", "after_end_share"),
    "tally_share": ("tally_share", "tally_min", "tally_share_exhibition"),
    "over_capacity": tuple(name for name in THRESHOLDS if name.startswith("capacity_")),
    "volunteer_ratio": ("volunteer_ratio", "volunteer_min"),
    "far_approved": ("far_hours",),
    "changed_after_submission": ("edit_minutes",),
}


def for_campaign(campaign_id):
    """The campaign's thresholds: the defaults with the province's changes."""
    row = db.session.get(FlagThresholds, campaign_id)
    values = dict(DEFAULTS)
    if row is not None:
        values.update({name: value for name, value in (row.values or {}).items() if name in DEFAULTS})
    return values


def used(kind, values):
    return {name: values[name] for name in USED_BY.get(kind, ())}


def clean(form_values):
    """(values, errors) from submitted text: every threshold an integer in its range."""
    values, errors = {}, {}
    for name, (_default, low, high, _label) in THRESHOLDS.items():
        raw = (form_values.get(name) or "").strip()
        try:
            value = int(raw)
        except ValueError:
            errors[name] = (low, high)
            continue
        if not low <= value <= high:
            errors[name] = (low, high)
        values[name] = value
    return values, errors


def save(campaign_id, values, user):
    """Store the campaign's thresholds (only those differing from the defaults)."""
    changed = {name: value for name, value in values.items() if DEFAULTS.get(name) != value}
    row = db.session.get(FlagThresholds, campaign_id)
    if row is None:
        row = FlagThresholds(campaign_id=campaign_id)
        db.session.add(row)
    row.values, row.updated_by_id, row.updated_at = changed, user.id, utcnow()
    db.session.flush()
