"""Handing a seat with a fee to an owner-staff colleague: the colleague owes nothing,
so the payment is recomputed: no reminder, no release of the seat for not paying."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import upcoming
from sqlalchemy import select

from eventsys import database, ticking
from eventsys.extensions import db
from eventsys.payments import operations as pay_ops
from eventsys.payments.models import Payment, PaymentStatus
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State


def test_a_seat_handed_to_owner_staff_owes_no_fee_and_is_never_released(
    app, make_event, make_user, network, smtp
):
    event_id = make_event(**upcoming(days=20), capacity=3, fee=75000)
    make_user("kari@uib.no")  # verified owner staff at UiB
    with app.app_context():
        reg = reg_ops.register(
            event_id, reg_ops.Person(email="jonas@bi.no", name="Jonas", vouched=True), None
        )
        reg_id = reg.id
        database.commit()
        reg = db.session.get(Registration, reg_id)
        assert (reg.tier, reg.payment.status) == (2, PaymentStatus.due)

        pay_ops.transfer_seat(reg_id, "kari@uib.no", "Kari Hansen", None)
        database.commit()
        reg = db.session.get(Registration, reg_id)
        assert reg.tier == 1
        assert reg.payment is None or reg.payment.status != PaymentStatus.due

        # Past every deadline: tick neither reminds nor releases the seat.
        later = datetime.now(UTC) + timedelta(days=19)
        ticking.run(later)
        ticking.run(later + timedelta(hours=30))
        reg = db.session.get(Registration, reg_id)
        assert reg.state == State.CONFIRMED
        assert (
            db.session.scalar(
                select(Payment).where(
                    Payment.registration_id == reg_id, Payment.status == PaymentStatus.due
                )
            )
            is None
        )
    reminders = [m for m in smtp.to("kari@uib.no") if "betal" in m["Subject"].lower()]
    assert reminders == []


def test_a_seat_handed_from_owner_staff_to_a_non_member_owes_the_fee(
    app, make_event, make_user, network
):
    event_id = make_event(**upcoming(days=20), capacity=3, fee=75000)
    make_user("kari@uib.no")
    with app.app_context():
        from eventsys.auth.operations import find_user

        reg = reg_ops.register(
            event_id,
            reg_ops.Person(email="kari@uib.no", name="Kari", user=find_user("kari@uib.no")),
            None,
        )
        reg_id = reg.id
        database.commit()
        assert db.session.get(Registration, reg_id).payment is None
        pay_ops.transfer_seat(reg_id, "jonas@bi.no", "Jonas Lie", None)
        database.commit()
        reg = db.session.get(Registration, reg_id)
        assert reg.tier == 2
        assert (reg.payment.status, reg.payment.amount) == (PaymentStatus.due, 75000)
