"""The database engine's behaviour on SQLite and PostgreSQL (locks, timeouts), and the
one place a unit of work is committed, with the work that waits for that commit."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session as OrmSession

from eventsys.clock import current_timezone, local_date, utcnow
from eventsys.columns import UTCDateTime
from eventsys.extensions import db

# Older imports read these from here; they live in clock.py and columns.py.
__all__ = ["UTCDateTime", "current_timezone", "local_date", "utcnow"]


def configure_engine(app) -> None:
    """PostgreSQL: a lock timeout, so a request never waits for a row lock without end
    (it answers 503 and the client, Stripe included, retries). SQLite: WAL, a busy
    timeout, and writers that take the write lock at their first write and queue for
    it fairly (see _become_writer)."""
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
        lock_path = _lock_file_of(engine)

        @event.listens_for(engine, "do_connect")
        def _sqlite_factory(_dialect, _record, _cargs, cparams):
            if lock_path:
                cparams["factory"] = _writer_queue_connection(lock_path)

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
            # Every transaction begins as a reader: reads before the first write (the
            # account, the token, the event before its lock) run beside other
            # writers under WAL. The first write, savepoint or lock_for_update turns it
            # into a writer (_become_writer), as late as possible.
            conn.info["sqlite_writer"] = False
            conn.exec_driver_sql("BEGIN")

        @event.listens_for(engine, "before_cursor_execute")
        def _sqlite_before_write(conn, _cursor, statement, _params, _context, _many):
            if not conn.info.get("sqlite_writer") and not _reads_only(statement):
                _become_writer(conn)

        @event.listens_for(engine, "savepoint")
        def _sqlite_savepoint(conn, _name):
            if not conn.info.get("sqlite_writer"):
                _become_writer(conn)


def _lock_file_of(engine) -> str | None:
    """The writers' queue file beside a file database; None in memory."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + ".writers"


def _reads_only(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(("SELECT", "PRAGMA", "EXPLAIN"))


def _become_writer(conn) -> None:
    """Turn the connection's reading transaction into a writing one (SQLite).

    A reader that writes would upgrade its lock, and under WAL that fails at once
    ("database is locked", no waiting) when another writer committed since it began.
    So the reader ends (it wrote nothing), the process queues for the writers' lock
    file, and a new transaction begins with BEGIN IMMEDIATE: it holds SQLite's write
    lock from here to the commit, and everything read from here on is current. What was
    read before is as fresh as a READ COMMITTED read on PostgreSQL, which the code
    already handles (seats are counted after lock_for_update).
    """
    if _read_only.get() or current_app.config.get("EVENTSYS_DISABLE_LOCKING"):
        return  # a block that promised to read only; or the test-only switch
    dbapi = conn.connection.dbapi_connection
    if not dbapi.in_transaction:
        return  # outside a transaction (DDL of a migration, say): SQLite's own locking
    conn.info["sqlite_writer"] = True
    try:
        dbapi.execute("COMMIT")
        queue = getattr(dbapi, "wait_for_turn", None)
        if queue is not None:
            queue()
        dbapi.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:  # locked beyond the busy timeout: a 503
        raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc


_holding = threading.local()


def _writer_queue_connection(lock_path: str):
    """A sqlite3 connection class whose writers queue on a lock file (fcntl.flock)
    before BEGIN IMMEDIATE and leave the queue at commit or rollback.

    SQLite's own busy handler lets waiting writers sleep and retry (1, 2, 5 … 100 ms),
    so one that arrives while the lock is free overtakes those asleep: unfair, a long
    p99. A blocking flock sleeps in the kernel and wakes the moment the holder leaves,
    across worker processes and threads alike (each connection opens the file itself).
    A thread that already holds the queue through another connection does not queue
    again (it would wait for itself); it falls back on the busy timeout as before.
    """

    class WriterQueueConnection(sqlite3.Connection):
        _queue_fd: int | None = None

        def wait_for_turn(self) -> None:
            if getattr(_holding, "count", 0):
                return
            if self._queue_fd is None:
                self._queue_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._queue_fd, fcntl.LOCK_EX)
            _holding.count = 1
            self._in_queue = True

        def _leave_queue(self) -> None:
            if getattr(self, "_in_queue", False):
                self._in_queue = False
                _holding.count = 0
                fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

        def commit(self):
            try:
                return super().commit()
            finally:
                self._leave_queue()

        def rollback(self):
            try:
                return super().rollback()
            finally:
                self._leave_queue()

        def close(self):
            try:
                self._leave_queue()
                if self._queue_fd is not None:
                    os.close(self._queue_fd)
                    self._queue_fd = None
            finally:
                super().close()

    return WriterQueueConnection


def writes_database(view):
    """Mark a GET view that writes (e.g. a return page that records a payment). Only a
    note for readers now: any transaction becomes a writer at its first write."""
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


def lock_for_update(query):
    """Add a row lock on PostgreSQL. On SQLite the transaction becomes a writer now
    (BEGIN IMMEDIATE): it holds the database's single write lock until the commit."""
    if current_app.config.get("EVENTSYS_DISABLE_LOCKING"):
        return query  # test-only switch: shows that the concurrency tests catch a race
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.info.get("sqlite_writer"):
        _become_writer(connection)
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
