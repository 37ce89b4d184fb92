"""`eventsys tick` is idempotent and safe when two run at once: every change and every
e-mail happens once."""

from __future__ import annotations

import threading
from datetime import timedelta

from conftest import NOW
from sqlalchemy import func, select

from eventsys import database, ticking
from eventsys.extensions import db
from eventsys.registration import operations as ops
from eventsys.registration.models import Registration, RegistrationLog
from eventsys.registration.rules import State


def _setup(app, make_event):
    deadline = NOW + timedelta(days=1)
    priority_event = make_event(capacity=3, priority_deadline=deadline, fee=0)
    offer_event = make_event(capacity=1, fee=0)
    with app.app_context():
        ops.register(priority_event, ops.Person("kari@uib.no", "Kari", vouched=True), None, now=NOW)
        for i in range(5):
            ops.register(
                priority_event,
                ops.Person(f"p{i}@gmail.com", f"P{i}", vouched=True),
                None,
                now=NOW + timedelta(minutes=i),
            )
        first = ops.register(
            offer_event, ops.Person("a@gmail.com", "A", vouched=True), None, now=NOW
        )
        ops.register(
            offer_event,
            ops.Person("b@gmail.com", "B", vouched=True),
            None,
            now=NOW + timedelta(minutes=1),
        )
        ops.register(
            offer_event,
            ops.Person("c@gmail.com", "C", vouched=True),
            None,
            now=NOW + timedelta(minutes=2),
        )
        ops.cancel(first.id, None, now=NOW + timedelta(minutes=3))  # b gets an offer for 48 hours
        database.commit()
    return priority_event, offer_event, deadline + timedelta(days=2)


def _states(app, event_id):
    with app.app_context():
        return dict(
            db.session.execute(
                select(Registration.email, Registration.state).where(
                    Registration.event_id == event_id
                )
            ).all()
        )


def _check(app, smtp, priority_event, offer_event):
    states = _states(app, priority_event)
    assert [states[f"p{i}@gmail.com"] for i in range(5)] == [State.CONFIRMED] * 2 + [
        State.WAITLISTED
    ] * 3
    offers = _states(app, offer_event)
    assert (offers["b@gmail.com"], offers["c@gmail.com"]) == (State.CANCELLED, State.OFFERED)
    with app.app_context():
        logged = db.session.execute(
            select(RegistrationLog.registration_id, func.count())
            .where(RegistrationLog.action.in_(("priority_deadline", "offer_expired")))
            .group_by(RegistrationLog.registration_id)
        ).all()
    assert logged and all(count == 1 for _, count in logged)
    for address in [f"p{i}@gmail.com" for i in range(5)] + ["b@gmail.com", "c@gmail.com"]:
        subjects = [m["Subject"] for m in smtp.to(address)]
        assert len(subjects) == len(set(subjects)), (address, subjects)


def test_tick_twice_changes_nothing_the_second_time(app, make_event, smtp):
    priority_event, offer_event, later = _setup(app, make_event)
    with app.app_context():
        ticking.run(now=later)
    sent = len(smtp.messages)
    with app.app_context():
        ticking.run(now=later + timedelta(minutes=1))
    assert len(smtp.messages) == sent
    _check(app, smtp, priority_event, offer_event)


def test_two_ticks_at_once_do_everything_once(app, make_event, smtp):
    priority_event, offer_event, later = _setup(app, make_event)
    start = threading.Barrier(2)
    errors = []

    def tick():
        try:
            with app.app_context():
                start.wait()
                ticking.run(now=later)
        except Exception as exc:  # a failure in a thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    _check(app, smtp, priority_event, offer_event)


def test_after_an_event_with_a_door_list_those_never_checked_in_are_no_shows(app, make_event):
    """DESIGN: attended or no_show after the event. Where attendance was taken, the
    confirmed who never came to the door become no-shows at the first tick after the
    end; where nobody was checked in, nobody knows who came, and nothing changes."""
    checked = make_event(capacity=5, fee=0)
    unchecked = make_event(capacity=5, fee=0)
    with app.app_context():
        came = ops.register(checked, ops.Person("kari@uib.no", "Kari", vouched=True), None, now=NOW)
        for event_id in (checked, unchecked):
            for name in ("ola", "sara"):
                ops.register(
                    event_id, ops.Person(f"{name}@gmail.com", name, vouched=True), None, now=NOW
                )
        database.commit()
        event = came.event
        starts, ends = event.starts_at, event.ends_at
        ops.mark_attendance(came.id, True, None, now=starts)
        database.commit()

        ticking.run(now=ends - timedelta(minutes=1))  # not over yet: nothing changes
        database.commit()
        assert _counted(checked) == {State.ATTENDED: 1, State.CONFIRMED: 2}

        lines = ticking.run(now=ends + timedelta(minutes=1))
        database.commit()
        assert "attendance: 2 not checked in marked as no-shows" in lines
        assert _counted(checked) == {State.ATTENDED: 1, State.NO_SHOW: 2}
        assert _counted(unchecked) == {State.CONFIRMED: 2}
        logged = db.session.scalars(
            select(RegistrationLog.reason).where(RegistrationLog.action == "attendance")
        ).all()
        assert sorted(logged) == ["", "not checked in", "not checked in"]

        lines = ticking.run(now=ends + timedelta(minutes=2))  # once only
        assert "attendance: 0 not checked in marked as no-shows" in lines


def _counted(event_id) -> dict:
    return dict(
        db.session.execute(
            select(Registration.state, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.state)
        ).all()
    )
