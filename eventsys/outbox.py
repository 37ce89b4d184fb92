"""Outboxes: work with the outside world (SMTP, Stripe) written as rows in the
transaction that decides it, and done after the commit by `eventsys worker` (or
`tick`). A crash between the commit and the call loses nothing: the row is still
there. Rows are claimed before the work, so several workers on several hosts never do
one twice, and a failure is retried later with a growing pause."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.clock import utcnow
from eventsys.columns import UTCDateTime

# A claim not finished within this time is taken to be abandoned (the worker died).
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=2)


class OutboxRow:
    """Columns every outbox table has. `done_column` names the one set when the work
    is done (`sent_at` for e-mail)."""

    done_column = "done_at"

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Not before this time (a retry's pause); NULL = as soon as possible.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which delivery run holds the row (several hosts may work at once).
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def pause_after(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most two hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


def claim(
    session, model, limit: int = 50, now: datetime | None = None, only: list[int] | None = None
) -> list[int]:
    """Take up to `limit` due rows (of `only`, when given) for this run and commit the
    claim at once (a short write transaction). Returns their ids. Concurrent runs never get the same row: on
    PostgreSQL the rows are locked with SKIP LOCKED and the update re-checks the
    conditions; on SQLite the write transaction holds the database's write lock."""
    now = now or utcnow()
    done = getattr(model, model.done_column)
    due = (
        done.is_(None),
        model.attempts < MAX_ATTEMPTS,
        or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now),
        or_(model.claimed_at.is_(None), model.claimed_at < now - CLAIM_TIMEOUT),
    )
    if only is not None:
        due = (*due, model.id.in_(only))
    token = uuid.uuid4().hex
    candidates = (
        select(model.id)
        .where(*due)
        .order_by(model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(model)
        .where(model.id.in_(candidates.scalar_subquery()), *due)
        .values(claimed_at=now, claimed_by=token, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    ids = list(session.scalars(select(model.id).where(model.claimed_by == token)))
    session.commit()
    return sorted(ids)


def finish(row, now: datetime | None = None) -> None:
    """The work is done: it is never tried again."""
    setattr(row, row.done_column, now or utcnow())
    row.last_error = None


def retry_later(row, error: str, now: datetime | None = None) -> None:
    """The work failed for now: release the claim and pause before the next try."""
    row.last_error = error[:1000]
    row.claimed_at = None
    row.claimed_by = None
    row.next_attempt_at = (now or utcnow()) + pause_after(row.attempts)


def give_up(row, error: str) -> None:
    """The work can never succeed (a malformed address, say): never tried again."""
    row.last_error = f"given up: {error}"[:1000]
    row.attempts = MAX_ATTEMPTS
