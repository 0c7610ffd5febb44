"""The OpenAPI 3.1 document of the JSON API, served at GET /api/v1/openapi.json.

The document is built from OPERATIONS, one entry per operation, read like a table. A test
compares those entries with the app's URL map and with the roles each view requires, so a route
added without its entry here fails the suite. To document a new route, add its schemas to
SCHEMAS and one `operation(...)` to OPERATIONS.
"""
import copy

from flask import Blueprint, current_app, jsonify

from ..accounts import openapi as account_openapi
from ..accounts.models import ROLES
from ..activities.models import MODES
from ..activities.reference import FORM_KEYS, THEME_KEYS
from ..checkins import openapi as checkin_openapi
from ..checkins.declarations import SyncRequest
from ..evidence import openapi as evidence_openapi
from ..regions.models import LEVELS
from ..pwa import openapi as pwa_openapi
from ..flags import openapi as flags_openapi
from ..reports import openapi as report_openapi
from ..residents import openapi as resident_openapi
from ..residents.models import AGE_GROUPS
from ..workspace import openapi as workspace_openapi

from .spec import (
    API_VERSION, SYNC_MAX_ITEMS, SYNC_STATUSES, REJECT_REASONS, PUBLIC, BEARER,
    RESIDENT, UNIT_WRITERS, PLANNERS, ref, nullable, array,
    obj, text, ok, error, query, path_id,
    DATE_TIME, DAY, REGION_CODE, CODE, NEWS_LINK, POSITIVE,
    COUNT, BAD_BODY, BAD_QUERY, BAD_RESIDENT_KEY, NOT_VISIBLE,
    TOO_LARGE, RATE_LIMITED, CONSENT_ERRORS, DECLARED_BODIES, forbidden_role, link, operation,
)
from ..accounts.declarations import TokenRequest
from ..activities.declarations import ActivityInput, ActivityListQuery, ActivityPatch
from ..campaigns.declarations import CampaignListQuery
from ..regions.declarations import RegionListQuery
from ..residents.declarations import ResidentInput

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


def _activity_fields():
    return {
        "theme": {"type": "string", "enum": list(THEME_KEYS),
                  "description": "One of the nine themes (GET /api/v1/themes)."},
        "name": text(200, minLength=1),
        "content": text(4000, description="What happens; shown in the 活动内容 row of the report."),
        "form": {"type": "string", "enum": list(FORM_KEYS),
                 "description": "lecture 讲座, training 培训, visit 观摩, seminar 座谈, experience 体验, "
                                "reading_salon 读书沙龙, exhibition 展示, other 其他 (GET /api/v1/forms)."},
        "mode": {"type": "string", "enum": list(MODES), "default": "offline",
                 "description": "offline 线下, online 线上, hybrid 线上线下结合."},
        "venue": text(200),
        "starts_at": DATE_TIME,
        "ends_at": {**DATE_TIME, "description": "After starts_at, at most 31 days later."},
        "news_links": array(NEWS_LINK, maxItems=20, description="http(s) addresses of news reports."),
        "courses": array(text(200), maxItems=50, description="Recommended courses."),
        "capacity": nullable({"type": "integer", "minimum": 1, "maximum": 1_000_000}),
    }


