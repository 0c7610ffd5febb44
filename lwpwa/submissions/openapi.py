"""OpenAPI entries of the submissions (the record), listed with the reports' (lwpwa/reports/openapi.py)."""
from ..api.spec import (BAD_BODY, BAD_QUERY, COUNT, DATE_TIME, REGION_CODE, TOO_LARGE, array, declared_body,
                        error, forbidden_role, link, nullable, obj, ok, operation, path_id, ref, text)
from .declarations import (AcceptDecision, ReturnDecision, SubmitTable, VerifyFile, VerifyQuery, VerifyUpload,
                           VersionsQuery)

SUBMITTERS = ("site_lead", "admin")
READERS = ("volunteer", "site_lead", "bureau", "admin")
DECIDERS = ("bureau", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FINGERPRINT = {"type": "string", "pattern": "^[0-9a-f]{64}$",
               "description": "SHA-256 (hex) of the version's canonical serialization: JSON of the frozen "
                              "snapshot with keys sorted, ensure_ascii off, Python's default separators "
                              "(', ' and ': '), UTF-8. Printed on the .xlsx and the print view as 校验码."}
STATUS = {"type": "string", "enum": ["submitted", "accepted", "returned"]}

SCHEMAS = {
    "Submission": obj({
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["unit", "region"],
                 "description": "A unit's table, or a bureau's own region table handed upward."},
        "org_id": nullable({"type": "integer"}),
        "region_code": REGION_CODE,
        "campaign_id": {"type": "integer"},
        "version": {"type": "integer", "minimum": 1, "description": "1, 2, … per unit (or region) and campaign."},
        "status": STATUS,
        "submitted_at": DATE_TIME,
        "submitted_by": nullable(text(description="The submitter's username.")),
        "fingerprint": FINGERPRINT,
        "totals": {"type": "object", "description": "As the counts API's totals (a region's also units_missing)."},
        "comment": nullable(text(1000)),
        "decided_by": nullable(text()),
        "decided_at": nullable(DATE_TIME),
        "changed_since": {"type": "boolean",
                          "description": "In lists: whether the live table (a region's: on the submitted basis) "
                                         "now differs from this version."},
    }, required=("id", "org_id", "campaign_id", "version", "status", "submitted_at", "submitted_by",
                 "fingerprint", "totals", "comment", "decided_by", "decided_at")),
    "SubmissionFound": {"allOf": [ref("Submission"), obj({
        "campaign_title": text(), "org_name": nullable(text()), "region_name": text()})]},
    "FileCheck": obj({
        "valid": {"type": "boolean", "description": "True when every cell of every sheet equals the version's."},
        "fingerprint": nullable(FINGERPRINT),
        "problem": nullable({"type": "string", "enum": ["not_xlsx", "no_fingerprint", "unknown_fingerprint",
                                                        "changed"]}),
        "differences": array(obj({"sheet": text(), "row": COUNT, "column": COUNT,
                                  "expected": nullable(text()), "found": nullable(text())}),
                             description="The first 20 cells that differ."),
        "submission": nullable(ref("SubmissionFound")),
    }, required=("valid", "fingerprint", "problem", "differences", "submission")),
}

ORG = path_id("org_id", "The unit's id.")
SUBMISSION = path_id("submission_id", "The submission's id.")
CODE = {"name": "code", "in": "path", "required": True, "schema": REGION_CODE, "description": "A region code."}
NOT_FOUND = error("No such unit, region, campaign or submission, or not one the caller may see.", "not_found")
ACCEPTED_409 = error("The latest version is accepted: the table is the record until a bureau returns it.",
                     "table_accepted", "conflict")
DECIDED_409 = error("This version was decided already (`already_decided`), or a newer version exists "
                    "(`not_latest`): only the latest version can be decided, once.", "already_decided", "not_latest")
FROZEN = ("The server freezes the table (every activity with every figure, the scanned and tallied parts "
          "and the per-day figures, the contacts, the version number), numbers it (the largest version + 1; "
          "two submits at once get two numbers) and stores the SHA-256 fingerprint of its canonical "
          "serialization.")


def version_links(listing, **where):
    """What a client can do next with the version a submit answers: read, decide, verify, list."""
    by_id = {"submission_id": "$response.body#/id"}
    return {
        "getVersion": link("getSubmission", **by_id),
        "acceptVersion": link("acceptSubmission", **by_id),
        "returnVersion": link("returnSubmission", **by_id),
        "verifyFingerprint": link("verifyFingerprint", fingerprint="$response.body#/fingerprint"),
        "listVersions": link(listing, **where, campaign_id="$request.body#/campaign_id"),
    }


def decision(action, operation_id, summary, description, answer, *, body):
    """POST /submissions/<id>/accept or /return: the same roles, errors and answer; only the
    body differs (whether a comment is required)."""
    return operation(
        "POST", f"/submissions/{{submission_id}}/{action}", operation_id, tag="Reports", roles=DECIDERS,
        summary=summary, description=description, parameters=[SUBMISSION], body=body,
        responses={200: ok(answer, ref("Submission")),
                   400: BAD_BODY, 403: error("Not a bureau, or the bureau of the region itself.", "forbidden_role",
                                             "not_your_decision"),
                   404: NOT_FOUND, 409: DECIDED_409, 413: TOO_LARGE})


