"""Edge cases where money or seats could go astray (found in review)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import date as date_

import pytest
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.payments.models import Payment, PaymentStatus
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State


def _now():
    return datetime.now(UTC)


@pytest.fixture
def setup(app, make_event, make_org):
    from eventsys.auth import operations as accounts
    from eventsys.auth.models import Role

    org_id = make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        periods=[("owner", date_(2025, 1, 1), date_(2030, 12, 31), "2000+")],
    )
    event_id = make_event(
        capacity=5,
        starts_at=_now() + timedelta(days=20),
        ends_at=_now() + timedelta(days=20, hours=5),
        registration_opens_at=_now() - timedelta(days=1),
        registration_closes_at=_now() + timedelta(days=19),
    )
    with app.app_context():
        organiser = accounts.create_user(
            "ola@nettverket.no", "passord-passord", role=Role.organiser, verified=True
        )
        token = accounts.issue_api_token(organiser)
        database.commit()
    return {"event_id": event_id, "org_id": org_id, "headers": {"Authorization": f"Bearer {token}"}}


def _register(client, setup, email, **extra):
    response = client.post(
        f"/api/v1/events/{setup['event_id']}/registrations",
        headers=setup["headers"],
        json={"email": email, **extra},
    )
    return response


def _payment(app, reg_id):
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        db.session.expunge_all()
        return payment


def test_paying_after_cancelling_oneself_is_refunded_not_reseated(app, client, setup, fake_stripe):
    reg_id = _register(client, setup, "jonas@bi.no").get_json()["id"]
    fake_stripe.auto_deliver = False
    session_id = client.post(
        f"/api/v1/registrations/{reg_id}/checkout", headers=setup["headers"]
    ).get_json()["session_id"]
    fake_stripe.pay(session_id)  # paid at Stripe ...
    assert (
        client.post(f"/api/v1/registrations/{reg_id}/cancel", headers=setup["headers"]).status_code
        == 200
    )
    fake_stripe.deliver_all()  # ... and the webhook arrives after the cancellation
    fake_stripe.flush()
    with app.app_context():
        assert db.session.get(Registration, reg_id).state == State.CANCELLED
    assert _payment(app, reg_id).status == PaymentStatus.refunded
    assert [r["amount"] for r in fake_stripe.objects("refund")] == [75000]


def test_confirmed_affiliation_removes_the_fee(app, client, setup):
    reg = _register(client, setup, "kari@gmail.com").get_json()
    assert reg["payment"]["status"] == "due"
    response = client.post(
        f"/api/v1/registrations/{reg['id']}/confirm-affiliation",
        headers=setup["headers"],
        json={"organisation_id": setup["org_id"]},
    )
    body = response.get_json()
    assert (body["tier"], body["fee_due"], body["payment"]["status"]) == (1, 0, "not_required")
    assert _payment(app, reg["id"]) is None


def test_waiving_the_fee_after_a_checkout_was_started(app, client, setup, fake_stripe):
    reg_id = _register(client, setup, "jonas@bi.no").get_json()["id"]
    session_id = client.post(
        f"/api/v1/registrations/{reg_id}/checkout", headers=setup["headers"]
    ).get_json()["session_id"]
    response = client.post(
        f"/api/v1/registrations/{reg_id}/waive-fee", headers=setup["headers"], json={}
    )
    assert response.status_code == 200
    assert response.get_json()["payment"]["status"] == "waived"
    assert fake_stripe.get(session_id)["status"] == "expired"  # the open page is closed


def test_a_handed_over_owner_seat_does_not_keep_its_priority(
    app, client, setup, make_user, login, submit, smtp
):
    make_user("kari@uib.no")
    login("kari@uib.no")
    with app.app_context():
        from eventsys.auth.models import User

        user = db.session.scalar(select(User).where(User.email == "kari@uib.no"))
        reg = reg_ops.register(setup["event_id"], reg_ops.Person(email=user.email, user=user), user)
        database.commit()
        reg_id = reg.id
        assert reg.tier == 1
    response = submit(
        f"/registrations/{reg_id}/transfer", {"name": "Sara Ahmed", "email": "sara@gmail.com"}
    )
    assert response.status_code == 302
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        assert (reg.email, reg.tier) == ("sara@gmail.com", 2)
    payment = _payment(app, reg_id)
    assert payment.status == PaymentStatus.due and payment.amount == 75000
    assert "kr 750,00" in smtp.body(smtp.last_to("sara@gmail.com"))


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"email": "z@gmail.com\nBcc: evil@x.no"}, "invalid_email"),
        ({"email": "two words@gmail.com"}, "invalid_email"),
        ({"email": "z@gmail.com", "locale": "xx"}, "invalid_choice"),
        ({"email": "z@gmail.com", "locale": ["nb"]}, "invalid_type"),
    ],
)
def test_bad_registration_input_is_refused_and_nothing_is_saved(app, client, setup, extra, code):
    response = client.post(
        f"/api/v1/events/{setup['event_id']}/registrations", headers=setup["headers"], json=extra
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code
    with app.app_context():
        assert db.session.scalar(select(Registration)) is None


def test_a_late_refund_stripe_could_not_make_is_made_later_once(
    app, client, setup, fake_stripe, monkeypatch
):
    """Money for a released seat, the event full, and Stripe down for the refund: the
    decision (refund) is kept with its task in the outbox; the worker makes the refund
    once Stripe answers, and never a second time."""
    from eventsys.payments import gateway
    from eventsys.payments import operations as pay_ops
    from eventsys.payments.models import StripeTask
    from eventsys.working import Worker

    with app.app_context():
        from eventsys.events.models import Event

        db.session.get(Event, setup["event_id"]).capacity = 1
        database.commit()
    reg_id = _register(client, setup, "jonas@bi.no").get_json()["id"]
    _register(client, setup, "sara@gmail.com")  # waits for the seat
    fake_stripe.auto_deliver = False
    session_id = client.post(
        f"/api/v1/registrations/{reg_id}/checkout", headers=setup["headers"]
    ).get_json()["session_id"]
    fake_stripe.pay(session_id)
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        later = payment.deadline + timedelta(days=2)
        pay_ops.remind_unpaid(payment.id, later - timedelta(days=1))
        database.commit()
        pay_ops.release_unpaid(payment.id, later)
        database.commit()

    def stripe_down(*args, **kwargs):
        raise gateway.GatewayError("stripe_error", "connection refused")

    monkeypatch.setattr(gateway, "refund", stripe_down)
    client.get(f"/payments/return?session_id={session_id}")
    assert _payment(app, reg_id).status == PaymentStatus.refunded  # decided and kept
    assert fake_stripe.objects("refund") == []  # ... but not made yet
    with app.app_context():
        task = db.session.scalar(select(StripeTask).where(StripeTask.kind == "refund"))
        assert task.done_at is None and "connection refused" in task.last_error
        task.next_attempt_at = None  # the pause before the retry is over
        database.commit()
    monkeypatch.undo()
    fake_stripe.deliver_all()  # the webhooks change nothing more
    fake_stripe.flush()
    with app.app_context():
        Worker().drain()
        Worker().drain()
    assert _payment(app, reg_id).stripe_refund
    assert [r["amount"] for r in fake_stripe.objects("refund")] == [75000]