SCHEMAS = {
    "Error": obj({
        "error": obj({
            "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$",
                     "description": "A stable snake_case code that clients may branch on."},
            "message": {"type": "string",
                        "description": "A sentence for people, in the caller's language."},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "For validation errors: a message per bad field name."},
        }, required=("code", "message", "fields")),
    }, required=("error",), description="Every error of the API has this shape."),
    "User": obj({
        "id": POSITIVE,
        "username": {"type": "string"},
        "role": {"type": "string", "enum": list(ROLES)},
        "org_id": nullable(POSITIVE),
        "region_code": nullable(REGION_CODE),
    }, required=("id", "username", "role", "org_id", "region_code")),
    "TokenResponse": obj({
        "token": {"type": "string", "description": "The bearer token; shown once, stored hashed."},
        "user": ref("User"),
    }, required=("token", "user")),
    "Theme": obj({"key": {"type": "string", "enum": list(THEME_KEYS)},
                  "label": {"type": "string", "description": "The official Chinese label."}},
                 required=("key", "label")),
    "ActivityForm": obj({"key": {"type": "string", "enum": list(FORM_KEYS)},
                         "label": {"type": "string", "description": "The Chinese label."}},
                        required=("key", "label")),
    "Campaign": obj({
        "id": POSITIVE,
        "title": {"type": "string"},
        "slogan": nullable({"type": "string"}),
        "region_code": REGION_CODE,
        "starts_on": DAY,
        "ends_on": DAY,
        "plan_due_on": nullable(DAY),
        "report_due_on": nullable(DAY),
        "timezone": {"type": "string", "examples": ["Asia/Shanghai"],
                     "description": "IANA time zone; a \"day\" is the local calendar day here."},
        "parent_id": nullable({**POSITIVE, "description": "The national week this one is held under "
                               "(its figures count this one's activities too)."}),
    }, required=("id", "title", "slogan", "region_code", "starts_on", "ends_on", "plan_due_on",
                 "report_due_on", "timezone")),
    "Region": obj({"code": REGION_CODE, "name": {"type": "string"},
                   "level": {"type": "string", "enum": list(LEVELS)}},
                  required=("code", "name", "level")),
    "Activity": obj({
        "id": POSITIVE,
        "campaign_id": POSITIVE,
        "org_id": POSITIVE,
        "org_name": {"type": "string"},
        **_activity_fields(),
        "starts_at": {**DATE_TIME, "description": "In the campaign's time zone."},
        "ends_at": {**DATE_TIME, "description": "In the campaign's time zone."},
        "is_cancelled": {"type": "boolean"},
    }, required=("id", "campaign_id", "org_id", "org_name", "theme", "name", "content", "form",
                 "mode", "venue", "starts_at", "ends_at", "news_links", "courses", "capacity",
                 "is_cancelled")),
    "Resident": obj({
        "display_name": nullable({"type": "string"}),
        "age_group": nullable({"type": "string", "enum": list(AGE_GROUPS)}),
        "community": nullable({"type": "string"}),
        "code": nullable(CODE),
        "created_at": DATE_TIME,
    }, required=("display_name", "age_group", "community", "code", "created_at")),
    "Registration": obj({
        "code": CODE,
        "code_display": {"type": "string", "examples": ["ABCD-EFGH-JKMN-PQRS-T"],
                         "description": "The code in groups of four, to read aloud or type."},
        "resident_key": {"type": "string",
                         "description": "The resident's private key (shown once; keep it on the "
                                        "phone): `Authorization: Resident <resident_key>`."},
        "resident": ref("Resident"),
    }, required=("code", "code_display", "resident_key", "resident")),
    "SyncResult": obj({
        "id": {"type": ["string", "integer", "null"],
               "description": "The item's id as sent (null if it was missing or unusable)."},
        "status": {"type": "string", "enum": list(SYNC_STATUSES)},
        "reason": {"enum": [*REJECT_REASONS, None],
                   "description": "Why an item was rejected; null for every other status."},
    }, required=("id", "status", "reason")),
    "SyncResponse": obj({
        "server_time": {**DATE_TIME, "description": "The server's clock, to show a device its error."},
        "results": array(ref("SyncResult"), description="One result per item, in the order sent."),
        "summary": obj({status: COUNT for status in SYNC_STATUSES}, required=SYNC_STATUSES[:4],
                       description="How many results have each status; `voided` only when some do."),
    }, required=("server_time", "results", "summary")),
    "DayStats": obj({
        "date": DAY,
        "attendance": COUNT,
        "volunteers": COUNT,
        "scanned": COUNT,
        "headcount": COUNT,
    }, required=("date", "attendance", "volunteers", "scanned", "headcount")),
    "ActivityStats": obj({
        "activity_id": POSITIVE,
        "attendance": {**COUNT, "description": "参与人次: distinct (attendee code, day) accepted, "
                                               "plus accepted attendee headcounts."},
        "volunteers": {**COUNT, "description": "志愿者人次: distinct (volunteer code, day) accepted, "
                                               "plus accepted volunteer headcounts."},
        "scanned": {**COUNT, "description": "The part of attendance counted from codes."},
        "headcount": {**COUNT, "description": "The part of attendance counted as headcounts."},
        "volunteers_scanned": COUNT,
        "volunteers_headcount": COUNT,
        "held": {**COUNT, "description": "Check-ins held and still waiting for a site lead's "
                                          "decision; not counted."},
        "by_day": array(ref("DayStats"), description="Local calendar days, in order."),
    }, required=("activity_id", "attendance", "volunteers", "scanned", "headcount", "held",
                 "by_day")),
}

