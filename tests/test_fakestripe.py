"""The fake Stripe server, driven by the real `stripe` library over HTTP on loopback.

If these pass, code written against Stripe's documented behaviour works against the
fake, and webhooks it sends pass the library's own signature check.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import flask
import pytest
import requests
import stripe

from tests.fakestripe import FakeStripe, decode_form, fixture, sign_payload, stripe_fee

SECRET = "whsec_test"


@pytest.fixture
def fake():
    yield from fixture()


@pytest.fixture
def client(fake):
    # No retries: a failing test should fail at once, not after back-off sleeps.
    return stripe.StripeClient(
        "sk_test_fake", base_addresses={"api": fake.base_url}, max_network_retries=0
    )


class Inbox:
    """A webhook sender target standing in for the app: records what it gets."""

    def __init__(self, status: int = 200):
        self.status = status
        self.received: list[tuple[bytes, dict]] = []

    def __call__(self, payload: bytes, headers: dict) -> int:
        self.received.append((payload, headers))
        return self.status

    def events(self) -> list:
        return [
            stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)
            for body, headers in self.received
        ]

    def types(self) -> list[str]:
        return [json.loads(body)["type"] for body, _ in self.received]


@pytest.fixture
def inbox(fake):
    inbox = Inbox()
    fake.set_webhook(sender=inbox)
    return inbox


def create_session(client, amount=50_000, quantity=1, **params):
    return client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": "nok",
                        "unit_amount": amount,
                        "product_data": {"name": "Høstseminar 2026"},
                    },
                    "quantity": quantity,
                }
            ],
            "client_reference_id": "registration-5",
            "customer_email": "kari@uib.no",
            "metadata": {"registration": "5"},
            "success_url": "http://localhost:5000/paid?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://localhost:5000/cancelled",
            **params,
        }
    )


# --- wire format --------------------------------------------------------------------------


def test_bracket_notation_is_decoded_like_stripe():
    params = decode_form(
        "metadata[registration]=5&line_items[0][price_data][currency]=nok"
        "&line_items[0][quantity]=2&expand[]=payment_intent&expand[]=line_items&metadata[7]=x"
    )
    assert params["metadata"] == {"registration": "5", "7": "x"}
    assert params["line_items"] == {"0": {"price_data": {"currency": "nok"}, "quantity": "2"}}
    assert params["expand"] == {"0": "payment_intent", "1": "line_items"}


# --- checkout sessions ---------------------------------------------------------------------


def test_create_and_retrieve_session(client, fake):
    session = create_session(client, amount=25_000, quantity=2)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency) == (50_000, "nok")
    assert session.metadata["registration"] == "5"
    assert session.client_reference_id == "registration-5"
    assert session.payment_intent is None
    assert session.url == f"{fake.base_url}/pay/{session.id}"
    assert session.livemode is False
    assert session.expires_at - session.created == 24 * 3600

    again = client.v1.checkout.sessions.retrieve(session.id)
    assert again.to_dict() == session.to_dict()
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(i.description, i.quantity, i.amount_total) for i in items] == [
        ("Høstseminar 2026", 2, 50_000)
    ]


def _minimal(amount=50_000):
    return {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": "nok",
                    "unit_amount": amount,
                    "product_data": {"name": "Kurs"},
                },
                "quantity": 1,
            }
        ],
    }


def test_same_idempotency_key_gives_the_same_session(client, fake):
    key = {"idempotency_key": "registration-5-attempt-1"}
    first = client.v1.checkout.sessions.create(params=_minimal(), options=key)
    second = client.v1.checkout.sessions.create(params=_minimal(), options=key)

    assert second.id == first.id
    assert len(fake.objects("checkout.session")) == 1
    assert [r.replayed for r in fake.requests] == [False, True]

    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(params=_minimal(amount=60_000), options=key)


@pytest.mark.parametrize(
    ("change", "param", "code"),
    [
        (
            lambda p: p["line_items"][0].pop("quantity"),
            "line_items[0][quantity]",
            "parameter_missing",
        ),
        (lambda p: p.update(metdata={"x": "1"}), "metdata", "parameter_unknown"),
        (lambda p: p.pop("mode"), "mode", "parameter_missing"),
        (
            lambda p: p["line_items"][0]["price_data"].update(unit_amount=200),
            None,
            "amount_too_small",
        ),
        (lambda p: p.update(expires_at=int(time.time()) + 60), "expires_at", None),
    ],
    ids=["missing quantity", "misspelt parameter", "no mode", "below kr 3", "expires too soon"],
)
def test_invalid_session_parameters_are_refused_like_stripe(client, change, param, code):
    params = _minimal()
    change(params)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)
    assert raised.value.http_status == 400
    assert raised.value.param == param
    assert raised.value.code == code


def test_unknown_session_is_a_404(client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"
    assert "No such checkout.session: 'cs_test_nope'" in str(raised.value)


def test_wrong_api_key_is_refused(fake):
    wrong = stripe.StripeClient(
        "sk_test_wrong", base_addresses={"api": fake.base_url}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError) as raised:
        wrong.v1.checkout.sessions.create(params=_minimal())
    assert raised.value.http_status == 401
    assert fake.objects("checkout.session") == []


def test_expire_an_open_session(client, fake, inbox):
    session = create_session(client)

    expired = client.v1.checkout.sessions.expire(session.id)
    assert (expired.status, expired.url) == ("expired", None)
    fake.flush()  # the webhook of an API call goes out after the response
    (event,) = inbox.events()
    assert event.type == "checkout.session.expired"
    assert event.data.object.id == session.id
    assert event.request.idempotency_key  # the library sends one with every POST

    with pytest.raises(stripe.InvalidRequestError, match='status of "expired"'):
        client.v1.checkout.sessions.expire(session.id)
    with pytest.raises(ValueError):
        fake.pay(session.id)


def test_sessions_expire_when_their_time_passes(client, fake, inbox, monkeypatch):
    session = create_session(client, expires_at=int(time.time()) + 1800)
    later = int(time.time()) + 1801
    monkeypatch.setattr(fake, "now", lambda: later)

    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    fake.flush()
    (event,) = inbox.events()
    assert event.type == "checkout.session.expired"
    assert event.request.id is None  # Stripe expired it, no API request did


# --- paying and webhooks -------------------------------------------------------------------


def test_paying_sends_a_webhook_the_library_verifies(client, fake, inbox):
    session = create_session(client)
    fake.pay(session.id)

    assert inbox.types() == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    payload, headers = inbox.received[-1]
    event = stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], SECRET)
    assert event.id.startswith("evt_")
    assert event.data.object.id == session.id
    assert (event.data.object.payment_status, event.data.object.status) == ("paid", "complete")
    assert event.data.object.metadata["registration"] == "5"
    assert headers["Stripe-Signature"] == sign_payload(payload, SECRET, event_time(headers))

    tampered = payload.replace(b'"paid"', b'"unpaid"')
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, headers["Stripe-Signature"], SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], "whsec_other")
    stale = sign_payload(payload, SECRET, t=int(time.time()) - 600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stale, SECRET)


def test_events_are_kept_and_listed(client, fake):
    session = create_session(client)
    fake.pay(session.id)  # no endpoint configured: events are only stored

    listed = client.v1.events.list(params={"type": "checkout.session.*"})
    assert [e.type for e in listed] == ["checkout.session.completed"]
    event = client.v1.events.retrieve(listed.data[0].id)
    assert event.data.object.id == session.id
    assert [e["type"] for e in fake.pending_events()][-1] == "checkout.session.completed"


def event_time(headers) -> int:
    return int(headers["Stripe-Signature"].split(",")[0].removeprefix("t="))


def test_paid_session_expands_to_payment_intent_charge_and_fee(client, fake, inbox):
    session = create_session(client)
    fake.pay(session.id)

    paid = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    intent = paid.payment_intent
    assert intent.id.startswith("pi_") and intent.status == "succeeded"
    charge = intent.latest_charge
    assert charge.id.startswith("ch_") and charge.amount == 50_000
    txn = charge.balance_transaction
    assert txn.id.startswith("txn_")
    assert (txn.type, txn.amount, txn.source) == ("charge", 50_000, charge.id)
    assert txn.fee == stripe_fee(50_000) == 1_400  # 2.4 % + kr 2
    assert txn.net == 48_600
    assert txn.status == "pending"  # available after the payout delay
    assert paid.customer_details.email == "kari@uib.no"

    assert client.v1.payment_intents.retrieve(intent.id).latest_charge == charge.id
    assert client.v1.charges.retrieve(charge.id).payment_intent == intent.id


def test_webhooks_are_posted_over_http(client, fake):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        fake.set_webhook(url=f"http://127.0.0.1:{server.server_address[1]}/stripe/webhook")
        fake.pay(create_session(client).id)
    finally:
        server.shutdown()
        server.server_close()

    body, signature = received[-1]
    event = stripe.Webhook.construct_event(body, signature, SECRET)
    assert event.type == "checkout.session.completed"
    assert [d.status for d in fake.deliveries] == [200] * 4


def test_flask_sender_delivers_in_process_and_the_app_may_call_back():
    shop = flask.Flask("shop")
    shop.config["TESTING"] = True  # exceptions in views reach the test
    seen = []

    with FakeStripe(webhook_secret="whsec_shop") as fake:
        api = stripe.StripeClient(
            fake.api_key, base_addresses={"api": fake.base_url}, max_network_retries=0
        )

        @shop.post("/stripe/webhook")
        def webhook():
            try:
                event = stripe.Webhook.construct_event(
                    flask.request.get_data(),
                    flask.request.headers["Stripe-Signature"],
                    "whsec_shop",
                )
            except stripe.SignatureVerificationError:
                return "bad signature", 400
            if event.type == "checkout.session.completed":
                # Calling the API back while the fake is delivering must not deadlock.
                session = api.v1.checkout.sessions.retrieve(
                    event.data.object.id, params={"expand": ["payment_intent"]}
                )
                seen.append(session.payment_intent.status)
            if event.type == "charge.refunded":
                raise RuntimeError("bug in the webhook view")
            return "", 200

        fake.set_webhook(sender=FakeStripe.flask_sender(shop.test_client(), "/stripe/webhook"))
        session = fake.pay(create_session(api).id)
        assert seen == ["succeeded"]

        completed = fake.events("checkout.session.completed")[0]["id"]
        assert fake.redeliver(completed, secret="whsec_wrong").status == 400

        # The refund's webhook goes out in the background; flush() surfaces the crash.
        api.v1.refunds.create(params={"payment_intent": session["payment_intent"]})
        with pytest.raises(RuntimeError, match="bug in the webhook view"):
            fake.flush()


def test_tests_control_delivery_order_duplicates_and_failures(client, fake):
    inbox = Inbox()
    fake.auto_deliver = False
    fake.set_webhook(sender=inbox)
    fake.enabled_events = {"checkout.session.completed", "checkout.session.expired"}
    first, second = create_session(client), create_session(client)
    fake.pay(first.id)
    fake.expire(second.id)
    assert inbox.received == []
    assert [e["type"] for e in fake.pending_events()] == [
        "checkout.session.completed",
        "checkout.session.expired",
    ]

    fake.deliver_all(order="reversed")
    assert inbox.types() == ["checkout.session.expired", "checkout.session.completed"]
    assert fake.pending_events() == []

    completed = fake.events("checkout.session.completed")[0]["id"]
    with pytest.raises(ValueError):
        fake.deliver(completed)
    fake.redeliver(completed)
    ids = [e.id for e in inbox.events()]
    assert ids[-1] == ids[1] == completed

    # A bad signature reaches the endpoint and does not verify.
    forged = fake.redeliver(completed, secret="whsec_forged")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(forged.payload, forged.signature, SECRET)

    # An endpoint answering 500 leaves the event pending, as Stripe would retry it.
    inbox.status = 500
    third = create_session(client)
    fake.pay(third.id)
    (attempt,) = fake.deliver_all()
    assert (attempt.status, attempt.ok) == (500, False)
    assert [e["id"] for e in fake.pending_events()] == [attempt.event_id]


def test_delayed_payment_succeeds_or_fails_later(client, fake, inbox):
    fake.enabled_events = {"checkout.session.completed", "checkout.session.async_payment_succeeded",
                           "checkout.session.async_payment_failed"}  # fmt: skip
    good, bad = create_session(client), create_session(client)

    assert fake.pay(good.id, async_=True)["payment_status"] == "unpaid"
    assert fake.objects("balance_transaction") == []
    fake.succeed_async(good.id)
    assert client.v1.checkout.sessions.retrieve(good.id).payment_status == "paid"
    assert len(fake.objects("balance_transaction")) == 1

    fake.pay(bad.id, async_=True)
    fake.fail_async(bad.id)
    assert client.v1.checkout.sessions.retrieve(bad.id).payment_status == "unpaid"
    assert [(e.type, e.data.object.payment_status) for e in inbox.events()] == [
        ("checkout.session.completed", "unpaid"),
        ("checkout.session.async_payment_succeeded", "paid"),
        ("checkout.session.completed", "unpaid"),
        ("checkout.session.async_payment_failed", "unpaid"),
    ]


# --- refunds, balance transactions, payouts -----------------------------------------------


def test_refunds_update_the_charge_and_the_balance(client, fake, inbox):
    session = fake.pay(create_session(client).id)
    intent = session["payment_intent"]

    refund = client.v1.refunds.create(
        params={"payment_intent": intent, "amount": 20_000, "reason": "requested_by_customer"}
    )
    assert refund.id.startswith("re_") and refund.status == "succeeded"
    charge = client.v1.charges.retrieve(refund.charge)
    assert (charge.amount_refunded, charge.refunded) == (20_000, False)
    txn = client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.source) == (
        "refund", -20_000, 0, -20_000, refund.id,
    )  # fmt: skip

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"charge": charge.id, "amount": 40_000})
    assert too_much.value.code == "amount_too_large"

    rest = client.v1.refunds.create(params={"charge": charge.id})
    assert rest.amount == 30_000
    assert client.v1.charges.retrieve(charge.id).refunded is True
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"payment_intent": intent})
    assert again.value.code == "charge_already_refunded"

    fake.flush()
    refunded = [e for e in inbox.events() if e.type == "charge.refunded"]
    assert [e.data.object.amount_refunded for e in refunded] == [20_000, 50_000]
    listed = client.v1.refunds.list(params={"payment_intent": intent})
    assert [r.id for r in listed] == [rest.id, refund.id]


def test_balance_transactions_page_through_auto_paging(client, fake):
    for amount in (10_000, 20_000, 30_000, 40_000, 50_000):
        fake.pay(create_session(client, amount=amount).id)

    first = client.v1.balance_transactions.list(params={"limit": 2, "type": "charge"})
    assert (len(first.data), first.has_more, first.url) == (2, True, "/v1/balance_transactions")
    before = len(fake.requests)
    amounts = [t.amount for t in first.auto_paging_iter()]

    assert amounts == [50_000, 40_000, 30_000, 20_000, 10_000]  # newest first
    assert len(fake.requests) - before == 2  # two more pages were fetched
    pages = [r.params for r in fake.requests[before:]]
    assert all(p["type"] == "charge" and p["limit"] == "2" for p in pages)
    assert pages[0]["starting_after"] == first.data[-1].id


def test_payout_groups_available_transactions(client, fake, inbox):
    paid = [fake.pay(create_session(client, amount=a).id) for a in (50_000, 30_000)]
    client.v1.refunds.create(params={"payment_intent": paid[1]["payment_intent"]})
    with pytest.raises(ValueError):
        fake.create_payout()  # charges are not available yet (refunds are at once)

    assert len(fake.release_funds()) == 2
    payout = fake.create_payout()
    expected = (50_000 - stripe_fee(50_000)) + (30_000 - stripe_fee(30_000)) - 30_000
    assert payout["id"].startswith("po_")
    assert payout["amount"] == expected

    listed = client.v1.payouts.list()
    assert [p.id for p in listed] == [payout["id"]]
    txns = list(
        client.v1.balance_transactions.list(
            params={"payout": payout["id"], "limit": 2}
        ).auto_paging_iter()
    )
    assert sorted(t.type for t in txns) == ["charge", "charge", "payout", "refund"]
    assert sum(t.net for t in txns) == 0  # the payout takes out exactly what it groups
    assert client.v1.balance.retrieve().available[0].amount == 0

    fake.flush()
    assert inbox.types()[-2:] == ["payout.created", "payout.paid"]
    with pytest.raises(ValueError):
        fake.create_payout()  # nothing left


# --- the customer's page and the standalone server -----------------------------------------


def test_pay_page_pays_and_redirects_to_success_url(client, fake, inbox):
    session = create_session(client)
    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200
    assert "kr 500,00" in page.text and 'value="pay"' in page.text

    answer = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=5)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"http://localhost:5000/paid?session={session.id}"
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    assert inbox.types()[-1] == "checkout.session.completed"

    other = create_session(client)
    cancel = requests.post(other.url, data={"action": "cancel"}, allow_redirects=False, timeout=5)
    assert cancel.headers["Location"] == "http://localhost:5000/cancelled"
    assert client.v1.checkout.sessions.retrieve(other.id).status == "open"


@pytest.mark.slow
def test_runs_standalone():
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakestripe", "--port", "0", "--quiet"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        assert first_line.startswith("Fake Stripe on http://127.0.0.1:")
        base = first_line.split()[-1]
        answer = requests.get(
            f"{base}/v1/balance", headers={"Authorization": "Bearer sk_test_fake"}, timeout=5
        )
        assert answer.json()["object"] == "balance"
    finally:
        process.terminate()
        process.wait(timeout=5)
