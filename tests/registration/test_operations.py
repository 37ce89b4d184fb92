"""Registration operations against the database: states, tiers, fees, e-mails."""

from datetime import timedelta

import pytest
from conftest import NOW
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.registration import operations as ops
from eventsys.registration.models import Registration, RegistrationLog
from eventsys.registration.rules import State


def _register(app, event_id, email, now=NOW, **kw):
    with app.app_context():
        reg = ops.register(
            event_id,
            ops.Person(email=email, name=email.split("@")[0], vouched=True),
            None,
            now=now,
            **kw,
        )
        database.commit()
        return reg.id, reg.state, reg.tier


def _state(app, reg_id):
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        return reg.state, reg.offer_expires_at


def test_owner_staff_free_others_pay_and_full_event_waitlists(app, make_event, owners, smtp):
    event_id = make_event(capacity=2)
    a = _register(app, event_id, "kari@uib.no")
    b = _register(app, event_id, "jonas@bi.no")
    c = _register(app, event_id, "sara@gmail.com")
    assert a[1:] == (State.CONFIRMED, 1)
    assert b[1:] == (State.CONFIRMED, 2)
    assert c[1:] == (State.WAITLISTED, 2)
    with app.app_context():
        event = db.session.get(Registration, a[0]).event
        assert ops.fee_due(event, db.session.get(Registration, a[0])) == 0
        assert ops.fee_due(event, db.session.get(Registration, b[0])) == 75000
        assert ops.positions(event_id) == {c[0]: 1}
    assert "Plassen din er bekreftet" in smtp.last_to("kari@uib.no")["Subject"]
    assert "gratis" in smtp.body(smtp.last_to("kari@uib.no"))
    # The confirmation carries the event for the participant's calendar.
    (ics,) = [
        p
        for p in smtp.last_to("kari@uib.no").iter_attachments()
        if p.get_content_type() == "text/calendar"
    ]
    assert f"UID:event-{event_id}@" in ics.get_content().replace("\r\n ", "")
    assert "kr 750,00" in smtp.body(smtp.last_to("jonas@bi.no"))
    waiting = smtp.body(smtp.last_to("sara@gmail.com"))
    assert "venteliste" in waiting and "1" in waiting


def test_cancel_offers_seat_to_first_waiting_then_expiry_passes_it_on(
    app, make_event, owners, smtp
):
    event_id = make_event(capacity=1)
    a = _register(app, event_id, "jonas@bi.no")
    b = _register(app, event_id, "sara@gmail.com", now=NOW + timedelta(minutes=1))
    c = _register(app, event_id, "ola@gmail.com", now=NOW + timedelta(minutes=2))
    with app.app_context():
        ops.cancel(a[0], None, now=NOW + timedelta(hours=1))
        database.commit()
    state, expires = _state(app, b[0])
    assert state == State.OFFERED and expires == NOW + timedelta(hours=49)
    assert "Takk ja eller nei" in smtp.body(smtp.last_to("sara@gmail.com"))

    with app.app_context():
        ops.expire_offers(event_id, NOW + timedelta(hours=50))
        database.commit()
    assert _state(app, b[0])[0] == State.CANCELLED
    assert _state(app, c[0])[0] == State.OFFERED
    with app.app_context():
        ops.accept_offer(c[0], None, now=NOW + timedelta(hours=51))
        database.commit()
    assert _state(app, c[0])[0] == State.CONFIRMED


def test_late_owner_staff_goes_before_waiting_others(app, make_event, owners):
    event_id = make_event(capacity=1)
    _register(app, event_id, "jonas@bi.no")
    late_other = _register(app, event_id, "sara@gmail.com", now=NOW + timedelta(minutes=1))
    late_owner = _register(app, event_id, "kari@uib.no", now=NOW + timedelta(minutes=2))
    with app.app_context():
        assert ops.positions(event_id) == {late_owner[0]: 1, late_other[0]: 2}


