"""Pure rules about fees and payments: no Flask, no database, no Stripe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Decided with the seat, so registration's pages can say them too.
from eventsys.registration.rules import fee_due, refund_allowed  # noqa: F401

INVOICE_DUE_DAYS = 14
REMIND_BEFORE = timedelta(hours=48)


def payment_deadline(confirmed_at: datetime, payment_days: int, starts_at: datetime) -> datetime:
    """Pay within `payment_days` of getting the seat, never after the event starts."""
    return min(confirmed_at + timedelta(days=payment_days), starts_at)


def reminder_time(deadline: datetime, confirmed_at: datetime) -> datetime:
    """When to remind: two days before the deadline, or halfway for a short deadline."""
    return max(deadline - REMIND_BEFORE, confirmed_at + (deadline - confirmed_at) / 2)


def mod10_check_digit(digits: str) -> int:
    """The MOD10 (Luhn) check digit used for Norwegian KID numbers."""
    if not digits.isdigit():
        raise ValueError("KID digits only")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # the rightmost digit (next to the check digit) is doubled
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def make_kid(prefix: int, number: int, width: int = 7) -> str:
    """A KID: a one-digit series prefix, the zero-padded number, and the MOD10 digit."""
    base = f"{prefix}{number:0{width}d}"
    return base + str(mod10_check_digit(base))


def kid_is_valid(kid: str) -> bool:
    return kid.isdigit() and len(kid) >= 2 and mod10_check_digit(kid[:-1]) == int(kid[-1])


def invoice_due_date(issued: date, days: int = INVOICE_DUE_DAYS) -> date:
    return issued + timedelta(days=days)


@dataclass(frozen=True)
class LateMoney:
    """What to do with money that arrives after the seat was released."""

    reseat: bool
    refund: bool


def late_money(seat_free: bool, has_other_active_registration: bool) -> LateMoney:
    if seat_free and not has_other_active_registration:
        return LateMoney(reseat=True, refund=False)
    return LateMoney(reseat=False, refund=True)


def session_pays_fee(
    known_session: bool,
    fee_amount: int,
    fee_currency: str,
    paid_amount: int | None,
    paid_currency: str | None,
) -> bool:
    """A Checkout Session pays a registration's fee only when it is one eventsys made
    for that payment and its amount and currency are the fee's. Anything else is
    stray money for finance, never "paid"."""
    return (
        known_session
        and paid_amount is not None
        and paid_amount == fee_amount
        and (paid_currency or "").upper() == fee_currency.upper()
    )
