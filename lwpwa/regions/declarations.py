"""What a request may say about regions (lwpwa.api.declare): the query of the region list.
A region code anywhere is `RegionCode`: six ASCII digits; whether such a region exists is for
the view to say (the lists answer an unknown one with nothing)."""
from pydantic import Field

from ..api.declare import Query, RegionCode


class RegionListQuery(Query):
    parent: RegionCode = Field(None, description="The code of the enclosing region (000000: the whole country).")
