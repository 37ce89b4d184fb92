"""The database engine's behaviour on SQLite and PostgreSQL (locks, timeouts), and the
one place a unit of work is committed, with the work that waits for that commit."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from eventsys.clock import current_timezone, local_date, utcnow
from eventsys.columns import UTCDateTime
from eventsys.extensions import db

# Older imports read these from here; they live in clock.py and columns.py.
__all__ = ["UTCDateTime", "current_timezone", "local_date", "utcnow"]


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


_read_only: ContextVar[bool] = ContextVar("eventsys_read_only", default=False)


@contextmanager
def reading():
    """A transaction begun inside this block only reads, so on SQLite it does not take
    the write lock (e.g. the worker looking whether anything is due, every second).
    End the transaction before leaving the block."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def _may_write() -> bool:
    if current_app.config.get("EVENTSYS_DISABLE_LOCKING"):
        return False  # test-only: deferred transactions, so the race can show
    if _read_only.get():
        return False
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


def on_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction has committed (never when it rolls
    back). For work with the outside world that an outbox row, written in the same
    transaction, already records: the callback only does it sooner, and a worker does
    it if the callback never runs (the process died) or fails."""
    db.session.info.setdefault("on_commit", []).append(callback)


def _forget_callbacks_on_rollback(session, previous_transaction):
    """A rolled-back transaction leaves nothing to do after a commit. A savepoint
    rolling back (a refused duplicate, say) keeps what the outer transaction asked."""
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop("on_commit", None)


def add_once(row) -> bool:
    """Add `row` in a savepoint and flush it. False (and nothing added) when a unique
    key already holds one: another request, tick or host was first."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def commit() -> None:
    """Commit the session, then run what waited for the commit (see on_commit).

    Views never call this: the request teardown in create_app does, once per request,
    and the CLI commands do. E-mails are rows in the outbox table written in the same
    transaction and delivered by `eventsys worker`, so a request never waits for SMTP
    and a rolled-back request never announces anything.
    """
    callbacks = db.session.info.pop("on_commit", [])
    db.session.commit()
    for callback in callbacks:
        try:
            callback()
        except Exception:
            # The outbox row is kept; the worker retries it.
            current_app.logger.exception("after-commit work failed; left to the worker")
            db.session.rollback()


event.listen(OrmSession, "after_soft_rollback", _forget_callbacks_on_rollback)


# Tables a migration makes by hand because they differ per database (full-text search
# indexes: an FTS5 virtual table on SQLite, a tsvector table on PostgreSQL). The
# model/migration comparison (Alembic autogenerate and tests/test_migrations.py)
# leaves them, and FTS5's shadow tables, out.
HAND_MADE_TABLES = ("resource_search", "forum_search")


def include_name(name, type_, parent_names) -> bool:
    if type_ == "table" and name:
        return not name.startswith(HAND_MADE_TABLES)
    return True
