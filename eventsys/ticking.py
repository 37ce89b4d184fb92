"""The time-based work that `eventsys tick` does. Each step handles one event at a time
in its own transaction, under the event's row lock, and re-checks under the lock
whether the work is still due, so two ticks at once never do anything twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import OperationalError

from eventsys import database, mail
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.registration import operations as registration

log = logging.getLogger("eventsys.tick")


def _each(event_ids, step, now: datetime) -> int:
    total = 0
    for event_id in event_ids:
        try:
            total += step(event_id, now)
            database.commit()
        except OperationalError:
            # Another host holds the lock for longer than the busy timeout; next minute.
            db.session.rollback()
            log.warning("tick: event %s busy, left for the next run", event_id)
    return total


def run(now: datetime | None = None) -> list[str]:
    now = now or utcnow()
    report = []
    due = registration.events_due_for_priority(now)
    db.session.rollback()  # end the read transaction before taking locks
    changed = _each(due, registration.close_priority_window, now)
    report.append(f"priority deadlines: {len(due)} event(s), {changed} registration(s) changed")

    due = registration.events_with_expired_offers(now)
    db.session.rollback()
    changed = _each(due, registration.expire_offers, now)
    report.append(f"offers: {changed} registration(s) changed after expiry")

    sent = mail.deliver_pending()
    report.append(f"mail: {sent} delayed message(s) delivered")
    return report
