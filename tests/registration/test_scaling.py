"""A registration's work does not grow with the waiting list or the organisation
register: the same SQL statements and the same rows read with 10 or 500 waiting and
with 10 or 300 organisations (issue 12: it used to load every active registration,
twice, and every organisation)."""

from __future__ import annotations

from bench.registration_scaling import (
    add_organisations,
    add_registrations,
    full_event,
    register_one,
)
from eventsys.extensions import db
from eventsys.registration import operations as ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State


def test_registering_costs_the_same_with_10_or_500_waiting(app, owners):
    with app.app_context():
        small, large = full_event(), full_event()
        add_registrations(small, 10, prefix="a")
        add_registrations(large, 500, prefix="b")
        register_one(small, "oppvarming@uib.no")  # caches warm on both sides
        _, few = register_one(small, "kari@gmail.com")
        _, many = register_one(large, "kari@gmail.com")
        assert many == few
        # …and the newcomer still gets the right place at the back of the list.
        reg = db.session.scalar(
            db.select(Registration).where(
                Registration.event_id == large, Registration.email == "kari@gmail.com"
            )
        )
        assert reg.state == State.WAITLISTED
        assert ops.position_of(reg) == 501 == ops.positions(large)[reg.id]


def test_registering_costs_the_same_with_10_or_300_organisations(app, owners):
    with app.app_context():
        event_id = full_event(capacity=50)
        add_organisations(10, prefix="a")
        register_one(event_id, "oppvarming@gmail.com")
        _, few = register_one(event_id, "kari@uib.no")
        add_organisations(290, prefix="b")
        _, many = register_one(event_id, "ola@uib.no")
        assert many == few
        # The owner's staff still get priority through their domain (sub-domains too).
        _, _ = register_one(event_id, "per@student.uib.no")
        tiers = dict(
            db.session.execute(
                db.select(Registration.email, Registration.tier).where(
                    Registration.event_id == event_id
                )
            ).all()
        )
        assert tiers["ola@uib.no"] == tiers["per@student.uib.no"] == 1
        assert tiers["oppvarming@gmail.com"] == 2