ACTIVITY_ID = path_id("activity_id", "The activity's id.")
# What a client can do next with a new activity (the submissions declare theirs likewise).
_NEW = {"activity_id": "$response.body#/id"}
ACTIVITY_LINKS = {
    "GetActivity": link("getActivity", **_NEW),
    "UpdateActivity": link("updateActivity", **_NEW),
    "GetActivityStats": link("getActivityStats", **_NEW),
    "ListCorrections": link("listCorrections", **_NEW),
    "UploadPhoto": link("uploadActivityPhoto", **_NEW),
    "ListPhotos": link("listActivityPhotos", **_NEW),
}

OPERATIONS = [
    # Auth
    operation(
        "POST", "/auth/token", "createToken", tag="Auth", security=PUBLIC,
        summary="Exchange a username and password for a bearer token",
        description="Devices and scripts sign in once and then send `Authorization: Bearer "
                    "<token>`. The token is shown only in this answer and stored hashed; it "
                    "expires after TOKEN_LIFETIME_DAYS (180 by default) and can be revoked. "
                    "Rate limited: 120 requests a minute per address, and 10 failed attempts "
                    "per username in 15 minutes.",
        body=TokenRequest,
        responses={201: ok("The new token and its user.", ref("TokenResponse")),
                   400: BAD_BODY,
                   401: error("Wrong username or password, or an inactive account.",
                              "invalid_credentials"),
                   413: TOO_LARGE, 429: RATE_LIMITED}),
    operation(
        "DELETE", "/auth/token", "revokeToken", tag="Auth",
        summary="Revoke the token this request is made with",
        description="Signs a device out: the token stops working at once. A read-only token "
                    "may do this too (its only write).",
        responses={204: ok("Revoked.")}),
    operation(
        "GET", "/me", "getMe", tag="Auth",
        summary="The user of the token",
        description="Who the token belongs to: role, unit and region decide what it may see.",
        responses={200: ok("The user.", ref("User"))}),

    # Reference data
    operation(
        "GET", "/themes", "listThemes", tag="Reference data", security=PUBLIC,
        summary="The nine activity themes, in the order of the statistics table",
        description="Public. The keys are what activities store in `theme`.",
        responses={200: ok("Every theme.", array(ref("Theme")))}),
    operation(
        "GET", "/forms", "listForms", tag="Reference data", security=PUBLIC,
        summary="The activity forms (讲座, 培训 …)",
        description="Public. The keys are what activities store in `form`.",
        responses={200: ok("Every form.", array(ref("ActivityForm")))}),
    operation(
        "GET", "/campaigns", "listCampaigns", tag="Reference data", security=PUBLIC,
        summary="Campaigns (activity weeks), newest first",
        description="Public.",
        query=CampaignListQuery,
        responses={200: ok("The campaigns.", array(ref("Campaign"))), 400: BAD_QUERY}),
    operation(
        "GET", "/regions", "listRegions", tag="Reference data", security=PUBLIC,
        summary="Regions with their GB/T 2260 codes",
        description="Public. Without `parent` (or with `parent=000000`, the whole country), the "
                    "provinces, municipalities and autonomous regions; with it, the regions directly "
                    "inside that region. An unknown parent gives an empty list. Every region of "
                    "GB/T 2260, from the data package `flask --app wsgi check` names.",
        query=RegionListQuery,
        responses={200: ok("The regions, ordered by code.", array(ref("Region"))), 400: BAD_QUERY}),

    # Activities
    operation(
        "POST", "/activities", "createActivity", tag="Activities", roles=PLANNERS,
        summary="Plan an activity of a unit",
        description="A site lead plans activities of its own unit; an admin of any unit. Every "
                    "bad field is reported at once in `fields`; a campaign or unit that does not "
                    "exist or that the caller may not manage is a validation error of "
                    "`campaign_id` or `org_id` (other units' ids reveal nothing).",
        body=ActivityInput,
        responses={201: ok("The new activity.", ref("Activity"), links=ACTIVITY_LINKS),
                   400: BAD_BODY, 403: forbidden_role(PLANNERS), 413: TOO_LARGE}),
    operation(
        "GET", "/activities", "listActivities", tag="Activities",
        summary="Activities the caller may see",
        description="A volunteer or site lead sees its unit's activities, a bureau user those of "
                    "every unit in its region, an admin all. Ordered by start.",
        query=ActivityListQuery,
        responses={200: ok("The activities.", array(ref("Activity"))), 400: BAD_QUERY}),
    operation(
        "GET", "/activities/{activity_id}", "getActivity", tag="Activities",
        summary="One activity",
        description="404 unless the caller may see the activity.",
        parameters=[ACTIVITY_ID],
        responses={200: ok("The activity.", ref("Activity")), 404: NOT_VISIBLE}),
    operation(
        "PATCH", "/activities/{activity_id}", "updateActivity", tag="Activities", roles=PLANNERS,
        summary="Change an activity",
        description="Only the fields given change. Setting `is_cancelled` cancels the activity "
                    "(its check-ins stay). The site lead of the activity's unit, or an admin.",
        parameters=[ACTIVITY_ID],
        body=ActivityPatch,
        responses={200: ok("The changed activity.", ref("Activity")),
                   400: BAD_BODY,
                   403: error("The caller's role may not change activities, or the caller may "
                              "see but not manage this unit.", "forbidden_role"),
                   404: NOT_VISIBLE, 413: TOO_LARGE}),

    # Residents
    operation(
        "POST", "/residents", "registerResident", tag="Residents", security=PUBLIC,
        summary="Register as a resident and get a sign-in code",
        description="Public, rate limited (60 a minute and 200 an hour per address). The answer "
                    "holds the `code` for the QR code (no personal data) and the private "
                    "`resident_key`, shown once. `consent: true` is required (else "
                    "`consent_required`); age group `under_14` also needs `guardian_consent: "
                    "true` (else `guardian_consent_required`).",
        body=ResidentInput,
        responses={201: ok("The resident, the code and the private key.", ref("Registration")),
                   400: CONSENT_ERRORS,
                   413: TOO_LARGE, 429: RATE_LIMITED}),
    operation(
        "GET", "/residents/me", "getResident", tag="Residents", security=RESIDENT,
        summary="The resident's own profile",
        description="With `Authorization: Resident <resident_key>`.",
        responses={200: ok("The profile and its current code.", ref("Resident")),
                   401: BAD_RESIDENT_KEY}),
    operation(
        "DELETE", "/residents/me", "eraseResident", tag="Residents", security=RESIDENT,
        summary="Erase the resident's personal data",
        description="Removes name, age group and community, revokes the codes (later scans of "
                    "them are rejected `revoked_code`) and invalidates the key. Every count "
                    "already reported stays exactly as it was.",
        responses={204: ok("Erased."), 401: BAD_RESIDENT_KEY}),

    # Sync and counts
    operation(
        "POST", "/sync", "syncCheckins", tag="Sync", roles=UNIT_WRITERS,
        summary="Upload queued check-ins from a scanner",
        description="""\
The scanner queues check-ins offline and uploads them in batches of at most {max_items}. The
answer is 200 whenever the batch could be read, with one result per item in the order sent: one
bad item never fails the batch. Items are decided in the order given.

**Idempotency.** `id` is made on the device. Sending the same `id` again, in any later batch,
from any device, answers the same status and reason as the first time and never changes a count;
an `id` repeated inside one batch gets one decision. So after a timeout or a lost answer, resend
the same items with the same ids. Whatever its status, an item with a result is settled for the
device: remove it from the outbox (a held item is resolved on the server, not by resending), and
make a new `id` only for a new scan.

**Clock correction.** Each `scanned_at` is corrected by the device's clock error, `server time at
receipt − sent_at`, before the server decides the day (the campaign's local calendar day) and
whether the scan lies in the activity's time. So `sent_at` must be the device's clock when it
sends, read from the same clock as `scanned_at`. `server_time` lets the device show its error.

**Statuses** (what the scanner should do):
- `accepted`: counted. Show success.
- `duplicate`: stored, not counted: an accepted check-in already counts this code for this
  activity, kind and day. Not an error: show "already signed in today".
- `held`: stored, not counted until a site lead resolves it: the corrected scan time lies more
  than {margin} hours before the activity's start or after its end. Tell the volunteer to check
  the activity chosen and the phone's clock; do not resend.
- `rejected`: not counted, kept in an audit log, with `reason`:
  - `invalid`: the item does not fit SyncItem (a bad id, activity_id, kind or scanned_at, a code
    whose check character is wrong, or both or neither of code and headcount). A bug of the
    scanner, or a mistyped code: rescan.
  - `unknown_code`: a well-formed code this server never issued. Ask the resident to register.
  - `revoked_code`: the code was replaced or its resident erased. The resident needs a new code.
  - `forbidden_activity`: not an activity the caller's unit may record into: another unit's,
    or one that does not exist (the two answer alike, so that ids reveal nothing). Refresh the
    list of activities, or sign in with an account of the activity's unit. Such items are kept
    in the sender's unit's audit list, not in the other unit's.
  - `unknown_activity`: no such activity, answered only to an admin (who may record into any
    activity, so learns nothing from it). Refresh the list of activities.
  - `void_not_allowed`: an undo that may not take effect (below).
- `voided`: the answer to a check-in's id once it was voided (by the phone's undo or a site
  lead): it no longer counts. Nothing to do.

**Undo (撤销).** An item `{"id", "kind": "void", "voids": "<id of an earlier item>",
"scanned_at"}` undoes an earlier check-in or tally of the **same user**, made at most 15 minutes
before the undo's corrected time (and at most a minute after it, for two batches' clock
corrections). It answers `accepted` when it voided the target (every count drops by what the
target had added, in the same transaction), `duplicate` when the target was voided already (or
by an earlier undo of this batch), `rejected` `void_not_allowed` otherwise: another user's item,
too late, a target never counted (held, duplicate, rejected, unknown, or later in the batch
than the undo), or the unit's table accepted by its bureau. An undo is an item like any other:
its own `id` makes it exactly once, resent or from another device. It may come in the batch of
its target, after it; after an undo, a later scan of the same person may count again that day.

A `headcount` item (anonymous walk-ins) is accepted once per id and never a duplicate. Any
valid code may be recorded as `attendee` or as `volunteer`; the two are counted separately.
More than {max_items} items answer 413 `batch_too_large`: split the batch.""",
        body=SyncRequest,
        responses={200: ok("One result per item, in the order sent, and their counts.",
                            ref("SyncResponse")),
                   400: error("The body is not a JSON object (`invalid_json`), or `device_id`, "
                              "`sent_at` or `checkins` is missing or not valid "
                              "(`validation_error`). Problems of single items are not errors: "
                              "they are results.", "invalid_json", "validation_error"),
                   403: forbidden_role(UNIT_WRITERS),
                   413: error("More items than the server takes in one request "
                              "(`batch_too_large`: split the batch), or a body larger than "
                              "MAX_CONTENT_LENGTH (`too_large`).", "batch_too_large", "too_large")}),
    operation(
        "GET", "/activities/{activity_id}/stats", "getActivityStats", tag="Sync",
        summary="Counts of one activity",
        description="人次 as the report counts them: a code counts once per local calendar day "
                    "and kind; accepted headcounts add up. Held, duplicate and rejected "
                    "check-ins are not counted.",
        parameters=[ACTIVITY_ID],
        responses={200: ok("The counts, in total and by day.", ref("ActivityStats")),
                   404: NOT_VISIBLE}),

    # This document
    operation(
        "GET", "/openapi.json", "getOpenApi", tag="Meta", security=PUBLIC,
        summary="This OpenAPI 3.1 document",
        description="Public.",
        responses={200: ok("The document.", {"type": "object"})}),
]

