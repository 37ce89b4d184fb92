"""A locked database gives the 503 page, rendered without the database, also for a
logged-in person (whose session itself is read from the database)."""

from __future__ import annotations

import contextlib
import threading

import pytest
from conftest import csrf_token
from sqlalchemy import create_engine


@contextlib.contextmanager
def _database_locked(url):
    """Another connection holds the lock every request needs (the write lock on SQLite,
    an exclusive lock on the sessions table on PostgreSQL) until the block ends."""
    engine = create_engine(url)
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")
        conn.exec_driver_sql("LOCK TABLE user_sessions IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()
        engine.dispose()


@pytest.fixture
def impatient_app(app, database_url):
    """A second app on the same database that waits only 200 ms for a lock."""
    from config import TestConfig
    from eventsys import create_app
    from eventsys.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        LOCK_TIMEOUT_MS = 200
        SQLITE_BUSY_TIMEOUT_MS = 200

    other = create_app(Config())
    yield other
    with other.app_context():
        db.engine.dispose()


def test_a_locked_database_gives_a_logged_in_person_the_503_page(
    impatient_app, make_user, database_url
):
    make_user("kari@uib.no")
    client = impatient_app.test_client()
    html = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "csrf_token": csrf_token(html),
            "email": "kari@uib.no",
            "password": "riktig-passord-1",
        },
    )
    page = client.get("/account")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))

    with _database_locked(database_url):
        result = {}

        def post():
            result["response"] = client.post(
                "/account",
                # A change, so the request must write (one that writes nothing never
                # waits for the write lock).
                data={"csrf_token": token, "profile-name": "Kari Ny", "profile-locale": "nb"},
            )

        worker = threading.Thread(target=post)
        worker.start()
        worker.join(30)
    response = result["response"]
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Tjenesten er opptatt akkurat nå. Prøv igjen." in body
    assert "<html" in body  # the site's page, not a bare error
