"""The HTTP API: authentication, idempotency, routing, lists, expansion and the
endpoints eventsys uses."""

from __future__ import annotations

import base64
import copy
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .wire import (
    API_VERSION,
    DAY,
    EXPANDABLE,
    MINIMUM_CHARGE,
    StripeApiError,
    as_currency,
    as_int,
    as_list,
    as_metadata,
    as_str,
    check_known,
    created_filter,
    decode_form,
    missing_param,
    money,
    new_id,
    no_such,
)


@dataclass
class ApiRequest:
    """One API request the fake answered (for assertions on what the app sent)."""

    method: str
    path: str
    params: dict
    status: int
    idempotency_key: str | None
    replayed: bool
    request_id: str


@dataclass
class Call:
    """What an API request or test control caused: its request stamp and new events."""

    request_id: str | None = None
    idempotency_key: str | None = None
    events: list[str] = field(default_factory=list)


class ApiMixin:
    """FakeStripe's HTTP API. Uses FakeStripe's state (`_lock`, `_objects`, `_line_items`,
    `_session_extras`, `_paid_out_in`, `_idempotency`, `_requests`) and its domain
    operations (`_store`, `_sorted`, `_emit`, `_refresh`, `_expire_session`, `now`).
    """

    def _handle_api(
        self, method: str, path: str, query: str, body: bytes, headers
    ) -> tuple[int, dict, dict, list[str]]:
        """Answer one API request: (status, response headers, JSON body, new event ids)."""
        call = Call(request_id=new_id("req_", 14))
        reply_headers = {"Request-Id": call.request_id, "Stripe-Version": API_VERSION}
        params: dict = {}
        logged: dict = {}
        replayed = False
        try:
            params = decode_form(query)
            if method == "POST":
                params.update(decode_form(body.decode("utf-8")))
            logged = copy.deepcopy(params)
            self._authenticate(headers.get("Authorization"))
            handler, args = self._route(method, path)
            key = headers.get("Idempotency-Key") if method == "POST" else None
            call.idempotency_key = key
            if key:
                reply_headers["Idempotency-Key"] = key
            with self._lock:
                cached = self._idempotency.get(key) if key else None
                if cached is not None:
                    status, result = self._replay(cached, key, method, path, params)
                    replayed = True
                else:
                    expand = as_list(params.pop("expand", None), "expand")
                    self._refresh(call)
                    result = handler(call, params, *args)
                    result = self._expand(result, [as_str(e, "expand") for e in expand])
                    status = 200
                    if key:  # only requests that ran are remembered, as at Stripe
                        self._idempotency[key] = {
                            "endpoint": f"{method} {path}",
                            "params": logged,  # what the key is bound to
                            "status": status,
                            "body": copy.deepcopy(result),
                        }
            if replayed:
                reply_headers["Idempotent-Replayed"] = "true"
        except StripeApiError as exc:
            status, result = exc.status, exc.body(call.request_id)
        with self._lock:
            self._requests.append(
                ApiRequest(
                    method, path, logged, status, call.idempotency_key, replayed, call.request_id
                )
            )
        if self._log:
            self._log(f"{method} {path} -> {status}")
        return status, reply_headers, result, ([] if replayed else call.events)

    def _api_object(self, object_id: str, kind: str, param: str = "id") -> dict:
        obj = self._objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise no_such(kind, object_id, param)
        return obj

    def _authenticate(self, authorization: str | None) -> None:
        key = None
        if authorization and authorization.startswith("Bearer "):
            key = authorization[len("Bearer ") :].strip()
        elif authorization and authorization.startswith("Basic "):  # curl -u sk_test_…:
            try:
                key = base64.b64decode(authorization[6:]).decode().split(":", 1)[0]
            except ValueError:
                key = None
        if not key:
            raise StripeApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        if not hmac.compare_digest(key, self.api_key):
            masked = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:]
            raise StripeApiError(401, f"Invalid API Key provided: {masked}")

    def _replay(self, cached: dict, key: str, method: str, path: str, params: dict):
        endpoint = f"{method} {path}"
        if cached["endpoint"] != endpoint:
            raise StripeApiError(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they "
                f"were first used for ('{cached['endpoint']}' vs '{endpoint}'). Try using a "
                f"key other than '{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        if cached["params"] != params:
            raise StripeApiError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            )
        return cached["status"], copy.deepcopy(cached["body"])

    _ROUTES: list[tuple[str, re.Pattern, str]] = [
        (m, re.compile(p), h)
        for m, p, h in [
            ("POST", r"/v1/checkout/sessions", "_create_session"),
            ("GET", r"/v1/checkout/sessions", "_list_sessions"),
            ("GET", r"/v1/checkout/sessions/([^/]+)", "_retrieve_session"),
            ("POST", r"/v1/checkout/sessions/([^/]+)", "_update_session"),
            ("POST", r"/v1/checkout/sessions/([^/]+)/expire", "_expire_session_api"),
            ("GET", r"/v1/checkout/sessions/([^/]+)/line_items", "_list_line_items"),
            ("GET", r"/v1/payment_intents", "_list_payment_intents"),
            ("GET", r"/v1/payment_intents/([^/]+)", "_retrieve_payment_intent"),
            ("GET", r"/v1/charges", "_list_charges"),
            ("GET", r"/v1/charges/([^/]+)", "_retrieve_charge"),
            ("POST", r"/v1/refunds", "_create_refund"),
            ("GET", r"/v1/refunds", "_list_refunds"),
            ("GET", r"/v1/refunds/([^/]+)", "_retrieve_refund"),
            ("GET", r"/v1/balance", "_retrieve_balance"),
            ("GET", r"/v1/balance_transactions", "_list_balance_transactions"),
            ("GET", r"/v1/balance_transactions/([^/]+)", "_retrieve_balance_transaction"),
            ("GET", r"/v1/payouts", "_list_payouts"),
            ("GET", r"/v1/payouts/([^/]+)", "_retrieve_payout"),
            ("GET", r"/v1/events", "_list_events"),
            ("GET", r"/v1/events/([^/]+)", "_retrieve_event"),
        ]
    ]

    def _route(self, method: str, path: str):
        for route_method, pattern, name in self._ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return getattr(self, name), match.groups()
        raise StripeApiError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
        )

    # --- lists and expansion ---------------------------------------------------------------

    def _list(
        self,
        params: dict,
        kind: str,
        url: str,
        filters: dict[str, Callable[[dict, Any], bool]] | None = None,
        items: list[dict] | None = None,
    ) -> dict:
        """A Stripe list object, newest first, paged by starting_after/ending_before."""
        filters = filters or {}
        check_known(params, {"limit", "starting_after", "ending_before", "created", *filters})
        limit = as_int(params.get("limit", 10), "limit", 1, 100)
        keep_created = created_filter(params)
        if items is None:
            items = self._sorted(kind, newest_first=True)
        items = [
            o
            for o in items
            if keep_created(o)
            and all(test(o, params[name]) for name, test in filters.items() if name in params)
        ]
        after, before = params.get("starting_after"), params.get("ending_before")
        ids = [o["id"] for o in items]
        if after:
            if after not in ids:
                raise no_such(kind, after, "starting_after")
            rest = items[ids.index(after) + 1 :]
            page, has_more = rest[:limit], len(rest) > limit
        elif before:
            if before not in ids:
                raise no_such(kind, before, "ending_before")
            rest = items[: ids.index(before)]
            page, has_more = rest[-limit:], len(rest) > limit
        else:
            page, has_more = items[:limit], len(items) > limit
        return {"object": "list", "data": copy.deepcopy(page), "has_more": has_more, "url": url}

    def _expand(self, obj: dict, paths: list[str]) -> dict:
        obj = copy.deepcopy(obj)
        for path in paths:
            parts = path.split(".")
            if len(parts) > 4:
                raise StripeApiError(
                    400,
                    f"You cannot expand more than 4 levels of a property ({path}).",
                    param="expand",
                )
            self._expand_path(obj, parts, path)
        return obj

    def _expand_path(self, obj: dict, parts: list[str], path: str) -> None:
        head, rest = parts[0], parts[1:]
        if obj.get("object") == "list" and head == "data":
            for item in obj["data"]:
                if rest:
                    self._expand_path(item, rest, path)
            return
        if head not in EXPANDABLE.get(obj.get("object", ""), set()):
            raise StripeApiError(400, f"This property cannot be expanded ({path}).", param="expand")
        if head == "line_items" and obj["object"] == "checkout.session":
            obj[head] = self._list(
                {},
                "item",
                f"/v1/checkout/sessions/{obj['id']}/line_items",
                items=self._line_items.get(obj["id"], []),
            )
        elif isinstance(obj.get(head), str) and obj[head] in self._objects:
            obj[head] = copy.deepcopy(self._objects[obj[head]])
        value = obj.get(head)
        if rest and isinstance(value, dict):
            self._expand_path(value, rest, path)

    # --- Checkout Sessions -------------------------------------------------------------------

    _SESSION_PARAMS = {
        "after_expiration", "allow_promotion_codes", "automatic_tax", "billing_address_collection",
        "branding_settings", "cancel_url", "client_reference_id", "consent_collection",
        "currency", "custom_fields", "custom_text", "customer", "customer_creation",
        "customer_email", "discounts", "expires_at", "invoice_creation", "line_items",
        "locale", "metadata", "mode", "payment_intent_data", "payment_method_options",
        "payment_method_types", "phone_number_collection", "redirect_on_completion",
        "return_url", "shipping_address_collection", "submit_type", "success_url",
        "tax_id_collection", "ui_mode",
    }  # fmt: skip
    _INTENT_DATA_PARAMS = {
        "capture_method", "description", "metadata", "receipt_email", "setup_future_usage",
        "statement_descriptor", "statement_descriptor_suffix",
    }  # fmt: skip

    _LINE_ITEM_PARAMS = {
        "adjustable_quantity", "dynamic_tax_rates", "price", "price_data", "quantity", "tax_rates",
    }  # fmt: skip
    _PRICE_DATA_PARAMS = {
        "currency", "product", "product_data", "recurring", "tax_behavior", "unit_amount",
        "unit_amount_decimal",
    }  # fmt: skip
    _PRODUCT_DATA_PARAMS = {"description", "images", "metadata", "name", "tax_code", "unit_label"}

    def _create_session(self, call: Call, params: dict) -> dict:
        check_known(params, self._SESSION_PARAMS)
        mode = params.get("mode")
        if mode is None:
            raise missing_param("mode")
        if mode != "payment":
            raise StripeApiError(
                400, f"FakeStripe supports mode=payment only, not {mode!r}.", param="mode"
            )
        if params.get("customer"):
            raise no_such("customer", params["customer"], "customer")
        now = self.now()
        currency = as_currency(params["currency"], "currency") if "currency" in params else None
        items, currency = self._line_items_from(params.get("line_items"), currency)
        total = sum(item["amount_total"] for item in items)
        minimum = MINIMUM_CHARGE.get(currency, 50)
        if total < minimum:
            raise StripeApiError(
                400,
                "The Checkout Session's total amount due must add up to at least "
                f"{money(minimum, currency)}",
                code="amount_too_small",
            )
        expires_at = as_int(params.get("expires_at", now + DAY), "expires_at")
        # A minute of slack: a client computing "now + 30 minutes" must not fail on the
        # second that passed before its request arrived.
        if not now + 30 * 60 - 60 <= expires_at <= now + DAY + 60:
            raise StripeApiError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        email = params.get("customer_email")
        if email is not None and not re.fullmatch(
            r"[^@\s]+@[^@\s]+\.[^@\s]+", as_str(email, "customer_email")
        ):
            raise StripeApiError(
                400, f"Invalid email address: {email}", code="email_invalid", param="customer_email"
            )
        intent_data = params.get("payment_intent_data") or {}
        if not isinstance(intent_data, dict):
            raise StripeApiError(400, "Invalid object", param="payment_intent_data")
        check_known(intent_data, self._INTENT_DATA_PARAMS, "payment_intent_data")
        if intent_data.get("capture_method", "automatic") != "automatic":
            raise StripeApiError(
                400,
                "FakeStripe supports automatic capture only.",
                param="payment_intent_data[capture_method]",
            )
        intent_data = {
            **intent_data,
            "metadata": as_metadata(intent_data.get("metadata"), "payment_intent_data[metadata]"),
        }
        client_reference_id = params.get("client_reference_id")
        if client_reference_id is not None:
            as_str(client_reference_id, "client_reference_id", 200)

        session_id = new_id("cs_test_", 58)
        session = self._store(
            {
                "id": session_id,
                "object": "checkout.session",
                "after_expiration": None,
                "allow_promotion_codes": None,
                "amount_subtotal": total,
                "amount_total": total,
                "billing_address_collection": params.get("billing_address_collection"),
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": client_reference_id,
                "created": now,
                "currency": currency,
                "customer": None,
                "customer_creation": params.get("customer_creation", "if_required"),
                "customer_details": None,
                "customer_email": email,
                "expires_at": expires_at,
                "livemode": False,
                "locale": params.get("locale"),
                "metadata": as_metadata(params.get("metadata")),
                "mode": "payment",
                "payment_intent": None,  # created when the customer pays (API ≥ 2022-08-01)
                "payment_method_types": [
                    as_str(t, "payment_method_types")
                    for t in as_list(params.get("payment_method_types"), "payment_method_types")
                ]
                or ["card"],
                "payment_status": "unpaid",
                "status": "open",
                "submit_type": params.get("submit_type"),
                "success_url": params.get("success_url"),
                "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
                "ui_mode": params.get("ui_mode", "hosted"),
                "url": f"{self.base_url}/pay/{session_id}",
            }
        )
        self._line_items[session_id] = items
        self._session_extras[session_id] = {"payment_intent_data": intent_data}
        return session

    def _line_items_from(self, raw: Any, currency: str | None) -> tuple[list[dict], str]:
        lines = as_list(raw, "line_items")
        if not lines:
            raise StripeApiError(
                400,
                "`line_items` is required in `payment` mode.",
                code="parameter_missing",
                param="line_items",
            )
        items = []
        for index, line in enumerate(lines):
            where = f"line_items[{index}]"
            if not isinstance(line, dict):
                raise StripeApiError(400, f"Invalid object: {where}", param=where)
            check_known(line, self._LINE_ITEM_PARAMS, where)
            if "price" in line:
                raise no_such("price", line["price"], f"{where}[price]")
            data = line.get("price_data")
            if not isinstance(data, dict):
                raise missing_param(f"{where}[price_data]")
            check_known(data, self._PRICE_DATA_PARAMS, f"{where}[price_data]")
            if "recurring" in data:
                raise StripeApiError(
                    400,
                    "You must be in `subscription` mode to use recurring prices.",
                    param=f"{where}[price_data][recurring]",
                )
            if "currency" not in data:
                raise missing_param(f"{where}[price_data][currency]")
            line_currency = as_currency(data["currency"], f"{where}[price_data][currency]")
            if currency is not None and line_currency != currency:
                raise StripeApiError(
                    400,
                    "All line_items must use the same currency.",
                    param=f"{where}[price_data][currency]",
                )
            currency = line_currency
            if "product" in data:
                raise no_such("product", data["product"], f"{where}[price_data][product]")
            product = data.get("product_data")
            if not isinstance(product, dict) or "name" not in product:
                raise missing_param(f"{where}[price_data][product_data][name]")
            check_known(product, self._PRODUCT_DATA_PARAMS, f"{where}[price_data][product_data]")
            if "unit_amount" in data:
                unit = as_int(data["unit_amount"], f"{where}[price_data][unit_amount]", 0)
                unit_exact = Decimal(unit)
            elif "unit_amount_decimal" in data:
                try:
                    unit_exact = Decimal(data["unit_amount_decimal"])
                except InvalidOperation:
                    raise StripeApiError(
                        400, "Invalid decimal", param=f"{where}[price_data][unit_amount_decimal]"
                    ) from None
                unit = None
            else:
                raise missing_param(f"{where}[price_data][unit_amount]")
            if "quantity" not in line:
                raise missing_param(f"{where}[quantity]")
            quantity = as_int(line["quantity"], f"{where}[quantity]", 1)
            amount = int((unit_exact * quantity).quantize(Decimal(1), ROUND_HALF_UP))
            items.append(
                {
                    "id": new_id("li_"),
                    "object": "item",
                    "amount_discount": 0,
                    "amount_subtotal": amount,
                    "amount_tax": 0,
                    "amount_total": amount,
                    "currency": currency,
                    "description": as_str(
                        product["name"], f"{where}[price_data][product_data][name]"
                    ),
                    "price": {
                        "id": new_id("price_"),
                        "object": "price",
                        "active": False,
                        "currency": currency,
                        "product": new_id("prod_"),
                        "type": "one_time",
                        "unit_amount": unit,
                        "unit_amount_decimal": str(unit_exact),
                    },
                    "quantity": quantity,
                }
            )
        assert currency is not None
        return items, currency

    def _list_sessions(self, call: Call, params: dict) -> dict:
        return self._list(
            params,
            "checkout.session",
            "/v1/checkout/sessions",
            {
                "payment_intent": lambda o, v: o["payment_intent"] == v,
                "status": lambda o, v: o["status"] == v,
                "customer_details": lambda o, v: (
                    (o["customer_details"] or {}).get("email") == v.get("email")
                ),
            },
        )

    def _retrieve_session(self, call: Call, params: dict, session_id: str) -> dict:
        check_known(params, set())
        return self._api_object(session_id, "checkout.session", "session")

    def _update_session(self, call: Call, params: dict, session_id: str) -> dict:
        session = self._api_object(session_id, "checkout.session", "session")
        check_known(params, {"metadata"})
        if "metadata" in params:
            if params["metadata"] == "":
                session["metadata"] = {}
            else:
                merged = {**session["metadata"], **params["metadata"]}
                session["metadata"] = as_metadata(merged)
        return session

    def _expire_session_api(self, call: Call, params: dict, session_id: str) -> dict:
        check_known(params, set())
        session = self._api_object(session_id, "checkout.session", "session")
        if session["status"] != "open":
            raise StripeApiError(
                400,
                'Only Checkout Sessions with a status in ["open"] can be expired. This '
                f'Checkout Session has a status of "{session["status"]}".',
            )
        self._expire_session(call, session)
        return session

    def _list_line_items(self, call: Call, params: dict, session_id: str) -> dict:
        self._api_object(session_id, "checkout.session", "session")
        url = f"/v1/checkout/sessions/{session_id}/line_items"
        return self._list(params, "item", url, items=self._line_items[session_id])

    # --- payments, charges, refunds ----------------------------------------------------------

    def _list_payment_intents(self, call: Call, params: dict) -> dict:
        return self._list(params, "payment_intent", "/v1/payment_intents")

    def _retrieve_payment_intent(self, call: Call, params: dict, intent_id: str) -> dict:
        check_known(params, {"client_secret"})
        return self._api_object(intent_id, "payment_intent", "intent")

    def _list_charges(self, call: Call, params: dict) -> dict:
        by_intent = {"payment_intent": lambda o, v: o["payment_intent"] == v}
        return self._list(params, "charge", "/v1/charges", by_intent)

    def _retrieve_charge(self, call: Call, params: dict, charge_id: str) -> dict:
        check_known(params, set())
        return self._api_object(charge_id, "charge", "charge")

    _REFUND_PARAMS = {
        "amount", "charge", "currency", "customer", "instructions_email", "metadata", "origin",
        "payment_intent", "reason", "refund_application_fee", "reverse_transfer",
    }  # fmt: skip
    _REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")

    def _create_refund(self, call: Call, params: dict) -> dict:
        check_known(params, self._REFUND_PARAMS)
        if "payment_intent" in params:
            intent = self._api_object(params["payment_intent"], "payment_intent", "payment_intent")
            if intent["status"] != "succeeded":
                raise StripeApiError(
                    400,
                    f"This PaymentIntent ({intent['id']}) does not have a successful charge "
                    "to refund.",
                    param="payment_intent",
                )
            charge = self._objects[intent["latest_charge"]]
            if "charge" in params and params["charge"] != charge["id"]:
                raise StripeApiError(
                    400, "The charge does not belong to this PaymentIntent.", param="charge"
                )
        elif "charge" in params:
            charge = self._api_object(params["charge"], "charge", "charge")
        else:
            raise StripeApiError(
                400,
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        if charge["status"] != "succeeded":
            raise StripeApiError(
                400,
                f"Charge {charge['id']} has not succeeded and cannot be refunded.",
                param="charge",
            )
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining == 0:
            raise StripeApiError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = as_int(params.get("amount", remaining), "amount", 1)
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount ({money(amount, charge['currency'])}) is greater than unrefunded "
                f"amount on charge ({money(remaining, charge['currency'])})",
                code="amount_too_large",
                param="amount",
            )
        reason = params.get("reason")
        if reason is not None and reason not in self._REFUND_REASONS:
            raise StripeApiError(
                400,
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
                param="reason",
            )
        now = self.now()
        refund_id = new_id("re_")
        # The fee is not returned: a refund's balance transaction has fee 0.
        txn = self._store(
            {
                "id": new_id("txn_"),
                "object": "balance_transaction",
                "amount": -amount,
                "available_on": now,
                "created": now,
                "currency": charge["currency"],
                "description": "REFUND FOR CHARGE"
                + (f" ({charge['description']})" if charge["description"] else ""),
                "exchange_rate": None,
                "fee": 0,
                "fee_details": [],
                "net": -amount,
                "reporting_category": "refund",
                "source": refund_id,
                "status": "available",
                "type": "refund",
            }
        )
        refund = self._store(
            {
                "id": refund_id,
                "object": "refund",
                "amount": amount,
                "balance_transaction": txn["id"],
                "charge": charge["id"],
                "created": now,
                "currency": charge["currency"],
                "destination_details": {"type": charge["payment_method_details"]["type"]},
                "metadata": as_metadata(params.get("metadata")),
                "payment_intent": charge["payment_intent"],
                "reason": reason,
                "receipt_number": None,
                "status": "succeeded",
            }
        )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self._emit(call, "charge.refunded", charge)
        self._emit(call, "refund.created", refund)
        return refund

    def _list_refunds(self, call: Call, params: dict) -> dict:
        filters = {
            "charge": lambda o, v: o["charge"] == v,
            "payment_intent": lambda o, v: o["payment_intent"] == v,
        }
        return self._list(params, "refund", "/v1/refunds", filters)

    def _retrieve_refund(self, call: Call, params: dict, refund_id: str) -> dict:
        check_known(params, set())
        return self._api_object(refund_id, "refund", "refund")

    # --- balance, payouts, events --------------------------------------------------------------

    def _retrieve_balance(self, call: Call, params: dict) -> dict:
        check_known(params, set())
        sums: dict[str, dict[str, int]] = {"available": {}, "pending": {}}
        for txn in self._sorted("balance_transaction"):
            bucket = sums[txn["status"]]
            bucket[txn["currency"]] = bucket.get(txn["currency"], 0) + txn["net"]
        currencies = sorted({*sums["available"], *sums["pending"]}) or ["nok"]

        def amounts(bucket: dict[str, int]) -> list[dict]:
            return [
                {
                    "amount": bucket.get(c, 0),
                    "currency": c,
                    "source_types": {"card": bucket.get(c, 0)},
                }
                for c in currencies
            ]

        return {
            "object": "balance",
            "available": amounts(sums["available"]),
            "livemode": False,
            "pending": amounts(sums["pending"]),
        }

    def _list_balance_transactions(self, call: Call, params: dict) -> dict:
        payout = params.get("payout")
        if payout is not None:
            self._api_object(payout, "payout", "payout")
        return self._list(
            params,
            "balance_transaction",
            "/v1/balance_transactions",
            {
                "payout": lambda o, v: self._paid_out_in.get(o["id"]) == v,
                "type": lambda o, v: o["type"] == v,
                "source": lambda o, v: o["source"] == v,
                "currency": lambda o, v: o["currency"] == v.lower(),
            },
        )

    def _retrieve_balance_transaction(self, call: Call, params: dict, txn_id: str) -> dict:
        check_known(params, set())
        return self._api_object(txn_id, "balance_transaction", "id")

    def _list_payouts(self, call: Call, params: dict) -> dict:
        filters = {
            "status": lambda o, v: o["status"] == v,
            "arrival_date": lambda o, v: o["arrival_date"] == as_int(v, "arrival_date"),
        }
        return self._list(params, "payout", "/v1/payouts", filters)

    def _retrieve_payout(self, call: Call, params: dict, payout_id: str) -> dict:
        check_known(params, set())
        return self._api_object(payout_id, "payout", "payout")

    def _list_events(self, call: Call, params: dict) -> dict:
        def type_matches(event: dict, pattern: str) -> bool:
            if pattern.endswith("*"):  # Stripe allows e.g. type=checkout.session.*
                return event["type"].startswith(pattern[:-1])
            return event["type"] == pattern

        return self._list(
            params,
            "event",
            "/v1/events",
            {
                "type": type_matches,
                "types": lambda o, v: o["type"] in as_list(v, "types"),
                "delivery_success": lambda o, v: True,
            },
        )

    def _retrieve_event(self, call: Call, params: dict, event_id: str) -> dict:
        check_known(params, set())
        return self._api_object(event_id, "event", "id")
