"""What a request may say about campaigns (lwpwa.api.declare)."""
from ..api.declare import Query
from ..regions.declarations import region_code


class CampaignListQuery(Query):
    region: region_code("Only campaigns of exactly this region.") = None
