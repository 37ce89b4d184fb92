"""The time-based work that `eventsys tick` does. Each step handles one event at a time
in its own transaction, under the event's row lock, and re-checks under the lock
whether the work is still due, so two ticks at once never do anything twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import OperationalError

from eventsys import database, mail, ratelimit
from eventsys.arshjul import operations as arshjul
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.forum import operations as forum
from eventsys.newsletters import operations as newsletters
from eventsys.payments import operations as payments
from eventsys.payments import stripe_outbox
from eventsys.privacy import operations as privacy
from eventsys.registration import operations as registration

log = logging.getLogger("eventsys.tick")


def _each(ids, step, now: datetime) -> int:
    total = 0
    for event_id in ids:
        try:
            total += step(event_id, now)
            database.commit()
        except OperationalError:
            # Another host holds the lock for longer than the busy timeout; next minute.
            db.session.rollback()
            log.warning("tick: %s %s busy, left for the next run", step.__name__, event_id)
        except Exception:
            # One bad row must not stop the rest of the work (or the next steps).
            db.session.rollback()
            log.exception("tick: %s %s failed, left for the next run", step.__name__, event_id)
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

    due = registration.events_to_close_attendance(now)
    db.session.rollback()
    changed = _each(due, registration.close_attendance, now)
    report.append(f"attendance: {changed} not checked in marked as no-shows")

    due = payments.payments_to_remind(now)
    db.session.rollback()
    changed = _each(due, payments.remind_unpaid, now)
    report.append(f"payments: {changed} reminder(s) sent")

    due = payments.payments_to_release(now)
    db.session.rollback()
    changed = _each(due, payments.release_unpaid, now)
    report.append(f"payments: {changed} unpaid seat(s) released")

    # Årshjul reminders: one transaction; the reminder log's unique key, not a lock,
    # keeps a second tick from sending them again.
    db.session.rollback()
    try:
        sent = arshjul.send_due_reminders(now)
        database.commit()
    except OperationalError:
        db.session.rollback()
        log.warning("tick: reminders busy, left for the next run")
        sent = 0
    report.append(f"reminders: {sent} sent")

    # Forum: a thread for every published seminar, and the digests of the last whole
    # day and week (one per person and period: DigestSent's unique key decides).
    db.session.rollback()
    try:
        forum.ensure_event_threads()
        sent = forum.send_digests(now)
        database.commit()
    except OperationalError:
        db.session.rollback()
        log.warning("tick: forum digests busy, left for the next run")
        sent = 0
    report.append(f"forum: {sent} digest(s) sent")

    # Newsletters: in batches, each committed with its deliveries (see send_batch).
    queued = 0
    for issue_id in newsletters.issues_due(now):
        db.session.rollback()
        while True:
            try:
                count = newsletters.send_batch(issue_id, now)
                database.commit()
            except OperationalError:
                db.session.rollback()
                log.warning("tick: newsletter %s busy, left for the next run", issue_id)
                break
            queued += count
            if count == 0:
                break
    report.append(f"newsletters: {queued} e-mail(s) queued")

    purged = privacy.purge_needs(now)
    old_mail = privacy.purge_sent_mail(now)
    ratelimit.purge_expired(now)
    database.commit()
    report.append(
        f"personal data: needs deleted from {purged} registration(s), {old_mail} old e-mail(s)"
    )

    # The worker does the outboxes' work; tick does what is left, e.g. where none runs.
    sent = mail.deliver_all()
    report.append(f"mail: {sent} message(s) delivered")
    done = stripe_outbox.run_due()
    report.append(f"stripe: {done} call(s) made")
    return report
