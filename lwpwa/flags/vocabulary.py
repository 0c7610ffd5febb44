"""The kinds of flags, as the pages name and explain them (the API uses the keys of
models.KINDS, documented in API.md and the OpenAPI document)."""
from flask_babel import lazy_gettext as _l

TITLES = {
    "two_places": _l("The same people, device or account at two places at once"),
    "same_audience": _l("The same audience at implausibly many activities"),
    "replay": _l("Recording that no queue of people makes"),
    "tally_share": _l("Tallies make up much of the attendance"),
    "over_capacity": _l("More attendees than the room or the form allows"),
    "late_entry": _l("Entered after the fact"),
    "after_hours": _l("Scans at implausible hours or after the end"),
    "volunteer_ratio": _l("Volunteers out of proportion to attendees"),
    "far_approved": _l("Check-ins far outside the activity's time, approved"),
    "changed_after_submission": _l("Changed after the first scan or after submission"),
}

RULES = {
    "two_places": _l("People scanned at two activities within %(two_places_minutes)s minutes of each other "
                     "(at least %(two_places_people)s people), whatever the venues or modes say; or one device or "
                     "account switching between activities at different places within %(switch_minutes)s minutes, "
                     "at least %(switches)s times."),
    "same_audience": _l("At least %(same_audience_people)s people each counted at %(same_audience_activities)s or "
                        "more activities of one unit."),
    "replay": _l("More than %(fast_scans)s code scans within %(fast_window_s)s seconds by one device or account; "
                 "more than %(account_day_scans)s code scans by one account in a day; or at least "
                 "%(order_pairs)s pairs of people scanned in the same order at %(order_activities)s sessions."),
    "tally_share": _l("Tallies above %(tally_share)s%% of the attendance (exhibitions: %(tally_share_exhibition)s%%), "
                      "once they reach %(tally_min)s."),
    "over_capacity": _l("More attendees on a day than the capacity, or, without a capacity, than the form's "
                        "plausible most (reading salon %(capacity_reading_salon)s, seminar %(capacity_seminar)s, "
                        "lecture %(capacity_lecture)s; 0: no limit)."),
    "late_entry": _l("An activity created %(late_created_hours)s hours after its start; or at least %(late_min)s "
                     "check-ins received %(late_receipt_hours)s hours after they were scanned, or from a device "
                     "whose clock was off by %(clock_error_hours)s hours."),
    "after_hours": _l("At least %(after_hours_min)s scans between %(night_start)s:00 and %(night_end)s:00, or more "
                      "than %(outside_minutes)s minutes before the start or after the end; or %(after_end_share)s%% "
                      "of the scans after the end."),
    "volunteer_ratio": _l("Volunteers above %(volunteer_ratio)s%% of the attendance (at least %(volunteer_min)s)."),
    "far_approved": _l("Held because scanned more than %(far_hours)s hours outside the activity, then approved."),
    "changed_after_submission": _l("Capacity, venue, mode, form or cancellation changed, or times moved by more "
                                   "than %(edit_minutes)s minutes, after the first counted scan or after the "
                                   "unit submitted its table."),
}

STATUS_LABELS = {"open": _l("Open"), "explained": _l("Explained by the unit"), "reviewed": _l("Reviewed")}
ACTION_LABELS = {"raised": _l("Raised"), "changed": _l("Count changed"), "cleared": _l("No longer holds"),
                 "explained": _l("Explained by the unit"), "reviewed": _l("Reviewed by the bureau")}
FIELD_LABELS = {"starts_at": _l("Start"), "ends_at": _l("End"), "capacity": _l("Capacity"), "venue": _l("Venue"),
                "mode": _l("Mode"), "form": _l("Form"), "is_cancelled": _l("Cancelled")}


def rule_text(kind, used):
    """The rule of a kind with the thresholds it was computed with."""
    from .thresholds import DEFAULTS
    return str(RULES[kind]) % {**DEFAULTS, **used}
