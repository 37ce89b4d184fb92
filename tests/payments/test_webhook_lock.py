"""A webhook that cannot get the event's lock in time answers 503 and keeps nothing,
so Stripe retries it; the retry then records the payment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from config import TestConfig
from eventsys import create_app, database
from eventsys.extensions import db
from eventsys.payments.models import Payment, PaymentStatus, StripeEvent
from eventsys.registration import operations as reg_ops


def test_lock_timeout_answers_503_and_the_retry_succeeds(
    app, client, database_url, make_event, fake_stripe
):
    from tests.fakestripe import FakeStripe

    now = datetime.now(UTC)
    event_id = make_event(
        capacity=5,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=5),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=19),
    )
    with app.app_context():
        reg = reg_ops.register(event_id, reg_ops.Person(email="jonas@bi.no", vouched=True), None)
        database.commit()
        from eventsys.payments import operations as pay_ops

        session = pay_ops.start_checkout(reg.id)
        database.commit()
        session_id, reg_id = session.stripe_session_id, reg.id

    class Impatient(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        LOCK_TIMEOUT_MS = 300
        SQLITE_BUSY_TIMEOUT_MS = 300
        STRIPE_API_BASE = fake_stripe.base_url
        STRIPE_SECRET_KEY = fake_stripe.api_key
        STRIPE_WEBHOOK_SECRET = fake_stripe.webhook_secret

    impatient = create_app(Impatient())
    fake_stripe.auto_deliver = False
    fake_stripe.set_webhook(sender=FakeStripe.flask_sender(impatient.test_client()))
    fake_stripe.pay(session_id)
    (completed,) = fake_stripe.pending_events("checkout.session.completed")

    with app.app_context():
        holder = db.engine.connect()
        if holder.dialect.name == "sqlite":
            # A write: the transaction becomes a writer and holds the database's lock.
            holder.execute(text("UPDATE events SET id = id WHERE id = :id"), {"id": event_id})
        else:
            holder.execute(
                text("SELECT id FROM events WHERE id = :id FOR UPDATE"), {"id": event_id}
            )
        try:
            assert fake_stripe.deliver(completed["id"]).status == 503
        finally:
            holder.rollback()
            holder.close()
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0
        assert (
            db.session.scalar(select(Payment.status).where(Payment.registration_id == reg_id))
            == PaymentStatus.due
        )

    assert fake_stripe.redeliver(completed["id"]).status == 200
    with app.app_context():
        assert (
            db.session.scalar(select(Payment.status).where(Payment.registration_id == reg_id))
            == PaymentStatus.paid
        )
    with impatient.app_context():
        db.engine.dispose()
