"""Finance operations: reconcile what Stripe holds against what eventsys recorded, and
keep finance's resolution log. They flush; the caller commits."""

from __future__ import annotations

from sqlalchemy import func, select

from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.finance import rules
from eventsys.finance.models import (
    DiscrepancyResolution,
    StripePayout,
    StripeSync,
    StripeTransaction,
)
from eventsys.payments.models import Payment


class FinanceError(Exception):
    def __init__(self, code: str, status: int = 409, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.status = status
        self.field = field


def _txns(*where):
    rows = db.session.execute(
        select(
            StripeTransaction.id,
            StripeTransaction.type,
            StripeTransaction.amount,
            StripeTransaction.fee,
            StripeTransaction.net,
            StripeTransaction.currency,
            StripeTransaction.source,
            StripeTransaction.payment_intent,
            StripeTransaction.registration_ref,
            StripeTransaction.payout_id,
            StripeTransaction.created,
        ).where(*where)
    )
    return [rules.Txn(*row) for row in rows]


def _fees():
    rows = db.session.execute(
        select(
            Payment.registration_id,
            Payment.amount,
            Payment.currency,
            Payment.status,
            Payment.method,
            Payment.amount_paid,
            Payment.amount_refunded,
            Payment.stripe_payment_intent,
            Payment.paid_at,
        )
    )
    return [
        rules.Fee(
            reg,
            amount,
            currency,
            status.value,
            method.value if method else None,
            paid or 0,
            refunded or 0,
            intent,
            paid_at,
        )  # fmt: skip
        for reg, amount, currency, status, method, paid, refunded, intent, paid_at in rows
    ]


def covered_period():
    """From the first imported transaction to the later of the last one and the end of
    the last finished sync: inside it, a card payment without a charge is a finding."""
    first, last = db.session.execute(
        select(func.min(StripeTransaction.created), func.max(StripeTransaction.created))
    ).one()
    if first is None:
        return None
    synced = db.session.scalar(select(func.max(StripeSync.finished_at)))
    return first, max(last, synced) if synced else last


def reconcile() -> rules.Reconciliation:
    payouts = [
        rules.Payout(p.id, p.amount, p.currency) for p in db.session.scalars(select(StripePayout))
    ]
    return rules.reconcile(_txns(), _fees(), payouts, covered_period())


def resolved_keys() -> set[str]:
    return set(db.session.scalars(select(DiscrepancyResolution.key)))


def open_discrepancies() -> list[rules.Discrepancy]:
    """Every discrepancy finance has not resolved, in a stable order."""
    found = rules.unresolved(reconcile().discrepancies, resolved_keys())
    return sorted(found, key=lambda d: (rules.KINDS.index(d.kind), d.stripe_id or "", d.key))


def resolve(key: str, note: str, actor: User) -> DiscrepancyResolution:
    """Finance explains a discrepancy: it stops showing and stays in the log."""
    note = (note or "").strip()
    if not note:
        raise FinanceError("note_required", 400, "note")
    if db.session.scalar(select(DiscrepancyResolution).where(DiscrepancyResolution.key == key)):
        raise FinanceError("already_resolved")
    found = next((d for d in reconcile().discrepancies if d.key == key), None)
    if found is None:
        raise FinanceError("discrepancy_not_found", 404)
    entry = DiscrepancyResolution(
        key=key,
        kind=found.kind,
        amount=found.amount,
        currency=found.currency,
        registration_id=found.registration_id,
        stripe_id=found.stripe_id,
        detail=found.detail[:500],
        note=note,
        resolved_by_id=actor.id,
        resolved_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def resolution_log() -> list[DiscrepancyResolution]:
    return list(
        db.session.scalars(
            select(DiscrepancyResolution).order_by(DiscrepancyResolution.resolved_at.desc())
        )
    )


def payouts() -> list[StripePayout]:
    return list(db.session.scalars(select(StripePayout).order_by(StripePayout.created.desc())))


def payout_breakdown(payout_id: str) -> list[rules.PayoutLine]:
    return rules.payout_breakdown(_txns(StripeTransaction.payout_id == payout_id))
