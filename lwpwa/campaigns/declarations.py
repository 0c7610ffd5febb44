"""What a request may say about campaigns (lwpwa.api.declare)."""
from pydantic import Field

from ..api.declare import Query, RegionCode


class CampaignListQuery(Query):
    region: RegionCode = Field(None, description="Only campaigns of exactly this region.")
