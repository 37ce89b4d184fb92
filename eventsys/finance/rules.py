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
    # Money per payment intent (or per charge without one), kept in a few lists of
    # strings and integers rather than one object per group: the garbage collector
    # tracks such objects, and making 100 000 of them set off collections that walk
    # the whole heap (the records passed in, and in the app every loaded row), so the
    # time per transaction grew with the number of transactions.
    slot: dict[str, int] = {}  # group key → position in the lists below
    keys: list[str] = []
    charged: list[int] = []
    refunded: list[int] = []
    currency_of: list[str] = []
    charge_of: list[str | None] = []
    ref_of: list[str | None] = []
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
        i = slot.get(key)
        if i is None:
            i = slot[key] = len(keys)
            keys.append(key)
            charged.append(0)
            refunded.append(0)
            currency_of.append(txn.currency.upper())
            charge_of.append(None)
            ref_of.append(None)
        if charge:
            charged[i] += txn.amount
            if charge_of[i] is None:
                charge_of[i] = txn.source or txn.id
        else:
            refunded[i] -= txn.amount
        if ref_of[i] is None and txn.registration_ref:
            ref_of[i] = txn.registration_ref

    registration_of: list[int | None] = [None] * len(keys)
    for i, key in enumerate(keys):
        group_charged = charged[i]
        group_refunded = refunded[i]
        currency = currency_of[i]
        fee = by_intent.get(key)
        via_metadata = False
        if fee is None:
            fee = by_registration.get(_ref_id(ref_of[i]))
            via_metadata = fee is not None
        reg_id = None
        if fee is not None:
            reg_id = registration_of[i] = fee.registration_id
        stripe_id = charge_of[i] or key
        left = group_charged - group_refunded
        if currency != HOME_CURRENCY:
            add(
                Discrepancy(
                    CURRENCY,
                    left,
                    currency,
                    reg_id,
                    stripe_id,
                    f"paid in {currency}, not {HOME_CURRENCY}",
                )
            )
            continue
        if fee is None or via_metadata:
            # Money eventsys never recorded as the payment of a fee.
            if group_charged == 0:
                add(
                    Discrepancy(
                        REFUND_MISMATCH,
                        -group_refunded,
                        currency,
                        reg_id,
                        stripe_id,
                        "refund of a charge no registration paid with",
                    )
                )
            elif left != 0 and fee is not None and group_charged != fee.amount:
                add(
                    Discrepancy(
                        AMOUNT_MISMATCH,
                        left,
                        currency,
                        reg_id,
                        stripe_id,
                        f"charged {group_charged}, fee {fee.amount}; not recorded as paid",
                    )
                )
            elif left != 0:
                add(
                    Discrepancy(
                        MONEY_WITHOUT_REGISTRATION,
                        left,
                        currency,
                        reg_id,
                        stripe_id,
                        "no registration recorded this payment"
                        if fee is None
                        else "the registration was not marked paid with this payment",
                    )
                )
            continue
        if group_charged != fee.amount:
            add(
                Discrepancy(
                    AMOUNT_MISMATCH,
                    group_charged - fee.amount,
                    currency,
                    reg_id,
                    stripe_id,
                    f"charged {group_charged}, fee {fee.amount}",
                )
            )
        if group_refunded != fee.amount_refunded:
            add(
                Discrepancy(
                    REFUND_MISMATCH,
                    group_refunded - fee.amount_refunded,
                    currency,
                    reg_id,
                    stripe_id,
                    f"refunded at Stripe {group_refunded}, recorded {fee.amount_refunded}",
                )
            )

    matched = result.matched
    for txn in txns:
        if txn.type in CHARGE_TYPES or txn.type in REFUND_TYPES:
            reg_id = registration_of[slot[txn.payment_intent or txn.source or txn.id]]
            if reg_id is not None:
                matched[txn.id] = reg_id

    for fee in fees:
        if (
            fee.method == "card"
            and fee.status in ("paid", "refunded")
            and (fee.payment_intent is None or fee.payment_intent not in slot)
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
