"""schemathesis against /api/openapi.json (bounded: a few examples per operation), as the county
officer of the demo county, in-process through the WSGI app on the test database. Every response
must be one the document declares (status, content type, body schema), and none a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jiceng.core.services import api_token_create
from jiceng.wsgi import application
from tests.counts import count_cases

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
EXAMPLES = 8


@pytest.fixture
def in_process():
    """As Django's test client does: the WSGI handler must not close the test's connection at the
    end of each request (PostgreSQL would lose the test transaction; SQLite's in-memory one ignores it)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(demo_county, in_process):
    _t, plaintext = api_token_create(actor=demo_county["county"], name="schemathesis")
    return plaintext


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_as_its_document_says(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    count_cases("schemathesis")
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
