"""The only module that talks to Stripe (through the official `stripe` library)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import stripe
from flask import current_app


class GatewayError(Exception):
    """Stripe could not be reached or refused; `code` says which."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


class PayloadError(Exception):
    """A correctly signed webhook body that is not JSON (or nests too deep)."""


class SignatureError(Exception):
    pass


@dataclass(frozen=True)
class SessionInfo:
    id: str
    url: str | None
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    payment_intent: str | None
    amount_total: int | None
    currency: str | None
    client_reference_id: str | None
    metadata: dict


def enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    if not enabled():
        raise GatewayError("not_configured", "STRIPE_SECRET_KEY is not set")
    base = current_app.config.get("STRIPE_API_BASE")
    kwargs = {"base_addresses": {"api": base}} if base else {}
    # Bounded waits: a request never hangs a worker; the library retries safely
    # (idempotency keys) on network errors.
    return stripe.StripeClient(
        current_app.config["STRIPE_SECRET_KEY"], max_network_retries=2, **kwargs
    )


def _info(session) -> SessionInfo:
    session = session.to_dict()
    intent = session.get("payment_intent")
    if intent is not None and not isinstance(intent, str):
        intent = intent.get("id")
    return SessionInfo(
        id=session["id"],
        url=session.get("url"),
        status=session.get("status"),
        payment_status=session.get("payment_status"),
        payment_intent=intent,
        amount_total=session.get("amount_total"),
        currency=session.get("currency"),
        client_reference_id=session.get("client_reference_id"),
        metadata=dict(session.get("metadata") or {}),
    )


def create_checkout_session(
    *,
    registration_id: int,
    event_id: int,
    title: str,
    amount: int,
    email: str,
    expires_at: datetime,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    locale: str = "nb",
) -> SessionInfo:
    """A Checkout Session in NOK for one participant fee."""
    params = {
        "mode": "payment",
        "payment_method_types": ["card"],
        "currency": "nok",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "nok",
                    "unit_amount": amount,
                    "product_data": {"name": title[:250]},
                },
            }
        ],
        "client_reference_id": str(registration_id),
        "metadata": {"registration": str(registration_id), "event": str(event_id)},
        # Copied onto the charge, so finance can match a payment eventsys lost track of.
        "payment_intent_data": {
            "metadata": {"registration": str(registration_id), "event": str(event_id)}
        },
        "customer_email": email,
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": "nb" if locale == "nb" else "en",
    }
    try:
        session = _client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as exc:
        raise GatewayError("stripe_error", str(exc)) from exc
    return _info(session)


def retrieve_session(session_id: str) -> SessionInfo:
    try:
        return _info(_client().v1.checkout.sessions.retrieve(session_id))
    except stripe.InvalidRequestError as exc:
        raise GatewayError("unknown_session", str(exc)) from exc
    except stripe.StripeError as exc:
        raise GatewayError("stripe_error", str(exc)) from exc


def expire_session(session_id: str) -> None:
    try:
        _client().v1.checkout.sessions.expire(session_id)
    except stripe.InvalidRequestError:
        pass  # already complete or expired: nothing to do
    except stripe.StripeError as exc:
        raise GatewayError("stripe_error", str(exc)) from exc


def refund(payment_intent: str, amount: int, idempotency_key: str) -> str:
    """Refund (part of) a payment; the same key never refunds twice. Returns the id."""
    try:
        result = _client().v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as exc:
        raise GatewayError("stripe_error", str(exc)) from exc
    return result["id"]


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """The event, if the Stripe-Signature header matches the body and is recent."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise SignatureError("missing secret or signature")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise SignatureError(str(exc)) from exc
    # Parsed here, not by stripe's construct_event, which fails on a signed body that
    # is JSON but not an object; the caller checks the event's shape.
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(str(exc)[:200]) from exc


# --- reading the balance, for finance's reconciliation -----------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a Stripe list, newest first, as plain dictionaries."""

    items: list[dict]
    has_more: bool

    @property
    def last_id(self) -> str | None:
        return self.items[-1]["id"] if self.items else None


def _page(resource, params: dict) -> Page:
    try:
        result = resource.list(params={k: v for k, v in params.items() if v is not None})
    except stripe.StripeError as exc:
        raise GatewayError("stripe_error", str(exc)) from exc
    result = result.to_dict()
    return Page(items=list(result["data"]), has_more=bool(result["has_more"]))


def balance_transactions(
    created_gte: int | None = None,
    starting_after: str | None = None,
    payout: str | None = None,
    limit: int = 100,
) -> Page:
    """A page of balance transactions with their source (charge, refund) expanded, so
    the payment intent and metadata come along without one request per transaction."""
    return _page(
        _client().v1.balance_transactions,
        {
            "limit": limit,
            "starting_after": starting_after,
            "created": {"gte": created_gte} if created_gte is not None else None,
            "payout": payout,
            "expand": ["data.source"],
        },
    )


def payouts(
    created_gte: int | None = None, starting_after: str | None = None, limit: int = 100
) -> Page:
    return _page(
        _client().v1.payouts,
        {
            "limit": limit,
            "starting_after": starting_after,
            "created": {"gte": created_gte} if created_gte is not None else None,
        },
    )