OPERATIONS = [
    operation(
        "POST", "/orgs/{org_id}/submissions", "submitUnitTable", tag="Reports", roles=SUBMITTERS,
        summary="Submit the unit's statistics table (a new version)",
        description=FROZEN + " Refused while the latest version is accepted.",
        parameters=[ORG], body=SubmitTable,
        responses={201: ok("The new version.", ref("Submission"),
                           links=version_links("listUnitSubmissions", org_id="$request.path.org_id")),
                   400: BAD_BODY, 403: forbidden_role(SUBMITTERS), 404: NOT_FOUND, 409: ACCEPTED_409,
                   413: TOO_LARGE}),
    operation(
        "GET", "/orgs/{org_id}/submissions", "listUnitSubmissions", tag="Reports", roles=READERS,
        summary="Every version of the unit's table, newest first",
        description="For the unit and the bureaus above it; each with its status, the bureau's comment and "
                    "`changed_since` (whether the live table differs from it).",
        parameters=[ORG], query=VersionsQuery,
        responses={200: ok("The versions.", array(ref("Submission"))),
                   400: BAD_QUERY, 403: forbidden_role(READERS), 404: NOT_FOUND}),
    operation(
        "POST", "/regions/{code}/submissions", "submitRegionTable", tag="Reports", roles=DECIDERS,
        summary="Submit a bureau's own region table upward (a new version)",
        description="By the bureau of exactly this region (or an admin): the region's table on the submitted "
                    "basis (each unit's latest version; `totals.units_missing`), frozen and fingerprinted "
                    "like a unit's. A bureau of a larger region holding it accepts or returns it.",
        parameters=[CODE], body=SubmitTable,
        responses={201: ok("The new version.", ref("Submission"),
                           links=version_links("listRegionSubmissions", code="$request.path.code")),
                   400: BAD_BODY, 403: error("Not a bureau, or not this region's bureau.", "forbidden_role",
                                             "not_your_region"),
                   404: NOT_FOUND, 409: ACCEPTED_409, 413: TOO_LARGE}),
    operation(
        "GET", "/regions/{code}/submissions", "listRegionSubmissions", tag="Reports", roles=DECIDERS,
        summary="Every version of a region's own table, newest first",
        description="For the bureaus that see the region; `changed_since` compares with the region's table "
                    "on the submitted basis now.",
        parameters=[CODE], query=VersionsQuery,
        responses={200: ok("The versions.", array(ref("Submission"))),
                   400: BAD_QUERY, 403: forbidden_role(DECIDERS), 404: NOT_FOUND}),
    operation(
        "GET", "/submissions/{submission_id}", "getSubmission", tag="Reports", roles=READERS,
        summary="One version", description="As listed, for whoever may see its unit or region.",
        parameters=[SUBMISSION],
        responses={200: ok("The version.", ref("Submission")),
                   403: forbidden_role(READERS), 404: NOT_FOUND}),
    decision("accept", "acceptSubmission", "Accept the latest version",
             "A bureau whose region holds the unit (for a region's table: a larger region holding it), "
             "or an admin. Corrections of the unit are refused (409 `table_accepted`) until returned.",
             "The version, now accepted.", body=AcceptDecision),
    decision("return", "returnSubmission", "Return the latest version with a comment",
             "As accept; `comment` is required (what the unit should correct). The unit sees it, "
             "corrects and submits a new version.", "The version, now returned.", body=ReturnDecision),
    operation(
        "GET", "/submissions/verify", "verifyFingerprint", tag="Reports", roles=READERS,
        summary="Which version a fingerprint (校验码) belongs to",
        description="Any signed-in bureau or admin (a paper copy travels), or a user of the unit itself: "
                    "which unit (or region), campaign, version, time and totals; 404 if none.",
        query=VerifyQuery,
        responses={200: ok("The version.", ref("SubmissionFound")),
                   400: BAD_QUERY, 403: forbidden_role(READERS), 404: NOT_FOUND}),
]

VERIFY_FILE = operation(
    "POST", "/submissions/verify", "verifyFile", tag="Reports", roles=READERS,
    summary="Check a downloaded .xlsx cell by cell against the version its 校验码 names",
    description="The body is the file itself (Content-Type of .xlsx), a multipart file part `file`, or JSON "
                "`{\"xlsx_base64\"}`. The server renders the version again and compares every cell of every "
                "sheet: an edited file keeps its 校验码 but answers `valid: false`, `problem: changed`, with "
                "the cells that differ. A live download carries no 校验码 (`no_fingerprint`).",
    body=VerifyFile,
    responses={200: ok("The result.", ref("FileCheck")),
               400: BAD_BODY, 403: forbidden_role(READERS), 413: TOO_LARGE})
VERIFY_FILE[2]["requestBody"]["content"][XLSX] = {"schema": {"type": "string", "format": "binary", "minLength": 1}}
VERIFY_FILE[2]["requestBody"]["content"]["multipart/form-data"] = {"schema": declared_body(VerifyUpload)}
OPERATIONS.append(VERIFY_FILE)
