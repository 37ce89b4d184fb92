"""Engine behaviour that differs between SQLite and PostgreSQL, and the one place a
request's work is committed."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import DateTime, TypeDecorator

from eventsys.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp, stored in UTC on both databases.

    SQLite has no time zone type and hands back naive values; this puts UTC back on
    them, so the rest of the code only ever sees aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_engine(app) -> None:
    """PostgreSQL: a lock timeout, so a request never waits for a row lock without end
    (it answers 503 and the client, Stripe included, retries). SQLite: WAL, a busy
    timeout and BEGIN IMMEDIATE for write locks (see lock_for_update)."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            lock_ms = int(app.config["LOCK_TIMEOUT_MS"])

            @event.listens_for(engine, "connect")
            def _postgres_connect(dbapi_connection, _record):
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET lock_timeout = {lock_ms}")
                dbapi_connection.commit()

            return
        if engine.dialect.name != "sqlite":
            return
        busy_ms = app.config["SQLITE_BUSY_TIMEOUT_MS"]

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A transaction that may write takes the write lock up front, so counting
            # seats and then writing never interleaves with another writer, and two
            # deferred transactions never fail upgrading their locks ("database is
            # locked"). Pages that only read stay concurrent under WAL.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def writes_database(view):
    """Mark a GET view that writes (e.g. a return page that records a payment)."""
    view.writes_database = True
    return view


def _may_write() -> bool:
    if current_app.config.get("EVENTSYS_DISABLE_LOCKING"):
        return False  # test-only: deferred transactions, so the race can show
    if not has_request_context():
        return True  # CLI commands, tick and tests
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes_database", False))


def lock_for_update(query):
    """Add a row lock on PostgreSQL. On SQLite the write transaction (BEGIN IMMEDIATE)
    already holds the database's single write lock."""
    if current_app.config.get("EVENTSYS_DISABLE_LOCKING"):
        return query  # test-only switch: shows that the concurrency tests catch a race
    return query.with_for_update()


def _forget_mail_on_rollback(session, previous_transaction):
    """Mail queued in a transaction that rolls back is never delivered. A savepoint
    rolling back (a refused duplicate, say) keeps what the outer transaction queued."""
    from eventsys import mail

    if previous_transaction.parent is None and not previous_transaction.nested:
        mail.forget_queued(session)


def commit() -> None:
    """Commit the session, then deliver the e-mails queued in it.

    Views never call this: the request teardown in create_app does, once per request,
    and the CLI commands do. E-mails are rows in the outbox table written in the same
    transaction, so a rolled-back request never announces anything.
    """
    from eventsys import mail

    queued = mail.take_queued_ids(db.session)
    db.session.commit()
    if queued:
        mail.deliver(queued)


def current_timezone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["EVENTSYS_TIMEZONE"])


def local_date(moment: datetime | None = None):
    """The network's calendar date (Europe/Oslo) of a moment; today by default."""
    return (moment or utcnow()).astimezone(current_timezone()).date()


# Mail queued in a transaction that rolls back must never be delivered.
event.listen(OrmSession, "after_soft_rollback", _forget_mail_on_rollback)


# Tables a migration makes by hand because they differ per database (full-text search
# indexes: an FTS5 virtual table on SQLite, a tsvector table on PostgreSQL). The
# model/migration comparison (Alembic autogenerate and tests/test_migrations.py)
# leaves them, and FTS5's shadow tables, out.
HAND_MADE_TABLES = ("resource_search",)


def include_name(name, type_, parent_names) -> bool:
    if type_ == "table" and name:
        return not name.startswith(HAND_MADE_TABLES)
    return True
