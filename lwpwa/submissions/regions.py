"""A bureau's own region table handed upward: a version like a unit's, built from the region's
units' submitted versions (the submitted basis), decided by a bureau of a larger region."""
from ..reports.region_table import region_snapshot
from .models import ACCEPTED
from .service import add_version, latest_of, table_accepted_error


def submit(campaign, region, user):
    """Freeze the region's table on the submitted basis as its next version; refused while the
    latest version is accepted (409 table_accepted), as a unit's is."""
    latest = latest_of(campaign.id, region_code=region.code)
    if latest is not None and latest.status == ACCEPTED:
        raise table_accepted_error()
    return add_version(campaign, region_snapshot(campaign, region, "submitted"), user, region_code=region.code)
