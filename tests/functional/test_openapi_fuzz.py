"""Fuzz every documented operation through the app's own OpenAPI document (schemathesis):
no generated request may produce a 5xx or a response that breaks its documented schema.
New endpoints join automatically."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.accounts.models import Role
from tests.factories.accounts import make_user

MAX_EXAMPLES = 15


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def fuzz_headers(session):
    return make_user(session, Role.CONSUMER).headers


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_5xx_and_documented_shapes(case, fuzz_headers):
    headers = dict(case.headers or {})
    headers.setdefault("Authorization", fuzz_headers["Authorization"])
    case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
