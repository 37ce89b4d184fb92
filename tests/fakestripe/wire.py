"""Stripe's wire format and rules, without state: ids, fees, signatures, errors,
bracket-notation decoding and the parameter checks Stripe applies."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import time
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl

DEFAULT_API_KEY = "sk_test_fake"
DEFAULT_WEBHOOK_SECRET = "whsec_test"

# Stripe's price for Norwegian and other EEA cards on a Norwegian account since
# 10 April 2023: 2.4 % + NOK 2.00 per successful charge (support.stripe.com,
# "Pricing updates for businesses based in Norway"). Fees are not returned on refund.
FEE_PERCENT = Decimal("2.4")
FEE_FIXED = 200

# Smallest amount Stripe accepts for a charge, per currency, in minor units
# (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts); 50 elsewhere.
MINIMUM_CHARGE = {"nok": 300, "sek": 300, "dkk": 250, "eur": 50, "usd": 50, "gbp": 30}

DAY = 86_400

# Stamped on events; taken from the installed library so `construct_event` and the
# app see the version they expect, with a fallback for the standalone server.
try:  # pragma: no cover - depends on what is installed
    from stripe._api_version import _ApiVersion

    API_VERSION = _ApiVersion.CURRENT
except Exception:  # pragma: no cover
    API_VERSION = "2024-06-20"

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def stripe_fee(amount: int, percent: Decimal = FEE_PERCENT, fixed: int = FEE_FIXED) -> int:
    """Stripe's processing fee on a charge of `amount` minor units, rounded half up."""
    variable = (Decimal(amount) * Decimal(percent) / 100).quantize(Decimal(1), ROUND_HALF_UP)
    return int(variable) + fixed


def sign_payload(payload: bytes | str, secret: str, t: int | None = None) -> str:
    """The `Stripe-Signature` header value for `payload`, as Stripe computes it."""
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    t = int(time.time()) if t is None else int(t)
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256)
    return f"t={t},v1={mac.hexdigest()}"


def midnight_utc(timestamp: float) -> int:
    return int(timestamp) // DAY * DAY


def money(amount: int, currency: str) -> str:
    if currency == "nok":
        return f"kr {amount // 100},{amount % 100:02d}"
    return f"{amount / 100:.2f} {currency.upper()}"


# --- errors --------------------------------------------------------------------------


class StripeApiError(Exception):
    """An error answered as Stripe's error object with its HTTP status.

    The library maps the status to its exceptions: 400/404 → InvalidRequestError
    (or IdempotencyError when type is "idempotency_error"), 401 → AuthenticationError,
    402 → CardError.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param

    def body(self, request_id: str | None = None) -> dict:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        if request_id:
            error["request_log_url"] = (
                f"https://dashboard.stripe.com/test/logs/{request_id}?t={int(time.time())}"
            )
        return {"error": error}


def no_such(kind: str, object_id: str, param: str = "id") -> StripeApiError:
    return StripeApiError(
        404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def missing_param(param: str) -> StripeApiError:
    return StripeApiError(
        400, f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def check_known(params: dict, allowed: Iterable[str], prefix: str = "") -> None:
    """Refuse parameters Stripe would not know, as Stripe does (catches typos in the app)."""
    allowed = set(allowed)
    for key in params:
        if key not in allowed:
            name = f"{prefix}[{key}]" if prefix else key
            raise StripeApiError(
                400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )


# --- wire format ------------------------------------------------------------------------

_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART_RE = re.compile(r"\[([^\[\]]*)\]")


def decode_form(pairs: Iterable[tuple[str, str]] | str) -> dict:
    """Decode Stripe's bracket notation into nested dicts.

    `metadata[registration]=5` → {"metadata": {"registration": "5"}};
    `line_items[0][quantity]=1` and `expand[]=a` give dicts keyed "0", "1", … which
    `as_list` turns into lists where a list is expected. Keeping them as dicts until
    then means a metadata key that happens to be a number stays a key.
    """
    if isinstance(pairs, str):
        pairs = parse_qsl(pairs, keep_blank_values=True)
    root: dict = {}
    for raw_key, value in pairs:
        match = _KEY_RE.match(raw_key)
        if not match:
            raise StripeApiError(400, f"Invalid parameter name: {raw_key}", param=raw_key)
        parts = [match.group(1), *_PART_RE.findall(match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "":
                if not last:  # a[][b]=1 is ambiguous; Stripe's own clients never send it
                    raise StripeApiError(400, f"Invalid array: {raw_key}", param=parts[0])
                part = str(len(node))
            if last:
                if isinstance(node.get(part), dict):
                    raise StripeApiError(400, f"Invalid hash: {raw_key}", param=raw_key)
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise StripeApiError(400, f"Invalid hash: {raw_key}", param=raw_key)
                node = child
    return root


def as_list(value: Any, param: str) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if not all(k.isdigit() for k in value):
            raise StripeApiError(400, f"Invalid array: {param}", param=param)
        return [value[k] for k in sorted(value, key=int)]
    return [value]


def as_int(value: Any, param: str, minimum: int | None = None, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise StripeApiError(400, f"Invalid integer: {value}", param=param) from None
    if minimum is not None and number < minimum:
        raise StripeApiError(
            400, f"This value must be greater than or equal to {minimum}.", param=param
        )
    if maximum is not None and number > maximum:
        raise StripeApiError(
            400, f"This value must be less than or equal to {maximum}.", param=param
        )
    return number


def as_str(value: Any, param: str, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise StripeApiError(400, f"Invalid string: {param}", param=param)
    if max_length is not None and len(value) > max_length:
        raise StripeApiError(
            400, f"Invalid string: {param} must be at most {max_length} characters", param=param
        )
    return value


def as_metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise StripeApiError(400, f"Invalid object: {param}", param=param)
    if len(value) > 50:
        raise StripeApiError(400, "Metadata can have at most 50 keys.", param=param)
    result = {}
    for key, item in value.items():
        if len(key) > 40:
            raise StripeApiError(
                400, f"Metadata keys can be at most 40 characters: {key}", param=param
            )
        item = as_str(item, f"{param}[{key}]", 500)
        if item != "":  # an empty value unsets the key
            result[key] = item
    return result


def as_currency(value: Any, param: str) -> str:
    currency = as_str(value, param).lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise StripeApiError(400, f"Invalid currency: {value}", param=param)
    return currency


def created_filter(params: dict) -> Callable[[dict], bool]:
    """Stripe's `created` filter: an exact timestamp or a hash of gt/gte/lt/lte."""
    created = params.get("created")
    if created is None:
        return lambda obj: True
    if not isinstance(created, dict):
        exact = as_int(created, "created")
        return lambda obj: obj["created"] == exact
    check_known(created, {"gt", "gte", "lt", "lte"}, "created")
    bounds = {op: as_int(v, f"created[{op}]") for op, v in created.items()}
    tests = {
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
    }
    return lambda obj: all(tests[op](obj["created"], b) for op, b in bounds.items())


# Which fields `expand[]` may replace by the object they name, per object type.
EXPANDABLE = {
    "checkout.session": {"payment_intent", "customer", "line_items"},
    "payment_intent": {"latest_charge", "customer", "payment_method"},
    "charge": {"balance_transaction", "payment_intent", "customer"},
    "refund": {"balance_transaction", "charge", "payment_intent"},
    "balance_transaction": {"source"},
    "payout": {"balance_transaction", "destination"},
    "event": set(),
}
