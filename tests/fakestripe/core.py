"""FakeStripe: the state, the server's lifecycle and the test controls."""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from decimal import Decimal
from http.server import ThreadingHTTPServer

from .api import ApiMixin, ApiRequest, Call
from .handler import Handler
from .webhooks import Delivery, Sender, WebhookMixin
from .wire import (
    API_VERSION,
    DAY,
    DEFAULT_API_KEY,
    DEFAULT_WEBHOOK_SECRET,
    FEE_FIXED,
    FEE_PERCENT,
    midnight_utc,
    new_id,
    stripe_fee,
)


class FakeStripe(ApiMixin, WebhookMixin):
    """A stateful fake of the Stripe API, with test controls and webhook delivery.

    `with FakeStripe() as fake:` serves it on 127.0.0.1 on a free port; `fake.base_url`
    is what `STRIPE_API_BASE` should be and `fake.api_key` the key it accepts.

    Test controls: `pay(session_id, async_=False)`, `succeed_async`, `fail_async`,
    `expire`, `release_funds`, `create_payout`, `mark_payout_paid`.
    Webhooks: `set_webhook(url=, secret=, sender=)`, `pending_events`, `deliver`,
    `deliver_all(order=)`, `redeliver`, `deliver_raw`, `sign`, `flush`, `deliveries`.
    Looking: `get(id)`, `objects(kind)`, `events(type)`, `requests`.

    All state sits behind one lock, so the app may call it from several threads;
    webhooks are always sent without holding the lock, because the app's webhook
    handler may call the API back.
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        webhook_url: str | None = None,
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        sender: Sender | None = None,
        auto_deliver: bool = True,
        enabled_events: Iterable[str] = ("*",),
        host: str = "127.0.0.1",
        port: int = 0,
        fee_percent: Decimal | str = FEE_PERCENT,
        fee_fixed: int = FEE_FIXED,
        available_delay_days: int = 7,
        webhook_timeout: float = 10.0,
        log: Callable[[str], None] | None = None,
    ):
        self.api_key = api_key
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.sender = sender
        self.auto_deliver = auto_deliver
        self.enabled_events = set(enabled_events)
        self.host = host
        self.port = port
        self.fee_percent = Decimal(fee_percent)
        self.fee_fixed = fee_fixed
        self.available_delay_days = available_delay_days
        self.webhook_timeout = webhook_timeout
        self._log = log

        self._lock = threading.RLock()
        self._objects: dict[str, dict] = {}
        self._order: dict[str, int] = {}
        self._sequence = itertools.count()
        self._line_items: dict[str, list[dict]] = {}
        self._session_extras: dict[str, dict] = {}  # payment_intent_data, not shown on the session
        self._paid_out_in: dict[str, str] = {}  # balance transaction id → payout id
        self._payloads: dict[str, bytes] = {}  # event id → the exact JSON body sent
        self._idempotency: dict[str, dict] = {}
        self._requests: list[ApiRequest] = []
        self._deliveries: list[Delivery] = []

        # Background delivery of events caused by API requests.
        self._queue: deque[str] = deque()
        self._queue_cond = threading.Condition()
        self._held = 0  # API responses being written whose webhooks are not queued yet
        self._in_flight = 0
        self._stopping = False
        self._worker_errors: list[BaseException] = []
        self._worker: threading.Thread | None = None

        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeStripe:
        """Serve the API on `host:port` (port 0 picks a free one) in daemon threads."""
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        # A short poll interval keeps close(), and so every test's teardown, fast.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fakestripe-http",
            daemon=True,
        )
        self._thread.start()
        self._stopping = False
        self._worker = threading.Thread(
            target=self._delivery_loop, name="fakestripe-webhooks", daemon=True
        )
        self._worker.start()
        return self

    def close(self) -> None:
        """Stop serving; webhooks still queued are dropped."""
        with self._queue_cond:
            self._stopping = True
            self._queue.clear()
            self._queue_cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in (self._thread, self._worker):
            if thread is not None:
                thread.join(timeout=5)
        self._thread = self._worker = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        """E.g. http://127.0.0.1:54321: the value for StripeClient's base_addresses["api"]."""
        return f"http://{self.host}:{self.port}"

    def now(self) -> int:
        """Stripe's clock: real time, because the app compares timestamps (a session's
        `expires_at`, a webhook's signature time) with its own clock."""
        return int(time.time())

    # --- looking at the state ------------------------------------------------------------

    def get(self, object_id: str) -> dict:
        """A copy of any object by id (KeyError if unknown)."""
        self._tick()
        with self._lock:
            return copy.deepcopy(self._objects[object_id])

    def objects(self, kind: str) -> list[dict]:
        """Copies of all objects of one type ("checkout.session", "refund", …), oldest first."""
        self._tick()
        with self._lock:
            found = [o for o in self._objects.values() if o["object"] == kind]
            found.sort(key=lambda o: self._order[o["id"]])
            return copy.deepcopy(found)

    def events(self, type: str | None = None) -> list[dict]:
        """All events (oldest first), optionally of one type."""
        return [e for e in self.objects("event") if type is None or e["type"] == type]

    @property
    def requests(self) -> list[ApiRequest]:
        """The API requests answered so far, in order."""
        with self._lock:
            return list(self._requests)

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery attempt so far, in order."""
        with self._lock:
            return list(self._deliveries)

    # --- test controls: the customer and Stripe's own actions ------------------------------

    def pay(
        self,
        session_id: str,
        *,
        async_: bool = False,
        email: str | None = None,
        name: str = "Kari Nordmann",
    ) -> dict:
        """The customer completes Checkout. Returns the session afterwards.

        A card payment succeeds at once: PaymentIntent succeeded, a charge with its
        balance transaction, and charge.succeeded, payment_intent.succeeded and
        checkout.session.completed (payment_status "paid"). With `async_=True` the
        customer picked a delayed method (a bank debit): the session completes with
        payment_status "unpaid" and the money arrives only with `succeed_async`, or
        never with `fail_async`.
        """
        call = Call()
        with self._lock:
            self._refresh(call)
            session = self._control_object(session_id, "checkout.session")
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}, not open")
            self._complete_session(call, session, async_=async_, email=email, name=name)
            result = copy.deepcopy(session)
        self._deliver_now(call.events)
        return result

    def succeed_async(self, session_id: str) -> dict:
        """The delayed payment of a completed session clears: the money arrives."""
        call = Call()
        with self._lock:
            session, intent, charge = self._async_parts(session_id)
            charge.update(status="succeeded", paid=True)
            charge["balance_transaction"] = self._new_charge_transaction(charge)["id"]
            intent.update(status="succeeded", amount_received=intent["amount"])
            session["payment_status"] = "paid"
            charge["outcome"] = {"network_status": "approved_by_network", "type": "authorized"}
            self._emit(call, "charge.succeeded", charge)
            self._emit(call, "payment_intent.succeeded", intent)
            self._emit(call, "checkout.session.async_payment_succeeded", session)
            result = copy.deepcopy(session)
        self._deliver_now(call.events)
        return result

    def fail_async(self, session_id: str) -> dict:
        """The delayed payment of a completed session fails: no money, session unpaid."""
        call = Call()
        with self._lock:
            session, intent, charge = self._async_parts(session_id)
            charge.update(status="failed", paid=False, failure_code="insufficient_funds")
            charge["failure_message"] = "The account has insufficient funds."
            intent.update(status="requires_payment_method")
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": "insufficient_funds",
                "message": charge["failure_message"],
            }
            self._emit(call, "charge.failed", charge)
            self._emit(call, "payment_intent.payment_failed", intent)
            self._emit(call, "checkout.session.async_payment_failed", session)
            result = copy.deepcopy(session)
        self._deliver_now(call.events)
        return result

    def expire(self, session_id: str) -> dict:
        """Expire an open session now, as if its `expires_at` had passed."""
        call = Call()
        with self._lock:
            self._refresh(call)
            session = self._control_object(session_id, "checkout.session")
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}, not open")
            self._expire_session(call, session)
            result = copy.deepcopy(session)
        self._deliver_now(call.events)
        return result

    def release_funds(self) -> list[dict]:
        """The payout delay passes: every pending balance transaction becomes available
        (its `available_on` moves to now). Returns the released transactions."""
        with self._lock:
            now = self.now()
            released = []
            for txn in self._sorted("balance_transaction"):
                if txn["status"] == "pending":
                    txn.update(status="available", available_on=now)
                    released.append(copy.deepcopy(txn))
            return released

    def create_payout(
        self,
        *,
        currency: str = "nok",
        transactions: Iterable[str] | None = None,
        status: str = "paid",
        arrival_date: int | None = None,
        amount: int | None = None,
    ) -> dict:
        """Pay out the balance, as Stripe's automatic payouts do.

        Groups the available balance transactions not yet paid out (or exactly
        `transactions`) into a payout with its own balance transaction (type "payout",
        negative). Afterwards `GET /v1/balance_transactions?payout=po_…` lists them and
        the payout's own. Emits payout.created, and payout.paid when `status` is "paid"
        (otherwise call `mark_payout_paid` later). `amount` overrides the sum, for a
        payout that does not add up (as after a balance adjustment nobody imported).
        """
        if status not in ("paid", "in_transit", "pending"):
            raise ValueError(f"unsupported payout status {status!r}")
        call = Call()
        with self._lock:
            self._refresh(call)
            if transactions is not None:
                chosen = [self._control_object(t, "balance_transaction") for t in transactions]
                for txn in chosen:
                    if txn["id"] in self._paid_out_in or txn["type"] == "payout":
                        raise ValueError(f"{txn['id']} cannot be paid out again")
            else:
                chosen = [
                    o
                    for o in self._sorted("balance_transaction")
                    if o["type"] != "payout"
                    and o["id"] not in self._paid_out_in
                    and o["currency"] == currency
                    and o["status"] == "available"
                ]
            total = sum(t["net"] for t in chosen)
            if not chosen or total <= 0:
                raise ValueError(f"no positive {currency} balance to pay out ({total})")
            amount = total if amount is None else amount
            now = self.now()
            payout_id = new_id("po_")
            txn = self._store(
                {
                    "id": new_id("txn_"),
                    "object": "balance_transaction",
                    "amount": -amount,
                    "available_on": now,
                    "created": now,
                    "currency": currency,
                    "description": "STRIPE PAYOUT",
                    "exchange_rate": None,
                    "fee": 0,
                    "fee_details": [],
                    "net": -amount,
                    "reporting_category": "payout",
                    "source": payout_id,
                    "status": "available",
                    "type": "payout",
                }
            )
            payout = self._store(
                {
                    "id": payout_id,
                    "object": "payout",
                    "amount": amount,
                    "arrival_date": arrival_date or midnight_utc(now) + DAY,
                    "automatic": True,
                    "balance_transaction": txn["id"],
                    "created": now,
                    "currency": currency,
                    "description": "STRIPE PAYOUT",
                    "destination": "ba_fakebankaccount0000000",
                    "failure_balance_transaction": None,
                    "failure_code": None,
                    "failure_message": None,
                    "livemode": False,
                    "metadata": {},
                    "method": "standard",
                    "reconciliation_status": "completed",
                    "source_type": "card",
                    "statement_descriptor": None,
                    "status": status,
                    "type": "bank_account",
                }
            )
            for item in [*chosen, txn]:
                self._paid_out_in[item["id"]] = payout_id
            self._emit(call, "payout.created", payout)
            if status == "paid":
                self._emit(call, "payout.paid", payout)
            result = copy.deepcopy(payout)
        self._deliver_now(call.events)
        return result

    def charge_directly(
        self, amount: int, currency: str = "nok", metadata: dict | None = None
    ) -> dict:
        """A card charge that no Checkout Session of the app made (a payment link, a
        charge in the dashboard): PaymentIntent, charge and balance transaction, no
        webhooks. Returns the charge."""
        with self._lock:
            now = self.now()
            intent_id, charge_id = new_id("pi_"), new_id("ch_")
            self._store(
                {
                    "id": intent_id,
                    "object": "payment_intent",
                    "amount": amount,
                    "amount_received": amount,
                    "created": now,
                    "currency": currency,
                    "latest_charge": charge_id,
                    "livemode": False,
                    "metadata": dict(metadata or {}),
                    "status": "succeeded",
                }
            )
            charge = self._store(
                {
                    "id": charge_id,
                    "object": "charge",
                    "amount": amount,
                    "amount_captured": amount,
                    "amount_refunded": 0,
                    "balance_transaction": None,
                    "captured": True,
                    "created": now,
                    "currency": currency,
                    "description": None,
                    "livemode": False,
                    "metadata": dict(metadata or {}),
                    "paid": True,
                    "payment_intent": intent_id,
                    "payment_method_details": {
                        "type": "card",
                        "card": self._method_details("card"),
                    },
                    "refunded": False,
                    "status": "succeeded",
                }
            )
            charge["balance_transaction"] = self._new_charge_transaction(charge)["id"]
            return copy.deepcopy(charge)

    def export_balance_csv(self) -> str:
        """The dashboard's "Balance change from activity – itemized" CSV export of every
        balance transaction: amounts in major units, times in UTC."""
        import csv
        import io
        from datetime import UTC, datetime

        def when(ts: int) -> str:
            return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")

        def major(minor: int) -> str:
            return f"{Decimal(minor) / 100:.2f}"

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "balance_transaction_id", "created_utc", "available_on_utc", "currency",
                "gross", "fee", "net", "reporting_category", "source_id", "description",
                "payment_intent_id", "automatic_payout_id", "payment_metadata[registration]",
            ]
        )  # fmt: skip
        with self._lock:
            for txn in self._sorted("balance_transaction", newest_first=True):
                source = self._objects.get(txn["source"] or "", {})
                charge = self._objects.get(source.get("charge") or "", source)
                writer.writerow(
                    [
                        txn["id"], when(txn["created"]), when(txn["available_on"]),
                        txn["currency"], major(txn["amount"]), major(txn["fee"]),
                        major(txn["net"]), txn["reporting_category"], txn["source"],
                        txn["description"] or "", source.get("payment_intent") or "",
                        self._paid_out_in.get(txn["id"], ""),
                        (charge.get("metadata") or {}).get("registration", "")
                        if txn["type"] == "charge" else "",
                    ]
                )  # fmt: skip
        return out.getvalue()

    def mark_payout_paid(self, payout_id: str) -> dict:
        """The bank confirms a payout that was in transit: status paid, payout.paid."""
        call = Call()
        with self._lock:
            payout = self._control_object(payout_id, "payout")
            if payout["status"] == "paid":
                raise ValueError(f"{payout_id} is already paid")
            payout["status"] = "paid"
            self._emit(call, "payout.paid", payout)
            result = copy.deepcopy(payout)
        self._deliver_now(call.events)
        return result

    # --- state internals ----------------------------------------------------------------------

    def _store(self, obj: dict) -> dict:
        self._objects[obj["id"]] = obj
        self._order[obj["id"]] = next(self._sequence)
        return obj

    def _sorted(self, kind: str, newest_first: bool = False) -> list[dict]:
        found = [o for o in self._objects.values() if o["object"] == kind]
        found.sort(key=lambda o: self._order[o["id"]], reverse=newest_first)
        return found

    def _control_object(self, object_id: str, kind: str) -> dict:
        obj = self._objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise KeyError(f"no {kind} {object_id!r}")
        return obj

    def _emit(self, call: Call, event_type: str, obj: dict, automatic: bool = False) -> dict:
        """Record an event with a snapshot of `obj` as it is now (Stripe's events are
        snapshots: a late event shows the object as it was, not as it is)."""
        event = self._store(
            {
                "id": new_id("evt_"),
                "object": "event",
                "api_version": API_VERSION,
                "created": self.now(),
                "data": {"object": copy.deepcopy(obj)},
                "livemode": False,
                "pending_webhooks": 1 if self._has_target() and self._enabled(event_type) else 0,
                "request": {
                    "id": None if automatic else call.request_id,
                    "idempotency_key": None if automatic else call.idempotency_key,
                },
                "type": event_type,
            }
        )
        # Stripe sends pretty-printed JSON; the signature covers these exact bytes.
        self._payloads[event["id"]] = json.dumps(event, indent=2).encode()
        call.events.append(event["id"])
        return event

    def _tick(self) -> None:
        """Let time act (see `_refresh`) and deliver what that caused."""
        call = Call()
        with self._lock:
            self._refresh(call)
        self._deliver_now(call.events)

    def _refresh(self, call: Call) -> None:
        """Apply the passing of time: expire overdue sessions, release pending funds."""
        now = self.now()
        for session in self._sorted("checkout.session"):
            if session["status"] == "open" and session["expires_at"] <= now:
                self._expire_session(call, session, automatic=True)
        for txn in self._sorted("balance_transaction"):
            if txn["status"] == "pending" and txn["available_on"] <= now:
                txn["status"] = "available"

    def _expire_session(self, call: Call, session: dict, automatic: bool = False) -> None:
        session.update(status="expired", url=None)
        self._emit(call, "checkout.session.expired", session, automatic=automatic)

    def _complete_session(
        self, call: Call, session: dict, *, async_: bool, email: str | None, name: str
    ) -> None:
        now = self.now()
        extras = self._session_extras.get(session["id"], {})
        intent_data = extras.get("payment_intent_data", {})
        email = email or session["customer_email"] or "kari.nordmann@example.com"
        method = "sepa_debit" if async_ else "card"
        intent_id, charge_id = new_id("pi_"), new_id("ch_")
        metadata = dict(intent_data.get("metadata", {}))
        intent = self._store(
            {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_capturable": 0,
                "amount_received": 0,
                "capture_method": "automatic",
                "client_secret": f"{intent_id}_secret_{new_id('', 24)}",
                "created": now,
                "currency": session["currency"],
                "customer": None,
                "description": intent_data.get("description"),
                "last_payment_error": None,
                "latest_charge": charge_id,
                "livemode": False,
                "metadata": metadata,
                "payment_method": new_id("pm_"),
                "payment_method_types": [method],
                "receipt_email": intent_data.get("receipt_email"),
                "statement_descriptor": intent_data.get("statement_descriptor"),
                "status": "processing" if async_ else "succeeded",
            }
        )
        self._emit(call, "payment_intent.created", intent)
        charge = self._store(
            {
                "id": charge_id,
                "object": "charge",
                "amount": session["amount_total"],
                "amount_captured": session["amount_total"],
                "amount_refunded": 0,
                "balance_transaction": None,
                "billing_details": {"address": None, "email": email, "name": name, "phone": None},
                "captured": True,
                "created": now,
                "currency": session["currency"],
                "customer": None,
                "description": intent["description"],
                "failure_code": None,
                "failure_message": None,
                "livemode": False,
                "metadata": dict(metadata),  # Stripe copies the PaymentIntent's metadata
                "outcome": None,
                "paid": not async_,
                "payment_intent": intent_id,
                "payment_method": intent["payment_method"],
                "payment_method_details": {"type": method, method: self._method_details(method)},
                "receipt_email": intent["receipt_email"],
                "refunded": False,
                "status": "pending" if async_ else "succeeded",
            }
        )
        session.update(
            status="complete",
            payment_status="unpaid" if async_ else "paid",
            payment_intent=intent_id,
            url=None,
            customer_details={
                "address": None,
                "email": email,
                "name": name,
                "phone": None,
                "tax_exempt": "none",
                "tax_ids": [],
            },
        )
        if async_:
            self._emit(call, "charge.pending", charge)
            self._emit(call, "payment_intent.processing", intent)
        else:
            intent["amount_received"] = intent["amount"]
            charge["outcome"] = {"network_status": "approved_by_network", "type": "authorized"}
            charge["balance_transaction"] = self._new_charge_transaction(charge)["id"]
            self._emit(call, "charge.succeeded", charge)
            self._emit(call, "payment_intent.succeeded", intent)
        self._emit(call, "checkout.session.completed", session, automatic=True)

    @staticmethod
    def _method_details(method: str) -> dict:
        if method == "card":
            return {
                "brand": "visa",
                "country": "NO",
                "exp_month": 12,
                "exp_year": 2034,
                "last4": "4242",
            }
        return {"country": "NO", "last4": "3000"}

    def _new_charge_transaction(self, charge: dict) -> dict:
        now = self.now()
        fee = stripe_fee(charge["amount"], self.fee_percent, self.fee_fixed)
        available_on = midnight_utc(now) + self.available_delay_days * DAY
        return self._store(
            {
                "id": new_id("txn_"),
                "object": "balance_transaction",
                "amount": charge["amount"],
                "available_on": available_on,
                "created": now,
                "currency": charge["currency"],
                "description": charge["description"],
                "exchange_rate": None,
                "fee": fee,
                "fee_details": [
                    {
                        "amount": fee,
                        "application": None,
                        "currency": charge["currency"],
                        "description": "Stripe processing fees",
                        "type": "stripe_fee",
                    }
                ],
                "net": charge["amount"] - fee,
                "reporting_category": "charge",
                "source": charge["id"],
                "status": "available" if available_on <= now else "pending",
                "type": "charge",
            }
        )

    def _async_parts(self, session_id: str) -> tuple[dict, dict, dict]:
        session = self._control_object(session_id, "checkout.session")
        intent = self._objects.get(session["payment_intent"] or "")
        if session["status"] != "complete" or intent is None or intent["status"] != "processing":
            raise ValueError(f"{session_id} has no delayed payment in progress")
        return session, intent, self._objects[intent["latest_charge"]]