TAGS = [
    {"name": "Auth", "description": "Tokens for devices and scripts. 设备与脚本的令牌。"},
    {"name": "Reference data", "description": "Public reference data. 公开的基础数据。"},
    {"name": "Activities", "description": "Activities of units. 各单位的活动。"},
    {"name": "Residents", "description": "Registration and a resident's own data. 居民注册与个人数据。"},
    {"name": "Sync", "description": "Check-ins from scanners, and counts. 扫码签到上传与统计。"},
    {"name": "Reports", "description": "Statistics tables and counts for bureaus. 情况统计表与汇总数据。"},
    {"name": "Photos", "description": "Activity photos as evidence, from the phones. 活动照片（佐证材料）。"},
    {"name": "Meta", "description": "About the API itself. 关于本接口。"},
]

DESCRIPTION = """\
The JSON API of lwpwa: QR sign-in and automatic statistics for the Lifelong Learning Activity
Week. Machine clients send `Authorization: Bearer <token>` (POST /api/v1/auth/token). Every
error is `{"error": {"code", "message", "fields"}}` with the fitting HTTP status; rate limits
answer 429 with `Retry-After`. Times are ISO 8601 with an offset; a "day" is the local calendar
day in the campaign's time zone. Anything a caller may not see answers 404. `GET /healthz`
(outside /api/v1, not described here) answers 200 while the database is reachable and migrated.

lwpwa 的 JSON 接口：全民终身学习活动周的扫码签到与自动统计。设备和脚本使用
`Authorization: Bearer <令牌>`（通过 POST /api/v1/auth/token 获取）。所有错误的格式为
`{"error": {"code", "message", "fields"}}`，并带有相应的 HTTP 状态码；超出频率限制时返回 429
及 `Retry-After`。时间采用带时区偏移的 ISO 8601 格式；“一天”指活动所属活动周时区的当地日历日。
调用者无权查看的内容一律返回 404。"""


