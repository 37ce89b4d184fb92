"""Card payments end to end: the real `stripe` library against the fake Stripe server,
webhooks signed as Stripe signs them. No payment is ever lost: whichever of the
webhook and the return page comes first records it, and nothing moves backwards."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsys import database
from eventsys.extensions import db
from eventsys.payments.models import CheckoutSession, Payment, PaymentStatus, StripeEvent
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State


def _now():
    return datetime.now(UTC)


@pytest.fixture
def seat(app, make_event):
    """A confirmed, paying (tier-2) registration; returns (event_id, reg_id)."""

    def make(email="jonas@bi.no", capacity=5, **event_kw):
        event_id = make_event(
            capacity=capacity,
            starts_at=_now() + timedelta(days=20),
            ends_at=_now() + timedelta(days=20, hours=5),
            registration_opens_at=_now() - timedelta(days=1),
            registration_closes_at=_now() + timedelta(days=19),
            **event_kw,
        )
        with app.app_context():
            reg = reg_ops.register(
                event_id, reg_ops.Person(email=email, name="Jonas Lie", vouched=True), None
            )
            database.commit()
            assert reg.state == State.CONFIRMED
            return event_id, reg.id

    return make


@pytest.fixture
def organiser_token(app):
    from eventsys.auth import operations
    from eventsys.auth.models import Role

    with app.app_context():
        user = operations.create_user(
            "ola@nettverket.no", "passord-passord", role=Role.organiser, verified=True
        )
        token = operations.issue_api_token(user)
        database.commit()
    return {"Authorization": f"Bearer {token}"}


def _payment(app, reg_id):
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        db.session.expunge_all()
        return payment


def _checkout(client, headers, reg_id):
    response = client.post(f"/api/v1/registrations/{reg_id}/checkout", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["session_id"].startswith("cs_") and body["url"]
    return body["session_id"]


def test_a_seat_with_a_fee_gets_a_payment_with_a_deadline(app, seat, smtp):
    event_id, reg_id = seat(payment_days=7)
    payment = _payment(app, reg_id)
    assert payment.status == PaymentStatus.due and payment.amount == 75000
    assert timedelta(days=6, hours=23) < payment.deadline - _now() <= timedelta(days=7)
    body = smtp.body(smtp.last_to("jonas@bi.no"))
    assert "kr 750,00" in body and f"/registrations/{reg_id}/pay" in body


def test_checkout_session_as_stripe_sees_it(app, client, seat, fake_stripe, organiser_token):
    _, reg_id = seat()
    session_id = _checkout(client, organiser_token, reg_id)
    session = fake_stripe.get(session_id)
    assert session["currency"] == "nok" and session["amount_total"] == 75000
    assert session["client_reference_id"] == str(reg_id)
    assert session["metadata"]["registration"] == str(reg_id)
    assert session["customer_email"] == "jonas@bi.no"
    assert session["success_url"].endswith("/payments/return?session_id={CHECKOUT_SESSION_ID}")
    # A second click reuses the open session instead of making another.
    assert _checkout(client, organiser_token, reg_id) == session_id
    keys = [r.idempotency_key for r in fake_stripe.requests if r.path == "/v1/checkout/sessions"]
    assert len(keys) == 1 and keys[0].startswith(f"eventsys-checkout-{_payment(app, reg_id).id}-")


def test_paid_through_the_webhook_only(app, client, seat, fake_stripe, organiser_token, smtp):
    """The buyer closes the tab after paying: the webhook alone records it."""
    _, reg_id = seat()
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id)
    payment = _payment(app, reg_id)
    assert payment.status == PaymentStatus.paid and payment.method.value == "card"
    assert payment.amount_paid == 75000 and payment.stripe_payment_intent.startswith("pi_")
    assert smtp.last_to("jonas@bi.no")["Subject"].startswith("Betaling mottatt")
    api = client.get(f"/api/v1/registrations/{reg_id}", headers=organiser_token).get_json()
    assert api["payment"]["status"] == "paid" and api["payment"]["method"] == "card"


def test_paid_through_the_return_page_only_then_late_webhooks_change_nothing(
    app, client, seat, fake_stripe, organiser_token, smtp, make_user, login
):
    make_user("jonas@bi.no", name="Jonas Lie")
    login("jonas@bi.no")
    _, reg_id = seat()
    fake_stripe.auto_deliver = False
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id)
    assert _payment(app, reg_id).status == PaymentStatus.due  # no webhook yet

    response = client.get(f"/payments/return?session_id={session_id}")
    assert response.status_code == 302
    assert _payment(app, reg_id).status == PaymentStatus.paid
    receipts = [m for m in smtp.to("jonas@bi.no") if m["Subject"].startswith("Betaling mottatt")]
    assert len(receipts) == 1

    deliveries = fake_stripe.deliver_all()
    assert all(d.status == 200 for d in deliveries)
    assert _payment(app, reg_id).status == PaymentStatus.paid
    receipts = [m for m in smtp.to("jonas@bi.no") if m["Subject"].startswith("Betaling mottatt")]
    assert len(receipts) == 1


def test_duplicate_event_is_processed_once(app, client, seat, fake_stripe, organiser_token, smtp):
    _, reg_id = seat()
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id)
    (completed,) = fake_stripe.events("checkout.session.completed")
    again = fake_stripe.redeliver(completed["id"])
    assert again.status == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(StripeEvent.id == completed["id"])) == 1
    receipts = [m for m in smtp.to("jonas@bi.no") if m["Subject"].startswith("Betaling mottatt")]
    assert len(receipts) == 1


def test_tampered_and_stale_signatures_are_refused_and_change_nothing(
    app, client, seat, fake_stripe, organiser_token
):
    _, reg_id = seat()
    fake_stripe.auto_deliver = False
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id)
    (completed,) = fake_stripe.pending_events("checkout.session.completed")

    def tamper(body: bytes) -> bytes:
        data = json.loads(body)
        data["data"]["object"]["amount_total"] = 1
        return json.dumps(data).encode()

    assert fake_stripe.deliver(completed["id"], tamper=tamper).status == 400
    assert fake_stripe.deliver(completed["id"], timestamp=int(time.time()) - 3600).status == 400
    assert fake_stripe.deliver(completed["id"], secret="whsec_someone_else").status == 400
    assert client.post("/stripe/webhook", data=b"{}").status_code == 400  # no signature at all
    assert _payment(app, reg_id).status == PaymentStatus.due
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0

    assert fake_stripe.deliver(completed["id"]).status == 200
    assert _payment(app, reg_id).status == PaymentStatus.paid


def test_out_of_order_events_never_move_a_payment_back(
    app, client, seat, fake_stripe, organiser_token
):
    """Attempt 1 expires, attempt 2 is paid; Stripe delivers the expiry last."""
    _, reg_id = seat()
    fake_stripe.auto_deliver = False
    first = _checkout(client, organiser_token, reg_id)
    fake_stripe.expire(first)
    second = _checkout(client, organiser_token, reg_id)
    assert second != first
    fake_stripe.pay(second)
    for delivery in fake_stripe.deliver_all(order="reversed"):
        assert delivery.status == 200
    payment = _payment(app, reg_id)
    assert payment.status == PaymentStatus.paid
    with app.app_context():
        states = dict(
            db.session.execute(
                select(CheckoutSession.stripe_session_id, CheckoutSession.status)
            ).all()
        )
    assert states == {first: "expired", second: "complete"}


def test_expired_session_leaves_the_payment_due_and_a_new_one_can_start(
    app, client, seat, fake_stripe, organiser_token
):
    _, reg_id = seat()
    first = _checkout(client, organiser_token, reg_id)
    fake_stripe.expire(first)
    assert _payment(app, reg_id).status == PaymentStatus.due
    assert _checkout(client, organiser_token, reg_id) != first


def test_async_payment_that_fails_leaves_it_due_and_tells_the_participant(
    app, client, seat, fake_stripe, organiser_token, smtp
):
    _, reg_id = seat()
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id, async_=True)
    assert _payment(app, reg_id).status == PaymentStatus.due
    fake_stripe.fail_async(session_id)
    assert _payment(app, reg_id).status == PaymentStatus.due
    assert "gikk ikke gjennom" in smtp.last_to("jonas@bi.no")["Subject"]


def test_async_payment_that_succeeds_is_recorded(app, client, seat, fake_stripe, organiser_token):
    _, reg_id = seat()
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id, async_=True)
    fake_stripe.succeed_async(session_id)
    assert _payment(app, reg_id).status == PaymentStatus.paid


def _release(app, reg_id):
    """Remind, then let the deadline pass and run the release as tick would."""
    from eventsys.payments import operations as pay_ops

    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        later = payment.deadline + timedelta(days=2)
        assert pay_ops.remind_unpaid(payment.id, later - timedelta(days=1)) == 1
        database.commit()
        assert pay_ops.release_unpaid(payment.id, later) == 1
        database.commit()


def test_payment_after_release_reseats_when_a_seat_is_free(
    app, client, seat, fake_stripe, organiser_token, smtp
):
    _, reg_id = seat()
    fake_stripe.auto_deliver = False
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id)  # paid at Stripe, but the webhook is late ...
    _release(app, reg_id)  # ... and the seat is released meanwhile
    with app.app_context():
        assert db.session.get(Registration, reg_id).state == State.CANCELLED
    fake_stripe.deliver_all()
    with app.app_context():
        assert db.session.get(Registration, reg_id).state == State.CONFIRMED
    assert _payment(app, reg_id).status == PaymentStatus.paid
    assert "plassen din er tilbake" in smtp.last_to("jonas@bi.no")["Subject"]


def test_payment_after_release_is_refunded_when_the_seat_went_to_someone_else(
    app, client, seat, fake_stripe, organiser_token, smtp
):
    event_id, reg_id = seat(capacity=1)
    with app.app_context():
        waiting = reg_ops.register(
            event_id, reg_ops.Person(email="sara@gmail.com", vouched=True), None
        )
        database.commit()
        waiting_id = waiting.id
    fake_stripe.auto_deliver = False
    session_id = _checkout(client, organiser_token, reg_id)
    fake_stripe.pay(session_id)
    _release(app, reg_id)
    with app.app_context():
        assert db.session.get(Registration, waiting_id).state == State.OFFERED
    fake_stripe.deliver_all()
    fake_stripe.flush()
    payment = _payment(app, reg_id)
    assert payment.status == PaymentStatus.refunded and payment.amount_refunded == 75000
    refunds = fake_stripe.objects("refund")
    assert [r["amount"] for r in refunds] == [75000]
    assert "refundert" in smtp.last_to("jonas@bi.no")["Subject"].lower()


def test_cancel_before_the_deadline_refunds_in_full_once(
    app, client, seat, fake_stripe, organiser_token
):
    _, reg_id = seat(cancellation_deadline=_now() + timedelta(days=10))
    fake_stripe.pay(_checkout(client, organiser_token, reg_id))
    response = client.post(f"/api/v1/registrations/{reg_id}/cancel", headers=organiser_token)
    assert response.status_code == 200
    fake_stripe.flush()  # charge.refunded arrives afterwards and agrees
    payment = _payment(app, reg_id)
    assert payment.status == PaymentStatus.refunded and payment.amount_refunded == 75000
    assert [r["amount"] for r in fake_stripe.objects("refund")] == [75000]
    assert response.get_json()["payment"]["status"] == "refunded"


def test_cancel_after_the_deadline_refunds_nothing(app, client, seat, fake_stripe, organiser_token):
    _, reg_id = seat(cancellation_deadline=_now() + timedelta(hours=1))
    fake_stripe.pay(_checkout(client, organiser_token, reg_id))
    with app.app_context():
        reg_ops.cancel(reg_id, None, now=_now() + timedelta(hours=2))
        database.commit()
    assert _payment(app, reg_id).status == PaymentStatus.paid
    assert fake_stripe.objects("refund") == []


def test_cancelling_the_event_refunds_everyone_and_tells_them(
    app, client, seat, fake_stripe, organiser_token, smtp
):
    event_id, first = seat()
    with app.app_context():
        second = reg_ops.register(
            event_id, reg_ops.Person(email="sara@gmail.com", name="Sara", vouched=True), None
        ).id
        third = reg_ops.register(
            event_id, reg_ops.Person(email="per@gmail.com", name="Per", vouched=True), None
        ).id
        database.commit()
    fake_stripe.pay(_checkout(client, organiser_token, first))
    fake_stripe.pay(_checkout(client, organiser_token, second))
    invoiced = client.post(
        f"/api/v1/registrations/{third}/invoice",
        headers=organiser_token,
        json={
            "org_number": "974767880",
            "reference": "Prosjekt 4711",
            "recipient_email": "faktura@ntnu.no",
        },
    )
    assert invoiced.status_code == 201
    response = client.patch(
        f"/api/v1/events/{event_id}", headers=organiser_token, json={"status": "cancelled"}
    )
    assert response.status_code == 200
    fake_stripe.flush()
    assert _payment(app, first).status == _payment(app, second).status == PaymentStatus.refunded
    assert sorted(r["amount"] for r in fake_stripe.objects("refund")) == [75000, 75000]
    assert _payment(app, third).status == PaymentStatus.refunded
    from eventsys.payments.models import Invoice, InvoiceKind

    with app.app_context():
        notes = db.session.scalars(
            select(Invoice).where(Invoice.kind == InvoiceKind.credit_note)
        ).all()
        assert [n.amount for n in notes] == [-75000]
    for address in ("jonas@bi.no", "sara@gmail.com", "per@gmail.com"):
        assert smtp.last_to(address)["Subject"].startswith("Avlyst")
    # Each is told what happens to their money: drawn when it is sent, after the
    # refunds and the credit note were recorded with the cancellation.
    card = " ".join(smtp.body(smtp.last_to("sara@gmail.com")).split())
    assert "kr 750,00 blir refundert til kortet" in card
    invoice = " ".join(smtp.body(smtp.last_to("per@gmail.com")).split())
    assert "kreditnota" in invoice and "kortet" not in invoice


def test_card_payment_is_off_without_stripe_keys(client, seat, organiser_token):
    _, reg_id = seat()
    response = client.post(f"/api/v1/registrations/{reg_id}/checkout", headers=organiser_token)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "card_unavailable"


def test_participant_pays_by_card_from_the_page(
    app, client, seat, fake_stripe, make_user, login, submit, smtp
):
    """As a person would: My registrations → Pay → Stripe's page → back, paid."""
    make_user("jonas@bi.no", name="Jonas Lie")
    login("jonas@bi.no")
    _, reg_id = seat()
    mine = client.get("/account/registrations").get_data(as_text=True)
    assert f"/registrations/{reg_id}/pay" in mine
    page = client.get(f"/registrations/{reg_id}/pay").get_data(as_text=True)
    assert "Betal kr 750,00 med kort" in page
    response = submit(f"/registrations/{reg_id}/pay/card", {}, page=f"/registrations/{reg_id}/pay")
    assert response.status_code == 303 and response.location.startswith(fake_stripe.base_url)
    session_id = response.location.rstrip("/").rsplit("/", 1)[-1]
    fake_stripe.pay(session_id)
    back = client.get(f"/payments/return?session_id={session_id}", follow_redirects=True)
    assert "betalingen er mottatt" in back.get_data(as_text=True)
    assert _payment(app, reg_id).status == PaymentStatus.paid


def test_pages_allow_the_card_form_to_continue_to_the_configured_stripe(client, fake_stripe):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com " + fake_stripe.base_url in policy
    assert "script-src 'self'" in policy
