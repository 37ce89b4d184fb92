"""The least a registration can cost: a bare Flask + Flask-SQLAlchemy app that inserts
one row per POST and commits, served by the same gunicorn as eventsys. The burst bench
(bench/registration_burst.py) fires the same requests at it and at eventsys in one run
and prints eventsys' rate as a ratio of this one.

    BARE_DATABASE_URL=sqlite:////tmp/bare.sqlite gunicorn bench.bare_insert:app

On SQLite it uses the same connection settings as eventsys (WAL, busy timeout), so the
ratio shows what eventsys adds, not a different way of waiting for the write lock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String, event
from sqlalchemy.orm import Mapped, mapped_column

db = SQLAlchemy()


class BareRow(db.Model):
    __tablename__ = "bench_bare_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )


def create_table(url: str) -> None:
    """Make the table once, before gunicorn starts (workers making it at once race)."""
    with create_app(url).app_context():
        db.create_all()


def create_app(url: str) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":

            @event.listens_for(db.engine, "connect")
            def _sqlite_connect(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA busy_timeout = 30000")
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.close()

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.post("/rows")
    def insert_row():
        data = request.get_json()
        row = BareRow(email=data["email"], name=data.get("name", ""))
        db.session.add(row)
        db.session.commit()
        return jsonify(id=row.id, email=row.email), 201

    return app


app = create_app(os.environ["BARE_DATABASE_URL"]) if "BARE_DATABASE_URL" in os.environ else None
