"""What a request about activities may say: one declaration each, for the API, the pages and
the .xlsx importer alike (lwpwa.api.declare)."""
from pydantic import Field

from ..api.declare import Body, Bool, Choice, Int, Query, QueryDay, QueryInt, Text, TextList, Timestamp
from ..text import web_address_problem
from .models import MODES
from .reference import FORM_KEYS, THEME_KEYS

# The fields' types, each declared once for the two bodies below. Where a null is allowed
# differs: creating, a null content means none; changing, it would empty a field every
# activity has.
THEME = Choice(THEME_KEYS, description="One of the nine themes (GET /api/v1/themes).")
NAME = Text(200, required=True)
FORM = Choice(FORM_KEYS, description="lecture 讲座, training 培训, visit 观摩, seminar 座谈, "
                                     "experience 体验, reading_salon 读书沙龙, exhibition 展示, "
                                     "other 其他 (GET /api/v1/forms).")
STARTS_AT = Timestamp()
ENDS_AT = Timestamp(description="After starts_at, at most 31 days later.")
NEWS_LINK = {"type": "string", "format": "uri", "maxLength": 1000, "pattern": "^https?://[^\\s]+$"}
NEWS_LINKS = TextList(20, 1000, item_schema=NEWS_LINK, description="http(s) addresses of news reports.",
                      item_check=lambda link: (problem := web_address_problem(link)) and str(problem))
COURSES = TextList(50, 200, description="Recommended courses.")
CAPACITY = Int(1, 1_000_000, or_null=None)


def content_text(**null):
    return Text(4000, multiline=True, description="What happens; shown in the 活动内容 row of the "
                                                  "report.", **null)


def mode_choice(**null):
    return Choice(MODES, description="offline 线下, online 线上, hybrid 线上线下结合.", **null)


def venue_text(**null):
    return Text(200, **null)


class ActivityInput(Body):
    """A new activity of a unit."""
    campaign_id: Int()
    org_id: Int(description="A unit the caller manages (site lead of it, or admin).")
    theme: THEME
    name: NAME
    content: content_text(or_null="") = ""
    form: FORM
    mode: mode_choice(or_null="offline") = "offline"
    venue: venue_text(or_null="") = ""
    starts_at: STARTS_AT
    ends_at: ENDS_AT
    news_links: NEWS_LINKS = []
    courses: COURSES = []
    capacity: CAPACITY = None


class ActivityPatch(Body):
    """Only the fields given change; campaign_id and org_id cannot change."""
    theme: THEME = None
    name: NAME = None
    content: content_text() = None
    form: FORM = None
    mode: mode_choice() = None
    venue: venue_text() = None
    starts_at: STARTS_AT = None
    ends_at: ENDS_AT = None
    news_links: NEWS_LINKS = None
    courses: COURSES = None
    capacity: CAPACITY = None
    is_cancelled: Bool(or_null=False) = None


class ActivityListQuery(Query):
    campaign_id: QueryInt(description="Only this campaign's activities.") = None
    on: QueryDay = Field(None, description="Only activities running on this local calendar day (in "
                            "the campaign's time zone when campaign_id is given, else Asia/Shanghai).")
    org_id: QueryInt(description="Only this unit's activities.") = None
