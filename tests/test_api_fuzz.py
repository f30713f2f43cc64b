"""The API fuzzed from its own OpenAPI schema (schemathesis): no input makes a server error."""

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from worldcup.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def loaded(django_db_setup, django_db_blocker):
    """The 2012–13 season, so that generated slugs sometimes hit real data."""
    with django_db_blocker.unblock():
        call_command("loaddata", "nations", "season_2012_13", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_a_server_error(case, loaded):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
