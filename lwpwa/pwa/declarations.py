"""What the scanner's own requests may say (lwpwa.api.declare)."""
from ..api.declare import Query, QueryText


class CodeFilterQuery(Query):
    since: QueryText(100, description="The `cursor` of the phone's last answer; text that is not "
                                      "one gives the whole filters.") = None
