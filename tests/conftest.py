"""Test fixtures. The suite runs on SQLite by default and on PostgreSQL when
TEST_DATABASE_URL points at one (`make test` does both).

Schema: built once per run by the Alembic migrations, so every run also tests them.
Isolation: every table is emptied after each test. (A rolled-back outer transaction
would be faster, but the operations under test commit, lock rows and run in several
processes; emptying the tables keeps the tests honest about all of that.)
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from config import TestConfig

# A fixed "now" for tests of time-based rules: 1 February 2027, 10:00 in Oslo.
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)

_run_dir = Path(os.environ.get("PYTEST_TMPDIR", "/tmp")) / f"eventsys-tests-{os.getpid()}"


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    _run_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{_run_dir / 'test.sqlite'}"


def pytest_report_header(config):
    return f"database: {_database_url().split('@')[-1]}"


@pytest.fixture(scope="session")
def database_url():
    return _database_url()


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from eventsys import create_app
    from eventsys.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config())
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.engine.dispose()
            path = database_url.removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_tables(app):
    from eventsys import database
    from eventsys.extensions import db

    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f'DELETE FROM "{table}"'))
                for table in database.HAND_MADE_TABLES:  # FTS5: no foreign keys
                    conn.execute(text(f'DELETE FROM "{table}"'))
                if _has_sequence(conn):
                    conn.execute(text("DELETE FROM sqlite_sequence"))


def _has_sequence(conn) -> bool:
    return bool(
        conn.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
        ).scalar()
    )


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" in request.fixturenames:
        _empty_tables(request.getfixturevalue("app"))


@pytest.fixture
def ctx(app):
    """An application context for calling operations directly; yields the session."""
    from eventsys.extensions import db

    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- e-mail: a real SMTP server on loopback -------------------------------------------


class Mailbox:
    """What the SMTP server received. Mail leaves the app only through the worker, so
    reading the mailbox first runs the worker's delivery passes (`eventsys worker`
    does the same in production); `received` is the raw list without that step."""

    def __init__(self, app=None):
        self.received: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()
        self.app = app

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def deliver(self) -> int:
        """Run the worker until nothing is due, as `eventsys worker --once` does."""
        from eventsys.working import Worker

        with self.app.app_context():
            return Worker().drain()

    @property
    def messages(self) -> list:
        if self.app is not None:
            self.deliver()
        return self.received

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str):
        found = self.to(address)
        assert found, f"no e-mail to {address}; got {[m['To'] for m in self.messages]}"
        return found[-1]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def links(self, message) -> list[str]:
        return re.findall(r"https?://\S+", self.body(message))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving_mail(app, mailbox):
    """An aiosmtpd server on loopback for `mailbox`, with the app's MAIL_* pointed at it."""
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = port
    try:
        yield mailbox
    finally:
        controller.stop()
        app.config.update(saved)


@pytest.fixture
def smtp(app):
    with serving_mail(app, Mailbox(app)) as mailbox:
        yield mailbox


# --- factories and helpers ---------------------------------------------------------------


@pytest.fixture
def make_user(app):
    from eventsys import database
    from eventsys.auth import operations
    from eventsys.auth.models import Role

    def make(
        email="kari@uib.no",
        password="riktig-passord-1",
        role="participant",
        verified=True,
        name="Kari",
    ):
        with app.app_context():
            user = operations.create_user(
                email, password, name=name, role=Role(role), verified=verified
            )
            user_id = user.id
            database.commit()
        return user_id

    return make


@pytest.fixture
def api_token(app):
    """An API token for a user (made, verified, with the role, when new)."""
    from eventsys import database
    from eventsys.auth import operations
    from eventsys.auth.models import Role

    def make(email, role="participant"):
        with app.app_context():
            user = operations.find_user(email) or operations.create_user(
                email, "passord-passord", role=Role(role), verified=True
            )
            value = operations.issue_api_token(user)
            database.commit()
        return value

    return make


@pytest.fixture
def make_org(app):
    from datetime import date

    from eventsys import database
    from eventsys.organisations import operations

    def make(
        name="Universitetet i Bergen",
        domains=("uib.no",),
        kind="institution",
        org_number=None,
        periods=(("owner", date(2026, 1, 1), date(2027, 12, 31), "2000+"),),
    ):
        with app.app_context():
            org = operations.create_organisation(name, kind, org_number, list(domains))
            for role, start, end, band in periods:
                operations.add_ownership(org, role, start, end, band)
            org_id = org.id
            database.commit()
        return org_id

    return make


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def submit(client):
    """GET a page, take its CSRF token, POST the form like a browser would."""

    def post(url, data, page=None, **kwargs):
        html = client.get(page or url).get_data(as_text=True)
        return client.post(url, data={"csrf_token": csrf_token(html), **data}, **kwargs)

    return post


