"""Finance operations: reconcile what Stripe holds against what eventsys recorded, and
keep finance's resolution log. They flush; the caller commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventsys.auth.models import User
from eventsys.database import local_date, utcnow
from eventsys.extensions import db
from eventsys.finance import contributions, rules
from eventsys.finance.models import (
    Contribution,
    ContributionRate,
    DiscrepancyResolution,
    StripePayout,
    StripeSync,
    StripeTransaction,
)
from eventsys.organisations.models import Organisation, OrganisationKind
from eventsys.payments.models import Invoice, InvoiceKind, NumberSeries, Payment


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


# --- owners' yearly contributions -----------------------------------------------------

CONTRIBUTION_KID_PREFIX = 2  # participant fees have 1
CONTRIBUTION_DUE_DAYS = 30


def contribution_rates(year: int) -> dict[str, int]:
    """The year's staff-band table, or DESIGN's default table when none is set."""
    rows = db.session.scalars(select(ContributionRate).where(ContributionRate.year == year)).all()
    if not rows:
        return dict(contributions.DEFAULT_RATES)
    return {row.band: row.amount for row in rows}


def set_contribution_rates(year: int, rates: dict[str, int], actor: User) -> None:
    """Finance or admin sets a year's table (øre per band); years already invoiced
    keep their invoices."""
    if set(rates) != set(contributions.BANDS) or any(a < 0 for a in rates.values()):
        raise FinanceError("rates_incomplete", 400)
    existing = {
        row.band: row
        for row in db.session.scalars(select(ContributionRate).where(ContributionRate.year == year))
    }
    for band, amount in rates.items():
        if band in existing:
            existing[band].amount = amount
        else:
            db.session.add(ContributionRate(year=year, band=band, amount=amount))
    db.session.flush()


def _owners() -> list[contributions.Owner]:
    orgs = db.session.scalars(select(Organisation).options(selectinload(Organisation.ownerships)))
    return [
        contributions.Owner(
            org.id,
            org.kind == OrganisationKind.welfare_org,
            tuple(
                contributions.Period(
                    p.role.value,
                    p.valid_from,
                    p.valid_to,
                    p.staff_band.value if p.staff_band else None,
                )
                for p in org.ownerships
            ),
        )
        for org in orgs
    ]


def invoice_owners(year: int, now=None) -> list[Contribution]:
    """One contribution invoice per owner of the year that has none yet (idempotent:
    a second run makes nothing; after a new owner joined, only that owner's)."""
    from eventsys.payments import operations as payments
    from eventsys.payments import rules as payment_rules

    now = now or utcnow()
    # Take the invoice series' lock first: two runs at once queue here, and the second
    # then sees what the first made.
    _lock_number_series("invoice")
    invoiced = set(
        db.session.scalars(select(Contribution.organisation_id).where(Contribution.year == year))
    )
    rates = contribution_rates(year)
    made = []
    issued = local_date(now)
    for due in contributions.to_invoice(_owners(), year, rates, invoiced):
        org = db.session.get(Organisation, due.organisation_id)
        number = payments.next_number("invoice")
        invoice = Invoice(
            number=number,
            kind=InvoiceKind.invoice,
            kid=payment_rules.make_kid(CONTRIBUTION_KID_PREFIX, number),
            organisation_name=org.name,
            org_number=org.org_number,
            reference=f"Eierbidrag {year}",
            description=f"Årlig eierbidrag {year}, {band_text(due.band)}",
            amount=due.amount,
            issued_on=issued,
            due_on=payment_rules.invoice_due_date(issued, CONTRIBUTION_DUE_DAYS),
            purpose="contribution",
        )
        db.session.add(invoice)
        db.session.flush()
        entry = Contribution(
            organisation_id=org.id,
            year=year,
            band=due.band,
            amount=due.amount,
            invoice_id=invoice.id,
        )
        db.session.add(entry)
        made.append(entry)
    db.session.flush()
    return made


def _lock_number_series(series: str) -> None:
    """Hold a number series' row lock for the rest of the transaction."""
    from eventsys.payments import operations as payments

    payments.next_number(series)  # creates the series if need be, and locks it
    row = db.session.get(NumberSeries, series)
    row.next_value -= 1  # give the number back: only the lock was wanted
    db.session.flush()


def band_text(band: str) -> str:
    """The band as it stands on the invoice (Norwegian: invoices go to Norwegian
    accounts-payable offices)."""
    if band == contributions.WELFARE:
        return "studentsamskipnad"
    return f"{band} ansatte" if band != "2000+" else "over 2000 ansatte"


def contribution_overview(year: int) -> list[dict]:
    """Per owner of the year: band, amount, invoice and whether it is paid; owners not
    yet invoiced are listed with what they would pay."""
    made = {
        c.organisation_id: c
        for c in db.session.scalars(select(Contribution).where(Contribution.year == year))
    }
    rates = contribution_rates(year)
    rows = []
    for owner in _owners():
        entry = made.get(owner.organisation_id)
        due = contributions.contribution(owner, year, rates)
        if entry is None and due is None:
            continue
        org = db.session.get(Organisation, owner.organisation_id)
        invoice = entry.invoice if entry else None
        rows.append(
            {
                "organisation_id": org.id,
                "organisation": org.name,
                "year": year,
                "band": entry.band if entry else due.band,
                "amount": entry.amount if entry else due.amount,
                "invoice": invoice,
                "invoice_number": invoice.number if invoice else None,
                "paid": bool(invoice and invoice_is_paid(invoice)),
            }
        )
    return sorted(rows, key=lambda r: r["organisation"])


def invoice_is_paid(invoice: Invoice) -> bool:
    return invoice.paid_at is not None or invoice.amount_paid >= invoice.amount