def test_priority_window_pending_then_allocation_at_deadline(app, make_event, owners, smtp):
    deadline = NOW + timedelta(days=7)
    event_id = make_event(capacity=2, priority_deadline=deadline)
    other1 = _register(app, event_id, "jonas@bi.no")
    owner = _register(app, event_id, "kari@uib.no", now=NOW + timedelta(minutes=1))
    other2 = _register(app, event_id, "sara@gmail.com", now=NOW + timedelta(minutes=2))
    assert other1[1] == State.PENDING and owner[1] == State.CONFIRMED and other2[1] == State.PENDING
    assert "prioritet" in smtp.body(smtp.last_to("jonas@bi.no"))

    with app.app_context():
        assert ops.close_priority_window(event_id, deadline + timedelta(minutes=1)) == 2
        database.commit()
        # A second run (another host, the next minute) changes nothing.
        assert ops.close_priority_window(event_id, deadline + timedelta(minutes=2)) == 0
        database.commit()
    assert _state(app, other1[0])[0] == State.CONFIRMED
    assert _state(app, other2[0])[0] == State.WAITLISTED


def test_lowering_capacity_bumps_nobody_and_raising_it_offers_seats(app, make_event, owners):
    event_id = make_event(capacity=2)
    a = _register(app, event_id, "jonas@bi.no")
    b = _register(app, event_id, "sara@gmail.com")
    c = _register(app, event_id, "ola@gmail.com")
    with app.app_context():
        _, over = ops.update_event(event_id, {"capacity": 1}, None, now=NOW)
        database.commit()
    assert over == 1
    assert _state(app, a[0])[0] == _state(app, b[0])[0] == State.CONFIRMED
    with app.app_context():
        _, over = ops.update_event(event_id, {"capacity": 3}, None, now=NOW)
        database.commit()
    assert over == 0 and _state(app, c[0])[0] == State.OFFERED


def test_same_person_cannot_register_twice(app, make_event, owners):
    event_id = make_event()
    _register(app, event_id, "jonas@bi.no")
    with pytest.raises(ops.RegistrationError) as info:
        _register(app, event_id, "JONAS@bi.no")
    assert info.value.code == "already_registered"


def test_a_duplicate_committed_after_the_early_check_is_refused_in_the_same_transaction(
    app, make_event, owners, monkeypatch
):
    """The check for an active registration runs before the event's lock: a request
    for the same person that commits between that check and the insert is caught by the
    unique index, inside a savepoint, so the rest of the transaction stands."""
    event_id = make_event(capacity=5)
    first = _register(app, event_id, "jonas@bi.no")
    monkeypatch.setattr(ops, "find_active", lambda *_args: None)  # the check came too early
    with app.app_context():
        other = ops.register(event_id, ops.Person(email="kari@uib.no", vouched=True), None, now=NOW)
        with pytest.raises(ops.RegistrationError) as info:
            ops.register(event_id, ops.Person(email="jonas@bi.no", vouched=True), None, now=NOW)
        assert info.value.code == "already_registered"
        database.commit()  # what the transaction did before the refusal is kept
        other_id = other.id
    with app.app_context():
        regs = db.session.scalars(select(Registration).where(Registration.event_id == event_id))
        assert sorted(r.email for r in regs) == ["jonas@bi.no", "kari@uib.no"]
        logged = db.session.scalars(select(RegistrationLog.registration_id)).all()
        assert sorted(logged) == sorted([first[0], other_id])


def test_a_waiting_place_counted_once_follows_a_later_change_in_the_same_transaction(
    app, make_event, owners
):
    """register() counts the newcomer's place once for its e-mail and its answer; a
    change to the queue after that, in the same transaction, is counted anew."""
    event_id = make_event(capacity=1)
    _register(app, event_id, "kari@uib.no")
    ahead = _register(app, event_id, "sara@gmail.com")
    with app.app_context():
        reg = ops.register(event_id, ops.Person(email="ola@gmail.com", vouched=True), None, now=NOW)
        assert ops.position_of(reg) == 2
        ops.cancel(ahead[0], None, now=NOW)
        assert ops.position_of(reg) == 1
        database.commit()


