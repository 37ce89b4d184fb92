"""A fake Stripe API server for the test suite, served over real HTTP on loopback.

The real `stripe` library talks to it through its base-address override::

    with FakeStripe() as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.base_url})
        session = client.v1.checkout.sessions.create(params={...})
        fake.pay(session.id)          # the customer pays; signed webhooks go out

It keeps state for what eventsys uses (Checkout Sessions, PaymentIntents, charges,
refunds, balance transactions, payouts, events) and speaks Stripe's wire format:
form-encoded requests in bracket notation, JSON objects with an "object" field, list
objects paged with `starting_after`/`ending_before`/`limit`, error objects with the
HTTP status the library maps to its exceptions, Bearer auth, idempotency keys, and
webhooks signed with Stripe's scheme (`t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`).

Money follows Stripe: integer amounts in the currency's minor unit (øre), a processing
fee on every charge (`stripe_fee`: 2.4 % + kr 2), refunds that do not give the fee
back, and balance transactions that become available some days after the charge and
are then grouped into payouts.

Deliberately not faithful: only `mode=payment` Checkout Sessions with inline
`price_data`; no customers, prices, disputes or Connect; every card payment succeeds
(declines happen inside Stripe's hosted page and never reach the API); one webhook
endpoint, which is not retried by itself (a test redelivers explicitly).

Webhook delivery goes to `webhook_url` (HTTP POST) or to `sender`, a callable
`sender(payload: bytes, headers: dict) -> int` such as `FakeStripe.flask_sender(client)`.
With `auto_deliver` on, events caused by a test control (`pay`, `expire`,
`create_payout`, …) are delivered before that call returns, so a test can assert on
the app right after it; events caused by an API request (a refund the app asked for)
are delivered from a background thread after the response has been sent, as Stripe
does, and `flush()` waits for them. With `auto_deliver` off nothing is sent until the
test calls `deliver`, `deliver_all` or `redeliver`.

Modules: `wire` (format, errors, fees, signatures), `core` (FakeStripe: state and test
controls), `api` (the endpoints), `webhooks` (delivery), `handler` (HTTP and the pay
page), `__main__` (the standalone demo server)::

    python -m tests.fakestripe --port 12111 \\
        --webhook-url http://localhost:5000/stripe/webhook --webhook-secret whsec_demo
"""

from __future__ import annotations

from collections.abc import Iterator

from .api import ApiRequest
from .core import FakeStripe
from .webhooks import Delivery
from .wire import (
    DEFAULT_API_KEY,
    DEFAULT_WEBHOOK_SECRET,
    FEE_FIXED,
    FEE_PERCENT,
    StripeApiError,
    decode_form,
    sign_payload,
    stripe_fee,
)

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_WEBHOOK_SECRET",
    "FEE_FIXED",
    "FEE_PERCENT",
    "ApiRequest",
    "Delivery",
    "FakeStripe",
    "StripeApiError",
    "decode_form",
    "fixture",
    "sign_payload",
    "stripe_fee",
]


def fixture() -> Iterator[FakeStripe]:
    """Body of the `fake_stripe` pytest fixture: a running FakeStripe with the default
    key ("sk_test_fake") and webhook secret ("whsec_test"), and no webhook endpoint yet.

    Register it in a conftest with `fake_stripe = pytest.fixture(fixture, name="fake_stripe")`.
    """
    with FakeStripe() as fake:
        yield fake
        fake.flush()  # an error in a background webhook delivery fails the test
