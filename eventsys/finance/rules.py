"""Pure reconciliation rules: Stripe balance transactions against what eventsys
recorded when participants paid. No Flask, no database, no Stripe.

`reconcile` is one pass over the records (dictionaries keyed by payment intent and
registration), so its time grows linearly with the number of transactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

HOME_CURRENCY = "NOK"

# The kinds of discrepancy, as the API names them.
MONEY_WITHOUT_REGISTRATION = "money_without_registration"
PAID_WITHOUT_MONEY = "paid_without_money"
AMOUNT_MISMATCH = "amount_mismatch"
REFUND_MISMATCH = "refund_mismatch"
PAYOUT_MISMATCH = "payout_mismatch"
CURRENCY = "currency"
KINDS = (
    MONEY_WITHOUT_REGISTRATION,
    PAID_WITHOUT_MONEY,
    AMOUNT_MISMATCH,
    REFUND_MISMATCH,
    PAYOUT_MISMATCH,
    CURRENCY,
)

CHARGE_TYPES = frozenset({"charge", "payment"})
REFUND_TYPES = frozenset({"refund", "payment_refund"})
PAYOUT_TYPES = frozenset({"payout"})


@dataclass(frozen=True, slots=True)
class Txn:
    """A Stripe balance transaction (amounts in minor units, as Stripe gives them)."""

    id: str
    type: str
    amount: int
    fee: int
    net: int
    currency: str
    source: str | None = None
    payment_intent: str | None = None
    registration_ref: str | None = None  # the metadata eventsys gave Stripe
    payout_id: str | None = None
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class Fee:
    """What eventsys recorded for one registration's fee."""

    registration_id: int
    amount: int  # the fee owed
    currency: str
    status: str  # due | invoiced | paid | refunded
    method: str | None  # card | invoice
    amount_paid: int = 0
    amount_refunded: int = 0
    payment_intent: str | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Payout:
    id: str
    amount: int
    currency: str


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: str
    amount: int
    currency: str
    registration_id: int | None
    stripe_id: str | None
    detail: str

    @property
    def key(self) -> str:
        """Stable across runs: a resolution made for it keeps applying."""
        return f"{self.kind}:{self.stripe_id or '-'}:{self.registration_id or '-'}"


@dataclass
class Reconciliation:
    matched: dict[str, int] = field(default_factory=dict)  # txn id → registration id
    discrepancies: list[Discrepancy] = field(default_factory=list)


@dataclass(slots=True)
class _Money:
    """Charges and refunds of one payment intent (or of one charge without one)."""

    charged: int = 0
    refunded: int = 0
    currency: str = HOME_CURRENCY
    charge_id: str | None = None
    registration_ref: str | None = None
    registration_id: int | None = None


def _ref_id(ref: str | None) -> int | None:
    return int(ref) if ref and ref.isdigit() and len(ref) < 12 else None