def test_a_newcomers_place_told_at_once_is_its_place_in_the_whole_queue(app, make_event, owners):
    """register() tells a waiting newcomer its place from a count taken with the seats
    (owner staff go ahead of the others); it is the place the whole queue gives it."""
    event_id = make_event(capacity=1)
    emails = ["a@gmail.com", "b@gmail.com", "kari@uib.no", "c@gmail.com", "ola@uib.no"]
    told, whole = [], []
    for minute, email in enumerate(emails):
        with app.app_context():
            reg = ops.register(
                event_id,
                ops.Person(email=email, vouched=True),
                None,
                now=NOW + timedelta(minutes=minute),
            )
            told.append(ops.position_of(reg))
            whole.append(ops.positions(event_id).get(reg.id))
            database.commit()
    assert told == whole == [None, 1, 1, 3, 2]


def test_database_refuses_a_second_active_registration(app, make_event, owners):
    from sqlalchemy.exc import IntegrityError

    event_id = make_event()
    _register(app, event_id, "jonas@bi.no")
    with app.app_context():
        db.session.add(
            Registration(event_id=event_id, email="jonas@bi.no", state=State.WAITLISTED, tier=2)
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_move_needs_a_reason_and_is_logged(app, make_event, owners, make_user):
    from eventsys.auth.models import User

    organiser_id = make_user("ola@nettverket.no", role="organiser")
    event_id = make_event(capacity=0)
    first = _register(app, event_id, "jonas@bi.no")
    second = _register(app, event_id, "sara@gmail.com", now=NOW + timedelta(minutes=1))
    with app.app_context():
        organiser = db.session.get(User, organiser_id)
        with pytest.raises(ops.RegistrationError):
            ops.move(second[0], first[0], "  ", organiser, now=NOW)
        ops.move(second[0], first[0], "Innleder på seminaret", organiser, now=NOW)
        database.commit()
        assert ops.positions(event_id) == {second[0]: 1, first[0]: 2}
        log = db.session.scalar(select(RegistrationLog).where(RegistrationLog.action == "move"))
        assert log.reason == "Innleder på seminaret" and log.actor_id == organiser_id


def test_registration_outside_window_or_for_draft_is_refused(app, make_event, owners):
    draft = make_event(status="draft")
    with pytest.raises(ops.RegistrationError) as info:
        _register(app, draft, "jonas@bi.no")
    assert info.value.code == "event_not_open"
    closed = make_event(
        registration_closes_at=NOW - timedelta(minutes=1),
        registration_opens_at=NOW - timedelta(days=2),
    )
    with pytest.raises(ops.RegistrationError) as info:
        _register(app, closed, "jonas@bi.no")
    assert info.value.code == "registration_closed"


def test_cancelled_event_tells_everyone(app, make_event, owners, smtp):
    event_id = make_event(capacity=1)
    a = _register(app, event_id, "jonas@bi.no")
    b = _register(app, event_id, "sara@gmail.com")
    with app.app_context():
        ops.cancel_event(event_id, None, now=NOW)
        database.commit()
    assert _state(app, a[0])[0] == _state(app, b[0])[0] == State.CANCELLED
    assert smtp.last_to("jonas@bi.no")["Subject"].startswith("Avlyst")


def test_removing_the_priority_deadline_allocates_at_once(app, make_event, owners):
    event_id = make_event(capacity=1, priority_deadline=NOW + timedelta(days=5))
    first = _register(app, event_id, "jonas@bi.no")
    second = _register(app, event_id, "sara@gmail.com", now=NOW + timedelta(minutes=1))
    assert first[1] == second[1] == State.PENDING
    with app.app_context():
        ops.update_event(event_id, {"priority_deadline": None}, None, now=NOW + timedelta(hours=1))
        database.commit()
    assert _state(app, first[0])[0] == State.CONFIRMED
    assert _state(app, second[0])[0] == State.WAITLISTED
    # Once allocated, the deadline cannot come back.
    from eventsys.events.operations import EventError

    with app.app_context(), pytest.raises(EventError):
        ops.update_event(
            event_id,
            {"priority_deadline": NOW + timedelta(days=3)},
            None,
            now=NOW + timedelta(hours=2),
        )
