"""Simultaneous registrations through a real server (gunicorn, several worker
processes) on loopback: exactly `capacity` seats are held, first come first served, no
errors. The same burst with the lock switched off shows the race, so this test is
known to catch it."""

from __future__ import annotations

from sqlalchemy import select

from bench.registration_burst import Server, burst, emails_for, prepare
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.rules import State

CAPACITY = 40
REQUESTS = 120


def _registrations(app, event_id):
    with app.app_context():
        return db.session.execute(
            select(
                Registration.id, Registration.state, Registration.tier, Registration.registered_at
            ).where(Registration.event_id == event_id)
        ).all()


def test_burst_holds_exactly_capacity_in_order(app, database_url):
    token, event_id = prepare(app, CAPACITY)
    with Server(database_url, workers=4, threads=8) as server:
        results = burst(server.base_url, token, event_id, emails_for(REQUESTS), concurrency=60)

    failures = [(email, status, body[:200]) for email, status, _, body in results if status != 201]
    assert failures == []
    assert not any("database is locked" in line for line in server.log)

    regs = _registrations(app, event_id)
    assert len(regs) == REQUESTS
    confirmed = [r for r in regs if r.state == State.CONFIRMED]
    waiting = [r for r in regs if r.state == State.WAITLISTED]
    assert len(confirmed) == CAPACITY
    assert len(waiting) == REQUESTS - CAPACITY
    # First come, first served: every seat went to somebody who came before everybody
    # who waits (registration times are taken under the lock, in lock order).
    assert max(r.registered_at for r in confirmed) < min(r.registered_at for r in waiting)
    # The waiting list: every owner-staff registration before every other one, and
    # within a tier by time.
    with app.app_context():
        from eventsys.registration.operations import positions

        places = positions(event_id)
    queue = sorted(waiting, key=lambda r: places[r.id])
    assert [r.tier for r in queue] == sorted(r.tier for r in queue)
    for tier in (1, 2):
        times = [r.registered_at for r in queue if r.tier == tier]
        assert times == sorted(times)


def test_without_the_lock_the_race_shows(app, database_url):
    """The control experiment: with EVENTSYS_DISABLE_LOCKING the same burst overbooks
    (PostgreSQL) or fails with lock errors (SQLite). If this ever passes cleanly, the
    test above would no longer prove anything."""
    token, event_id = prepare(app, CAPACITY)
    with Server(
        database_url, workers=4, threads=8, extra_env={"EVENTSYS_DISABLE_LOCKING": "1"}
    ) as server:
        results = burst(server.base_url, token, event_id, emails_for(REQUESTS), concurrency=60)

    errors = [status for _, status, _, _ in results if status != 201]
    held = sum(
        1 for r in _registrations(app, event_id) if r.state in (State.CONFIRMED, State.OFFERED)
    )
    assert held > CAPACITY or errors, "the burst without a lock showed no race"
