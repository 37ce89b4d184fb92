"""Stripe is called after the commit, never while the event row is locked: one slow
Stripe call must not hold every registration for the event. The call is recorded in
the transaction (stripe_tasks) with its idempotency key, so nothing is lost and
nothing is paid twice."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from conftest import upcoming
from sqlalchemy import select, text

from eventsys import database
from eventsys.extensions import db
from eventsys.payments import gateway
from eventsys.payments import operations as pay_ops
from eventsys.payments.models import Payment, PaymentStatus, StripeTask


def event_lock_is_free(app, event_id: int) -> bool:
    """Can another connection take the event's row lock (PostgreSQL) or the database's
    write lock (SQLite) at once? Asked from inside a Stripe call."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            conn = sqlite3.connect(db.engine.url.database, timeout=0.3, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return True
            except sqlite3.OperationalError:
                return False
            finally:
                conn.close()
        with db.engine.connect() as conn:
            try:
                conn.execute(text("SET lock_timeout = 300"))
                conn.execute(
                    text("SELECT id FROM events WHERE id = :id FOR UPDATE"), {"id": event_id}
                )
                return True
            except Exception:
                return False
            finally:
                conn.rollback()


@pytest.fixture
def watch_stripe(app, monkeypatch):
    """Wrap the gateway's calls; each records whether the event lock was free."""
    seen: list[tuple[str, bool]] = []

    def wrap(name):
        real = getattr(gateway, name)

        def call(*args, **kwargs):
            seen.append((name, event_lock_is_free(app, seen_event[0])))
            return real(*args, **kwargs)

        monkeypatch.setattr(gateway, name, call)

    seen_event: list[int] = []
    for name in ("refund", "expire_session"):
        wrap(name)
    return seen, seen_event


def _paid_by_card(app, client, fake_stripe, api_token, event_id, email="jonas@bi.no"):
    key = api_token(email)
    headers = {"Authorization": f"Bearer {key}"}
    reg = client.post(f"/api/v1/events/{event_id}/registrations", headers=headers, json={})
    reg_id = reg.get_json()["id"]
    session = client.post(f"/api/v1/registrations/{reg_id}/checkout", headers=headers).get_json()
    fake_stripe.pay(session["session_id"])
    fake_stripe.flush()
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        assert payment.status == PaymentStatus.paid
    return reg_id


def test_cancelling_an_event_refunds_after_the_commit_not_under_the_lock(
    app, client, make_event, network, fake_stripe, api_token, watch_stripe
):
    seen, seen_event = watch_stripe
    event_id = make_event(fee=75000, capacity=5, **upcoming())
    seen_event.append(event_id)
    reg_id = _paid_by_card(app, client, fake_stripe, api_token, event_id)
    organiser = api_token("arrangor@nettverket.no", "organiser")
    response = client.patch(
        f"/api/v1/events/{event_id}",
        headers={"Authorization": f"Bearer {organiser}"},
        json={"status": "cancelled"},
    )
    assert response.status_code == 200
    assert seen == [("refund", True)]
    assert [r["amount"] for r in fake_stripe.objects("refund")] == [75000]
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        assert payment.status == PaymentStatus.refunded and payment.stripe_refund


def test_releasing_an_unpaid_seat_closes_the_checkout_page_after_the_commit(
    app, client, make_event, network, fake_stripe, api_token, watch_stripe
):
    seen, seen_event = watch_stripe
    event_id = make_event(fee=75000, capacity=5, **upcoming())
    seen_event.append(event_id)
    headers = {"Authorization": f"Bearer {api_token('jonas@bi.no')}"}
    reg_id = client.post(
        f"/api/v1/events/{event_id}/registrations", headers=headers, json={}
    ).get_json()["id"]
    session_id = client.post(
        f"/api/v1/registrations/{reg_id}/checkout", headers=headers
    ).get_json()["session_id"]
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        later = payment.deadline + timedelta(days=2)
        pay_ops.remind_unpaid(payment.id, later - timedelta(days=1))
        database.commit()
        assert pay_ops.release_unpaid(payment.id, later) == 1
        assert seen == []  # nothing is called while the lock is held
        database.commit()
    assert seen == [("expire_session", True)]
    assert fake_stripe.get(session_id)["status"] == "expired"


def test_a_crash_before_the_call_loses_nothing_and_a_retry_never_refunds_twice(
    app, client, make_event, network, fake_stripe, api_token
):
    """The process dies right after the commit (the after-commit call never runs): the
    task is still there, the worker makes the refund, and running it again (or a
    second worker taking over an abandoned claim) does not refund again."""
    from eventsys import outbox
    from eventsys.payments import stripe_outbox
    from eventsys.registration import operations as reg_ops

    event_id = make_event(fee=75000, capacity=5, **upcoming())
    reg_id = _paid_by_card(app, client, fake_stripe, api_token, event_id)
    with app.app_context():
        reg_ops.cancel(reg_id, None)
        db.session.info.pop("on_commit")  # the crash: nothing runs after the commit
        database.commit()
        assert fake_stripe.objects("refund") == []
        assert stripe_outbox.run_due() == 1
        task = db.session.scalar(select(StripeTask).where(StripeTask.kind == "refund"))
        # As if a worker had died after the call but before recording it:
        task.done_at = None
        task.claimed_at = datetime.now(UTC) - outbox.CLAIM_TIMEOUT - timedelta(seconds=1)
        database.commit()
        assert stripe_outbox.run_due() == 1  # the call is made again ...
        assert stripe_outbox.run_due() == 0
    refunds = fake_stripe.objects("refund")
    assert [r["amount"] for r in refunds] == [75000]  # ... with the same key: one refund
