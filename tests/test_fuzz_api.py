"""Schemathesis fuzzes every operation of /api/v1/openapi.json: no 5xx, and every answer
(status, content type, headers, body) is what the document says."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(app):
    def isolated(environ, start_response):
        # Each request in an app context of its own, as gunicorn would run it.
        with app.app_context():
            return app(environ, start_response)

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated)


@pytest.fixture
def fuzz_headers(unit, make):
    """An admin token, so that every operation is reachable, and data for it to find."""
    return make.auth(make.user("admin"))


def test_every_operation_holds_to_the_document(api_schema, fuzz_headers):
    problems = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def holds(case):
            case.call_and_validate(headers=fuzz_headers, checks=CHECKS)

        try:
            holds()
        except Exception as exc:  # noqa: BLE001 - every operation's failure is listed at the end
            problems.append(f"{operation.label}: {exc}")
    assert not problems, "\n\n".join(problems)
