"""OpenAPI entries of the statistics tables and the counts API (see lwpwa/api/openapi.py)."""
from ..api.spec import (BAD_QUERY, COUNT, DATE_TIME, REGION_CODE, array, binary, error, nullable, obj,
                        operation, path_id, ref, text)
from ..submissions import openapi as submissions_openapi
from .declarations import BASES, GROUPS, OrgReportQuery, RegionReportQuery, StatsQuery

REPORTERS = ("site_lead", "bureau", "admin")
BUREAUS = ("bureau", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Each count and its two parts: scanned (a code, verified) + tallied (walk-ins counted by hand).
FIGURES = {
    "attendance": {**COUNT, "description": "Participations (人次): attendance_scanned + attendance_tallied."},
    "attendance_scanned": {**COUNT, "description": "Participations recorded by scanning a code (其中：扫码签到)."},
    "attendance_tallied": {**COUNT, "description": "Walk-ins counted without a code (其中：现场计数)."},
    "volunteers": {**COUNT, "description": "Volunteer person-times: volunteers_scanned + volunteers_tallied."},
    "volunteers_scanned": {**COUNT, "description": "Volunteers recorded by scanning a code."},
    "volunteers_tallied": {**COUNT, "description": "Volunteers counted without a code."},
}

SCHEMAS = {
    "StatsRow": obj({
        "key": text(description="The unit's id, the theme key, the ISO date or the region code, as a string."),
        "label": text(),
        "activities": COUNT,
        **FIGURES,
        "submission": nullable(obj({"version": {"type": "integer"}, "status": {"type": "string",
                                    "enum": ["submitted", "accepted", "returned"]}, "submitted_at": DATE_TIME},
                                   required=("version", "status", "submitted_at"))),
    }, required=("key", "label", "activities", *FIGURES)),
    "StatsTotals": obj({"activities": COUNT, **FIGURES,
                        "units_missing": {**COUNT, "description": "basis=submitted: units without any version."}},
                       required=("activities", *FIGURES)),
    "Stats": obj({
        "campaign_id": {"type": "integer"},
        "region_code": REGION_CODE,
        "group_by": {"type": "string", "enum": list(GROUPS)},
        "basis": {"type": "string", "enum": list(BASES)},
        "generated_at": DATE_TIME,
        "totals": ref("StatsTotals"),
        "rows": array(ref("StatsRow")),
    }, required=("campaign_id", "region_code", "basis", "generated_at", "totals", "rows")),
    **submissions_openapi.SCHEMAS,
}

NO_CAMPAIGN = error("No such unit, region or campaign, or not one the caller may see.", "not_found")
ETAG = {"ETag": {"description": "Changes when the counts change.", "schema": {"type": "string"}}}
TABLE_DESCRIPTION = (
    "The statistics table (情况统计表) of the Shanxi notice as .xlsx: title, 填报单位（公章）, the "
    "date; a header row 活动主题 + the nine themes, each merged over one column per activity (or "
    "one empty column) + 合计; rows 活动内容, 活动名称, 活动形式, 参与（或受益）人数（人次）, "
    "志愿者人数（人次）, 新闻链接; under each of the two count rows, 其中：扫码签到（人次） and "
    "其中：现场计数（人次） (scanned + counted = the row above). Counts are plain integers equal to "
    "each activity's stats; "
    "cancelled activities are left out; text is never stored as a formula. The title is the "
    "campaign's table title (e.g. 山西省 2022 年全民终身学习活动周情况统计表); the date is the day "
    "of the unit's submitted version when the table says the same, else 年 月 日 is left blank; a "
    "theme without an activity has an empty column (no 0). Printed, the sheet goes onto A4 "
    "landscape pages at 100 %, four columns a page, column A and the header row repeated.")

OPERATIONS = [
    operation(
        "GET", "/orgs/{org_id}/report.xlsx", "getOrgReport", tag="Reports", roles=REPORTERS,
        summary="A unit's statistics table (.xlsx)",
        description=TABLE_DESCRIPTION + " Below the table: 负责人, 填报人, 联系电话 and the notes.",
        parameters=[path_id("org_id", "The unit's id.")], query=OrgReportQuery,
        responses={200: binary("The table.", XLSX), 400: BAD_QUERY, 403: error(
            "Volunteers do not download tables.", "forbidden_role"), 404: NO_CAMPAIGN}),
    operation(
        "GET", "/regions/{code}/report.xlsx", "getRegionReport", tag="Reports", roles=BUREAUS,
        summary="A region's statistics table, summed over its units (.xlsx)",
        description=TABLE_DESCRIPTION + " Summed over every unit in the region, one column per "
                    "theme; a second sheet 按单位 has one row per unit (with both counts and their "
                    "parts) and a 合计 row.",
        parameters=[{"name": "code", "in": "path", "required": True, "schema": REGION_CODE,
                     "description": "A province, city or county code inside the caller's region."}],
        query=RegionReportQuery,
        responses={200: binary("The table.", XLSX), 400: BAD_QUERY,
                   403: error("Only bureaus and admins.", "forbidden_role"), 404: NO_CAMPAIGN}),
    operation(
        "GET", "/stats", "getStats", tag="Reports", roles=BUREAUS,
        summary="Counts of a region, live or as submitted, grouped by unit, theme, day, province, city or county",
        description="Counts only, never personal data. `region` defaults to the caller's own "
                    "region (an admin's: the whole country, 000000). Answers 304 to a matching If-None-Match; "
                    "`format=csv` gives the same rows as CSV in UTF-8 with a BOM.",
        query=StatsQuery,
        responses={200: {"description": "The counts.", "headers": ETAG,
                       "content": {"application/json": {"schema": ref("Stats")},
                                   "text/csv": {"schema": {"type": "string"}}}},
                   304: {"description": "Not modified: the counts behind the given ETag are unchanged.",
                         "headers": ETAG},
                   400: BAD_QUERY, 403: error("Only bureaus and admins.", "forbidden_role"),
                   404: NO_CAMPAIGN}),
]

OPERATIONS += submissions_openapi.OPERATIONS
