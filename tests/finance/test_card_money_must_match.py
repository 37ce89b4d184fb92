"""Issue 12.6: a card payment marks a fee paid only when the session is the one
eventsys made for it and amount and currency are the fee's; anything else is stray
money for finance (logged, and reported after `stripe-sync`), never "paid"."""

from __future__ import annotations

import pytest
import stripe
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.payments.models import Payment, PaymentStatus
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import RegistrationLog


@pytest.fixture
def seat(app, fee_event):
    event_id = fee_event()
    with app.app_context():
        reg = reg_ops.register(
            event_id, reg_ops.Person(email="jonas@bi.no", name="Jonas Lie", vouched=True), None
        )
        database.commit()
        return reg.id


def _state(app, reg_id):
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        actions = db.session.scalars(
            select(RegistrationLog.action).where(RegistrationLog.registration_id == reg_id)
        ).all()
        return payment.status, payment.amount_paid, actions


def test_a_usd_session_of_100_with_the_registrations_reference_pays_nothing(app, seat, fake_stripe):
    client = stripe.StripeClient(fake_stripe.api_key, base_addresses={"api": fake_stripe.base_url})
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "currency": "usd",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 100,
                        "product_data": {"name": "x"},
                    },
                }
            ],
            "client_reference_id": str(seat),
            "metadata": {"registration": str(seat)},
            "success_url": "https://example.org/ok",
        }
    )
    fake_stripe.pay(session.id)
    status, paid, actions = _state(app, seat)
    assert status == PaymentStatus.due and paid == 0
    assert "stray_payment" in actions


@pytest.mark.parametrize(("amount", "currency"), [(100, "nok"), (75000, "usd")])
def test_our_own_session_with_another_amount_or_currency_pays_nothing(
    app, client, seat, fake_stripe, amount, currency
):
    from eventsys.payments import operations

    with app.app_context():
        checkout = operations.start_checkout(seat)
        session_id = checkout.stripe_session_id
        database.commit()
    with fake_stripe._lock:  # Stripe was told something else than eventsys asked for
        fake_stripe._objects[session_id].update(amount_total=amount, currency=currency)
    fake_stripe.pay(session_id)
    status, paid, actions = _state(app, seat)
    assert status == PaymentStatus.due and paid == 0
    assert "stray_payment" in actions
