"""Finance fixtures: card payments made through the real flow against the fake Stripe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventsys import database


@pytest.fixture
def paid_seats(app, make_event, fake_stripe):
    """`paid_seats(n)`: n tier-2 registrations paid by card through Checkout; returns
    (event_id, [registration ids])."""
    from eventsys.payments import operations as pay_ops
    from eventsys.registration import operations as reg_ops

    def make(count=3, fee=75000):
        now = datetime.now(UTC)
        event_id = make_event(
            capacity=count + 5,
            fee=fee,
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=20, hours=5),
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=19),
        )
        ids = []
        for i in range(count):
            with app.app_context():
                person = reg_ops.Person(
                    email=f"deltaker{i}@bi.no", name=f"Deltaker {i}", vouched=True
                )
                reg = reg_ops.register(event_id, person, None)
                session = pay_ops.start_checkout(reg.id)
                ids.append(reg.id)
                session_id = session.stripe_session_id
                database.commit()
            fake_stripe.pay(session_id)
        return event_id, ids

    return make


@pytest.fixture
def finance_user(make_user, login):
    def make():
        make_user("okonomi@nettverket.no", role="finance", name="Økonomi")
        login("okonomi@nettverket.no")

    return make
