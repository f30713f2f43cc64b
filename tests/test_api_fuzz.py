"""The API fuzzed from its own OpenAPI schema (schemathesis): no input makes a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from worldcup.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_a_server_error(case, season_2012_13):
    """The 2012–13 season is loaded, so that generated slugs sometimes hit real data."""
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
