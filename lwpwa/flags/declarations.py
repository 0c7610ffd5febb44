"""What a request for a region's anomaly flags may ask (lwpwa.api.declare)."""
from ..api.declare import Choice, Query, RegionCode
from ..reports.declarations import CAMPAIGN_ID, region_field


class AnomaliesQuery(Query):
    campaign_id: CAMPAIGN_ID
    region: RegionCode = region_field()
    include_inactive: Choice(("0", "1"), description="1: also the flags whose rule no longer holds.") = "0"