# Each feature documents its own endpoints (OPERATIONS) and schemas (SCHEMAS) beside its views.
FEATURE_DOCUMENTS = (report_openapi, resident_openapi, workspace_openapi, checkin_openapi, account_openapi,
                     pwa_openapi, evidence_openapi, flags_openapi)


def build_document(sync_max_items=SYNC_MAX_ITEMS, hold_margin_hours=6):
    """The OpenAPI 3.1 document, as a fresh dict."""
    paths = {}
    operations = [*OPERATIONS, *(operation for feature in FEATURE_DOCUMENTS for operation in feature.OPERATIONS)]
    for method, path, entry in operations:
        entry = copy.deepcopy(entry)
        entry["description"] = entry["description"].replace("{max_items}", str(sync_max_items)) \
                                                   .replace("{margin}", str(hold_margin_hours))
        paths.setdefault(path, {})[method] = entry
    schemas = copy.deepcopy(SCHEMAS)
    for feature in FEATURE_DOCUMENTS:
        schemas.update(copy.deepcopy(feature.SCHEMAS))
    for name, model in DECLARED_BODIES.items():  # generated from the request declarations
        schema = model.json_schema()
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    schemas["SyncRequest"]["properties"]["checkins"]["maxItems"] = sync_max_items
    return {
        "openapi": "3.1.0",
        "info": {"title": "lwpwa API", "version": API_VERSION, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "tags": copy.deepcopy(TAGS),
        "security": copy.deepcopy(BEARER),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A token from POST /api/v1/auth/token."},
                "resident": {"type": "apiKey", "in": "header", "name": "Authorization",
                             "description": "`Authorization: Resident <resident_key>`, with the "
                                            "key from POST /api/v1/residents."},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    config = current_app.config
    return jsonify(build_document(config["SYNC_MAX_ITEMS"], config["SYNC_HOLD_MARGIN_HOURS"]))
