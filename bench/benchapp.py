"""What the benches share: an eventsys app on a fresh database (a new SQLite file in a
temporary folder unless a URL is given; a PostgreSQL database is emptied first),
migrated to the newest revision, with mail kept in the outbox."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_url(given: str | None) -> str:
    return given or f"sqlite:///{tempfile.mkdtemp(prefix='eventsys-bench-')}/bench.sqlite"


def fresh_app(url: str):
    """The app on `url`, its schema made from empty by the migrations."""
    from flask_migrate import upgrade

    from config import TestConfig
    from eventsys import create_app
    from eventsys.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        MAIL_SERVER = None

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app(Config())
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    return app


def open_event(organiser, capacity: int, title: str):
    """A published event open for registration now, in a month, with a fee (the
    operation, not a bulk insert: what an organiser would make)."""
    from datetime import UTC, datetime, timedelta

    from eventsys.events import operations as events

    now = datetime.now(UTC)
    return events.create_event(
        {
            "title": title,
            "kind": "seminar",
            "format": "on_site",
            "venue": "Bergen",
            "starts_at": now + timedelta(days=30),
            "ends_at": now + timedelta(days=30, hours=6),
            "capacity": capacity,
            "registration_opens_at": now - timedelta(days=1),
            "registration_closes_at": now + timedelta(days=29),
            "fee": 75000,
        },
        organiser,
        status="published",
    )