def client_of(app, email, password="riktig-passord-1"):
    """A browser of its own (a separate cookie jar), logged in as `email`."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def login(submit):
    def do(email="kari@uib.no", password="riktig-passord-1"):
        response = submit("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


@pytest.fixture
def make_event(app):
    """A published event (fields as keyword overrides); returns its id."""
    from eventsys import database
    from eventsys.events import operations

    def make(**overrides):
        values = dict(
            title="Seminar om studentengasjement",
            kind="seminar",
            format="on_site",
            starts_at=NOW + timedelta(days=30),
            ends_at=NOW + timedelta(days=30, hours=6),
            capacity=2,
            registration_opens_at=NOW - timedelta(days=1),
            registration_closes_at=NOW + timedelta(days=29),
            priority_deadline=None,
            fee=75000,
            venue="Universitetet i Bergen, Universitetsaulaen",
        )
        values.update(overrides)
        status = values.pop("status", "published")
        with app.app_context():
            event = operations.create_event(values, None, status=status)
            database.commit()
            return event.id

    return make


@pytest.fixture
def owners(make_org):
    """UiB is an owner through 2027; BI is not a member."""
    from datetime import date

    make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        periods=[("owner", date(2026, 1, 1), date(2027, 12, 31), "2000+")],
    )
    make_org("Handelshøyskolen BI", ["bi.no"], kind="other", periods=[])


# --- Stripe: the real `stripe` library against a fake Stripe over HTTP on loopback ------


@pytest.fixture
def fake_stripe(app, client):
    """A running fake Stripe wired into the app; its webhooks go to /stripe/webhook,
    signed with Stripe's scheme."""
    from tests.fakestripe import FakeStripe

    keys = ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
    saved = {k: app.config.get(k) for k in keys}
    webhook_client = app.test_client()
    with FakeStripe(sender=FakeStripe.flask_sender(webhook_client, "/stripe/webhook")) as fake:
        app.config.update(
            STRIPE_API_BASE=fake.base_url,
            STRIPE_SECRET_KEY=fake.api_key,
            STRIPE_WEBHOOK_SECRET=fake.webhook_secret,
        )
        try:
            yield fake
            fake.flush()
        finally:
            app.config.update(saved)


def upcoming(days=30, **overrides):
    """Event fields relative to the real clock, which the views check registration
    windows against."""
    now = datetime.now(UTC)
    values = dict(
        starts_at=now + timedelta(days=days),
        ends_at=now + timedelta(days=days, hours=6),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=days - 1),
    )
    values.update(overrides)
    return values


@pytest.fixture
def network(make_org):
    """UiB is an owner around today; BI is not a member."""
    from datetime import date

    today = date.today()
    make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        periods=[("owner", today - timedelta(days=365), today + timedelta(days=730), "2000+")],
    )
    make_org("Handelshøyskolen BI", ["bi.no"], kind="other", periods=[])


# The API client that checks every answer against the OpenAPI document.
pytest_plugins = ["openapi_check"]


@pytest.fixture
def event_with_people(app, make_event):
    """A free event starting `starts_in` from now (negative: already started) with
    people an organiser registered; `people` is a list of (name, e-mail) or a number.
    Returns (event id, registration ids in the order given)."""
    from eventsys import database
    from eventsys.registration import operations as reg_ops

    def make(people, starts_in=timedelta(hours=1), **overrides):
        if isinstance(people, int):
            people = [(f"P{i}", f"p{i}@gmail.com") for i in range(people)]
        now = datetime.now(UTC)
        start = now + starts_in
        before = min(start, now)
        values = {
            "capacity": max(len(people), 2),
            "fee": 0,
            "starts_at": start,
            "ends_at": start + timedelta(hours=5),
            "registration_opens_at": before - timedelta(days=20),
            "registration_closes_at": before - timedelta(minutes=5),
        }
        event_id = make_event(**{**values, **overrides})
        with app.app_context():
            ids = [
                reg_ops.register(
                    event_id,
                    reg_ops.Person(email=email, name=name, vouched=True),
                    None,
                    now=before - timedelta(days=1),
                ).id
                for name, email in people
            ]
            database.commit()
        return event_id, ids

    return make