def reconcile(
    txns: Iterable[Txn],
    fees: Iterable[Fee],
    payouts: Iterable[Payout] = (),
    covered: tuple[datetime, datetime] | None = None,
) -> Reconciliation:
    """Match every charge and refund to a registration and list what does not agree.

    A charge belongs to the registration whose payment recorded its payment intent at
    payment time; failing that, to the registration named in its metadata. Money is
    grouped by payment intent, so a stray charge that was refunded in full is settled.
    `covered` is the period the imported transactions cover: a fee marked paid by card
    inside it without a charge is "paid without money"; outside it nothing is judged.
    """
    result = Reconciliation()
    fees = list(fees)
    by_intent = {f.payment_intent: f for f in fees if f.payment_intent}
    by_registration = {f.registration_id: f for f in fees}
    money: dict[str, _Money] = {}
    payout_sums: dict[str, int] = defaultdict(int)
    add = result.discrepancies.append
    txns = txns if isinstance(txns, list | tuple) else list(txns)

    for txn in txns:
        if txn.payout_id and txn.type not in PAYOUT_TYPES:
            payout_sums[txn.payout_id] += txn.net
        charge = txn.type in CHARGE_TYPES
        if not charge and txn.type not in REFUND_TYPES:
            continue
        key = txn.payment_intent or txn.source or txn.id
        group = money.get(key)
        if group is None:
            group = money[key] = _Money(currency=txn.currency.upper())
        if charge:
            group.charged += txn.amount
            group.charge_id = group.charge_id or txn.source or txn.id
        else:
            group.refunded += -txn.amount
        group.registration_ref = group.registration_ref or txn.registration_ref

    for key, group in money.items():
        fee = by_intent.get(key)
        via_metadata = False
        if fee is None:
            fee = by_registration.get(_ref_id(group.registration_ref))
            via_metadata = fee is not None
        reg_id = group.registration_id = fee.registration_id if fee else None
        stripe_id = group.charge_id or key
        if group.currency != HOME_CURRENCY:
            add(
                Discrepancy(
                    CURRENCY,
                    group.charged - group.refunded,
                    group.currency,
                    reg_id,
                    stripe_id,
                    f"paid in {group.currency}, not {HOME_CURRENCY}",
                )
            )
            continue
        left = group.charged - group.refunded
        if fee is None or via_metadata:
            # Money eventsys never recorded as the payment of a fee.
            if group.charged == 0:
                add(
                    Discrepancy(
                        REFUND_MISMATCH,
                        -group.refunded,
                        group.currency,
                        reg_id,
                        stripe_id,
                        "refund of a charge no registration paid with",
                    )
                )
            elif left != 0 and fee is not None and group.charged != fee.amount:
                add(
                    Discrepancy(
                        AMOUNT_MISMATCH,
                        left,
                        group.currency,
                        reg_id,
                        stripe_id,
                        f"charged {group.charged}, fee {fee.amount}; not recorded as paid",
                    )
                )
            elif left != 0:
                add(
                    Discrepancy(
                        MONEY_WITHOUT_REGISTRATION,
                        left,
                        group.currency,
                        reg_id,
                        stripe_id,
                        "no registration recorded this payment"
                        if fee is None
                        else "the registration was not marked paid with this payment",
                    )
                )
            continue
        if group.charged != fee.amount:
            add(
                Discrepancy(
                    AMOUNT_MISMATCH,
                    group.charged - fee.amount,
                    group.currency,
                    reg_id,
                    stripe_id,
                    f"charged {group.charged}, fee {fee.amount}",
                )
            )
        if group.refunded != fee.amount_refunded:
            add(
                Discrepancy(
                    REFUND_MISMATCH,
                    group.refunded - fee.amount_refunded,
                    group.currency,
                    reg_id,
                    stripe_id,
                    f"refunded at Stripe {group.refunded}, recorded {fee.amount_refunded}",
                )
            )

    matched = result.matched
    for txn in txns:
        if txn.type in CHARGE_TYPES or txn.type in REFUND_TYPES:
            group = money[txn.payment_intent or txn.source or txn.id]
            if group.registration_id is not None:
                matched[txn.id] = group.registration_id

    for fee in fees:
        if (
            fee.method == "card"
            and fee.status in ("paid", "refunded")
            and (fee.payment_intent is None or fee.payment_intent not in money)
            and covered is not None
            and fee.paid_at is not None
            and covered[0] <= fee.paid_at <= covered[1]
        ):
            add(
                Discrepancy(
                    PAID_WITHOUT_MONEY,
                    fee.amount_paid,
                    fee.currency,
                    fee.registration_id,
                    fee.payment_intent,
                    "marked paid by card, but Stripe has no such charge",
                )
            )

    for payout in payouts:
        if payout.currency.upper() != HOME_CURRENCY:
            add(
                Discrepancy(
                    CURRENCY,
                    payout.amount,
                    payout.currency.upper(),
                    None,
                    payout.id,
                    f"payout in {payout.currency.upper()}",
                )
            )
            continue
        total = payout_sums.get(payout.id, 0)
        if total != payout.amount:
            add(
                Discrepancy(
                    PAYOUT_MISMATCH,
                    payout.amount - total,
                    payout.currency.upper(),
                    None,
                    payout.id,
                    f"payout {payout.amount}, its transactions add up to {total}",
                )
            )
    return result


@dataclass(frozen=True)
class PayoutLine:
    type: str
    count: int
    amount: int
    fee: int
    net: int


def payout_breakdown(txns: Iterable[Txn]) -> list[PayoutLine]:
    """What one payout is made of: per transaction type, count, gross, fees and net
    (the payout's own transaction left out)."""
    sums: dict[str, list[int]] = {}
    for txn in txns:
        if txn.type in PAYOUT_TYPES:
            continue
        row = sums.setdefault(txn.type, [0, 0, 0, 0])
        row[0] += 1
        row[1] += txn.amount
        row[2] += txn.fee
        row[3] += txn.net
    return [PayoutLine(t, *values) for t, values in sorted(sums.items())]


def unresolved(discrepancies: Iterable[Discrepancy], resolved_keys: set[str]) -> list[Discrepancy]:
    return [d for d in discrepancies if d.key not in resolved_keys]
