"""Finance fixtures: card payments made through the real flow against the fake Stripe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from eventsys import database


@pytest.fixture
def fee_event(make_event):
    """A published event with a fee, open for registration by the real clock."""

    def make(**overrides):
        now = datetime.now(UTC)
        values = dict(
            capacity=5,
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=20, hours=5),
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=19),
        )
        values.update(overrides)
        return make_event(**values)

    return make


@pytest.fixture
def paid_seats(app, fee_event, fake_stripe):
    """`paid_seats(n)`: n tier-2 registrations paid by card through Checkout; returns
    (event_id, [registration ids])."""
    from eventsys.payments import operations as pay_ops
    from eventsys.registration import operations as reg_ops

    def make(count=3, fee=75000):
        event_id = fee_event(capacity=count + 5, fee=fee)
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


@pytest.fixture
def paying_invoice(app, fee_event):
    """A participant's fee invoiced to an employer, due `due_days_ago` days ago."""
    from eventsys.payments import operations as pay_ops
    from eventsys.registration import operations as reg_ops

    def make(due_days_ago=0):
        event_id = fee_event()
        with app.app_context():
            person = reg_ops.Person(email="jonas@bi.no", name="Jonas Lie", vouched=True)
            reg = reg_ops.register(event_id, person, None)
            invoice = pay_ops.choose_invoice(
                reg.id, "974767880", "Prosjekt 4711", "faktura@ntnu.no",
                "Postboks 8900\n7491 Trondheim", "NTNU",
            )  # fmt: skip
            invoice.due_on = date.today() - timedelta(days=due_days_ago)
            invoice.issued_on = invoice.due_on - timedelta(days=14)
            database.commit()
            return invoice.id

    return make
