"""Whether a unit's table is closed to corrections: its bureau accepted the latest version.

Corrections (voids, approvals that change a count) ask this before they change a figure; an
accepted table is the record until the bureau returns it (API.md "Submissions").
"""


def table_accepted(org_id, campaign_id):
    """True while the latest submitted version of the unit's table is `accepted`."""
    return False  # filled in with the submission statuses (versions, accept, return)
