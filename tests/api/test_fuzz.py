"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis):
whatever a client sends, and in whatever order it calls the operations, the answer is
never a server error.

Reproducible: the examples are drawn from a fixed seed, and the example database is
kept (`.hypothesis/`), so a failure found once is tried first on the next runs.
`FUZZ_EXAMPLES=500 FUZZ_RANDOM=1 pytest tests/api/test_fuzz.py` explores further."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import schemathesis
from conftest import _empty_tables
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from config import TestConfig

# The example count, per operation and for the state machine's scenarios: set here.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ_SEED = None if os.environ.get("FUZZ_RANDOM") else 20270201
EXAMPLES = Path(__file__).resolve().parents[2] / ".hypothesis" / "api-fuzz"


def reproducible(test, examples: Path, **options):
    """A fixed seed (unless FUZZ_RANDOM), and the example database kept: hypothesis'
    @seed turns the database off, so the settings with it are put back after it.
    Each test gets its own database folder (the operations share one function)."""
    if FUZZ_SEED is not None:
        test = seed(FUZZ_SEED)(test)
    return settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=DirectoryBasedExampleDatabase(examples),
        **options,
    )(test)


@pytest.fixture(scope="module")
def fuzz_app(database_url):
    from eventsys import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    return create_app(Config())


@pytest.fixture(scope="module")
def examples(fuzz_app) -> Path:
    """The example database's folder for this version of the document: examples saved
    against another set of operations and links would not replay."""
    document = fuzz_app.test_client().get("/api/v1/openapi.json").get_json()
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    return EXAMPLES / digest[:16]


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)


@pytest.fixture
def organiser_with_data(app, make_event):
    """An admin's token, and an event with registrations for the ids to hit."""
    return _world(app, make_event)


def _world(app, make_event) -> str:
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


def test_no_operation_answers_with_a_server_error(fuzz_schema, organiser_with_data, examples):
    headers = {"Authorization": f"Bearer {organiser_with_data}"}
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        slug = re.sub(r"[^a-z0-9]+", "-", operation.label.lower()).strip("-")
        reproducible(given(case=operation.as_strategy())(check), examples / slug)()


@pytest.fixture(scope="module")
def stateful_schema(fuzz_app):
    """Valid calls only, so that sequences get past the first step; the document's own
    links only (schemathesis' inference guesses more, in an order that varies)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    schema.config.phases.stateful.inference.algorithms = []
    return schema


def test_sequences_of_calls_follow_the_links_without_a_server_error(
    stateful_schema, app, make_event, examples
):
    """Stateful: the document's links lead from a created (or listed) event or
    registration to the calls on it, so the fuzzing reaches real ids.

    Every scenario starts from the same data (the tables emptied, ids from 1 again):
    hypothesis replays a scenario's first steps to explore from there, and a replay
    must get the same answers (a registration that a previous scenario left behind
    would turn a 201 into a 409, and hypothesis calls that flaky)."""
    token = {}
    answered = Counter()

    class Calls(stateful_schema.as_state_machine()):
        def setup(self):
            _empty_tables(app)
            token["value"] = _world(app, make_event)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token['value']}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            answered[case.operation.label, response.status_code // 100] += 1
            case.validate_response(response, checks=[not_a_server_error])

    if FUZZ_SEED is not None:
        seed(FUZZ_SEED)(Calls)
    Calls.run(
        settings=settings(
            max_examples=FUZZ_EXAMPLES,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=DirectoryBasedExampleDatabase(examples / "stateful"),
        )
    )

    # The links were followed: calls on an id taken from an earlier answer succeeded
    # (random ids would all be 404s).
    on_real_ids = [
        label for (label, kind), n in answered.items() if "{" in label and kind == 2 and n
    ]
    assert len(on_real_ids) >= 3, answered
