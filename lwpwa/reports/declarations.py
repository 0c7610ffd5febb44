"""What a request for counts or statistics tables may ask: one declaration each
(lwpwa.api.declare), which validates the query and documents it."""
from pydantic import Field

from ..api.declare import Choice, Query, QueryInt, RegionCode
from .region_table import BASES

GROUPS = ("org", "theme", "day", "province", "city", "county")
FORMATS = ("json", "csv")

# Shared by the queries about a campaign's tables, counts, versions and flags.
CAMPAIGN_ID = QueryInt(description="The campaign (activity week).")
BASIS = Choice(BASES, description="live: the counts stored now; submitted: each unit's latest submitted "
                                  "version (whatever its status: submitted, accepted or returned), nothing "
                                  "of a unit without one.")


def region_field():
    """A region inside the caller's; without one, the caller's own (an admin's: the country)."""
    return Field(None, description="A region inside the caller's region (default: the caller's own; an "
                                   "admin's, the whole country 000000).")


class StatsQuery(Query):
    campaign_id: CAMPAIGN_ID
    region: RegionCode = region_field()
    group_by: Choice(GROUPS, description="How rows are grouped (county: county-level divisions; units "
                                         "registered at a city or province itself get a row of their "
                                         "own).") = "org"
    basis: BASIS = "live"
    format: Choice(FORMATS, description="JSON or CSV.") = "json"


class OrgReportQuery(Query):
    campaign_id: CAMPAIGN_ID
    version: QueryInt(description="A submitted version (its frozen figures and 校验码); without it the "
                                  "live table, which is shown as the latest version when it equals "
                                  "it.") = None


class RegionReportQuery(Query):
    campaign_id: CAMPAIGN_ID
    basis: BASIS = "live"
