"""What a request may say about regions (lwpwa.api.declare): a region code in a query, and
the query of the region list."""
from flask_babel import lazy_gettext as _l

from ..api.declare import Query, QueryPattern


def region_code(description):
    """A GB/T 2260 code in a query: six ASCII digits. Whether such a region exists is for the
    view to say (the lists answer an unknown one with nothing)."""
    return QueryPattern("[0-9]{6}", _l("Must be a region code of six digits (GB/T 2260)."),
                        description=description)


class RegionListQuery(Query):
    parent: region_code("The code of the enclosing region (000000: the whole country).") = None
