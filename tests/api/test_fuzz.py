"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis):
whatever a client sends, the answer is never a server error."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from config import TestConfig

# The suite runs a fixed, reproducible sample; FUZZ_EXAMPLES=500 FUZZ_RANDOM=1 explores.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
DERANDOMIZE = not os.environ.get("FUZZ_RANDOM")


@pytest.fixture(scope="module")
def fuzz_app(database_url):
    from eventsys import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    return create_app(Config())


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)


@pytest.fixture
def organiser_with_data(app, make_event, make_user):
    """An admin's token, and an event with registrations for the ids to hit."""
    from eventsys import database
    from eventsys.auth import operations
    from eventsys.auth.models import Role
    from eventsys.registration import operations as reg_ops

    now = datetime.now(UTC)
    event_id = make_event(
        capacity=1,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=5),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=19),
    )
    with app.app_context():
        admin = operations.create_user(
            "admin@nettverket.no", "passord-passord", role=Role.admin, verified=True
        )
        token = operations.issue_api_token(admin)
        for email in ("a@gmail.com", "b@gmail.com"):
            reg_ops.register(event_id, reg_ops.Person(email=email, vouched=True), None)
        database.commit()
    return token


def test_the_api_never_answers_with_a_server_error(fuzz_schema, organiser_with_data):
    headers = {"Authorization": f"Bearer {organiser_with_data}"}
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        check()
