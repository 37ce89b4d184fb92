"""Finance operations: reconcile what Stripe holds against what eventsys recorded, and
keep finance's resolution log. They flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from eventsys.auth.models import User
from eventsys.database import current_timezone, local_date, lock_for_update, utcnow
from eventsys.extensions import db
from eventsys.finance import bank, contributions, rules
from eventsys.finance.models import (
    BankPayment,
    BankStatement,
    Contribution,
    ContributionRate,
    DiscrepancyResolution,
    InvoiceReminder,
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
            select(DiscrepancyResolution)
            .options(joinedload(DiscrepancyResolution.resolved_by))
            .order_by(DiscrepancyResolution.resolved_at.desc())
        )
    )


def payouts() -> list[StripePayout]:
    return list(db.session.scalars(select(StripePayout).order_by(StripePayout.created.desc())))


def payout_breakdown(payout_id: str) -> list[rules.PayoutLine]:
    return rules.payout_breakdown(_txns(StripeTransaction.payout_id == payout_id))


def payout_breakdowns() -> dict[str, list[rules.PayoutLine]]:
    """payout_breakdown() of every payout, from one query."""
    by_payout: dict[str, list[rules.Txn]] = {}
    for txn in _txns(StripeTransaction.payout_id.is_not(None)):
        by_payout.setdefault(txn.payout_id, []).append(txn)
    return {payout_id: rules.payout_breakdown(txns) for payout_id, txns in by_payout.items()}


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
        _address_invoice(invoice, org, year)
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


def _address_invoice(invoice: Invoice, org: Organisation, year: int) -> None:
    """Put the owner's invoice address on its contribution invoice (again before it is
    first sent: an address finance added after the invoice was made counts)."""
    address = org.invoice_to
    invoice.recipient_email = address.email
    invoice.recipient_address = address.postal
    invoice.reference = address.reference or f"Eierbidrag {year}"
    invoice.buyer_endpoint = address.peppol_id


@dataclass
class Sending:
    """What `send_contribution_invoices` did: invoices e-mailed now, and those that
    cannot be sent because their owner has no invoice e-mail address."""

    sent: list[Contribution] = field(default_factory=list)
    unsendable: list[Contribution] = field(default_factory=list)


def send_contribution_invoices(year: int, now=None) -> Sending:
    """E-mail each of the year's contribution invoices not yet sent to its owner's
    invoice address, with the PDF and the EHF attached (drawn by the mail worker).
    Each goes out once: the number series' lock queues two runs, and `sent_at` is
    written with the mail in one transaction. An owner without an invoice address is
    reported, and its invoice goes out on a later run once the address is there."""
    now = now or utcnow()
    _lock_number_series("invoice")
    result = Sending()
    unsent = db.session.scalars(
        select(Contribution)
        .where(Contribution.year == year, Contribution.sent_at.is_(None))
        .order_by(Contribution.invoice_id)
    ).all()
    for entry in unsent:
        invoice, org = entry.invoice, entry.organisation
        if invoice_is_paid(invoice) or _credited(invoice):
            continue  # settled without the e-mail: nothing to send
        _address_invoice(invoice, org, year)
        if not invoice.recipient_email:
            result.unsendable.append(entry)
            continue
        mail_invoice(invoice)
        entry.sent_at, entry.sent_to = now, invoice.recipient_email
        result.sent.append(entry)
    db.session.flush()
    return result


def mail_invoice(invoice: Invoice, registration=None) -> None:
    """Queue the invoice to its recipient's inbox: the amount, account, KID and
    reference in the text, the PDF and the EHF attached (the mail worker draws them),
    and the signed link that opens it without an account."""
    from eventsys import mail
    from eventsys.finance import documents

    seller = documents.seller()
    mail.queue(
        invoice.recipient_email,
        "finance/invoice",
        locale="nb",
        invoice=invoice,
        reg=registration,
        event=registration.event if registration is not None else None,
        invoice_url=documents.signed_url(invoice),
        seller=seller,
        account=documents.format_account(seller.bank_account),
        made_attachments=[("invoice_documents", {"invoice_id": invoice.id})],
    )


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
        for c in db.session.scalars(
            select(Contribution)
            .where(Contribution.year == year)
            .options(joinedload(Contribution.invoice))
        )
    }
    rates = contribution_rates(year)
    orgs = {
        row.id: row
        for row in db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.invoice_email)
        )
    }
    rows = []
    for owner in _owners():
        entry = made.get(owner.organisation_id)
        due = contributions.contribution(owner, year, rates)
        if entry is None and due is None:
            continue
        invoice = entry.invoice if entry else None
        rows.append(
            {
                "organisation_id": owner.organisation_id,
                "organisation": orgs[owner.organisation_id].name,
                "year": year,
                "band": entry.band if entry else due.band,
                "amount": entry.amount if entry else due.amount,
                "invoice": invoice,
                "invoice_number": invoice.number if invoice else None,
                "paid": bool(invoice and invoice_is_paid(invoice)),
                "sent_at": entry.sent_at if entry else None,
                "sent_to": entry.sent_to if entry else "",
                "invoice_email": orgs[owner.organisation_id].invoice_email,
            }
        )
    return sorted(rows, key=lambda r: r["organisation"])


def invoice_is_paid(invoice: Invoice) -> bool:
    return invoice.paid_at is not None or invoice.amount_paid >= invoice.amount


# --- the bank: statements matched by KID -------------------------------------------------


def import_statement(data: bytes, filename: str, actor: User | None) -> BankStatement:
    """Record a bank statement's incoming payments and put each on the invoice its KID
    names. The same statement twice is refused; a payment already seen in another
    statement, a wrong KID, too little or too much is recorded and shown, never
    quietly accepted."""
    from eventsys.payments import operations as payments

    try:
        parsed = bank.parse(data)
    except bank.StatementError as exc:
        raise FinanceError(f"statement_{exc.code}", 400, "file") from exc
    if db.session.scalar(select(BankStatement).where(BankStatement.identity == parsed.identity)):
        raise FinanceError("statement_duplicate", 409, "file")
    statement = BankStatement(
        identity=parsed.identity,
        filename=(filename or "")[:255],
        format=parsed.format,
        imported_by_id=actor.id if actor else None,
    )
    db.session.add(statement)
    db.session.flush()
    for entry in parsed.entries:
        seen = db.session.scalar(
            select(func.count())
            .select_from(BankPayment)
            .where(BankPayment.entry_ref == entry.ref, BankPayment.outcome != bank.DUPLICATE)
        )
        invoice = None
        if entry.kid:
            invoice = _lock_invoice_by_kid(entry.kid)
        result = bank.outcome(
            entry,
            bank.OpenInvoice(invoice.id, invoice.amount, invoice.amount_paid, _credited(invoice))
            if invoice
            else None,
            bool(seen),
        )
        db.session.add(
            BankPayment(
                statement_id=statement.id,
                entry_ref=entry.ref,
                booked_on=entry.booked_on,
                amount=entry.amount,
                currency=entry.currency,
                kid=entry.kid[:40],
                payer=entry.payer,
                invoice_id=invoice.id if invoice else None,
                outcome=result,
            )
        )
        if result in (bank.MATCHED, bank.PARTIAL, bank.OVER):
            invoice.amount_paid += entry.amount
            db.session.flush()
            if invoice.amount_paid >= invoice.amount and invoice.paid_at is None:
                if invoice.payment_id is not None:
                    # A participant's fee: the payment becomes paid, as when finance
                    # marks it by hand (same locks, same log).
                    payments.mark_invoice_paid(invoice.id, actor, utcnow())
                else:
                    invoice.paid_at = utcnow()
        db.session.flush()
    return statement


def _lock_invoice_by_kid(kid: str) -> Invoice | None:
    """The invoice with this KID, locked. A participant's fee invoice takes the locks
    every fee change takes, in their order (event, payment), before the invoice row."""
    from eventsys.payments import operations as payments

    found = db.session.scalar(
        select(Invoice).where(Invoice.kid == kid, Invoice.kind == InvoiceKind.invoice)
    )
    if found is None:
        return None
    if found.payment is not None:
        payments._payment_for(found.payment.registration_id)
    return db.session.scalar(
        lock_for_update(select(Invoice).where(Invoice.id == found.id)).execution_options(
            populate_existing=True
        )
    )


def _credited(invoice: Invoice) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.credit_for_id == invoice.id, Invoice.kind == InvoiceKind.credit_note)
        )
    )


def note_bank_payment(payment_id: int, note: str, actor: User) -> BankPayment:
    """Finance writes down what was done about an incoming payment that needed a look
    (refunded the overpayment, found the invoice, …); it stays shown, with the note."""
    note = (note or "").strip()
    if not note:
        raise FinanceError("note_required", 400, "note")
    found = db.session.get(BankPayment, payment_id)
    if found is None or found.outcome not in bank.NEEDS_LOOK:
        raise FinanceError("bank_payment_not_found", 404)
    if found.resolved_note:
        raise FinanceError("already_resolved")
    stamp = utcnow().astimezone(current_timezone()).strftime("%Y-%m-%d %H:%M")
    found.resolved_note = f"{note} ({actor.name or actor.email}, {stamp})"[:2000]
    db.session.flush()
    return found


def statements() -> list[BankStatement]:
    return list(
        db.session.scalars(
            select(BankStatement)
            .options(selectinload(BankStatement.payments).joinedload(BankPayment.invoice))
            .order_by(BankStatement.imported_at.desc())
        )
    )


# --- the invoice register ------------------------------------------------------------------

OPEN, PARTLY_PAID, PAID, OVERDUE, CREDITED, CREDIT_NOTE = (
    "open", "partly_paid", "paid", "overdue", "credited", "credit_note",
)  # fmt: skip


def invoice_status(invoice: Invoice, credited: bool, today) -> str:
    if invoice.kind == InvoiceKind.credit_note:
        return CREDIT_NOTE
    if credited:
        return CREDITED
    if invoice_is_paid(invoice):
        return PAID
    if invoice.due_on < today:
        return OVERDUE
    return PARTLY_PAID if invoice.amount_paid > 0 else OPEN


def register(today=None, only: str | None = None) -> list[dict]:
    """Every invoice and credit note with its status, payments received, credit notes
    and reminders sent; `only="overdue"` for the overdue list."""
    today = today or local_date()
    invoices = db.session.scalars(select(Invoice).order_by(Invoice.number.desc())).all()
    credited = {i.credit_for_id for i in invoices if i.kind == InvoiceKind.credit_note}
    credit_notes: dict[int, list[Invoice]] = {}
    for i in invoices:
        if i.credit_for_id is not None:
            credit_notes.setdefault(i.credit_for_id, []).append(i)
    reminders: dict[int, list[InvoiceReminder]] = {}
    for reminder in db.session.scalars(select(InvoiceReminder).order_by(InvoiceReminder.number)):
        reminders.setdefault(reminder.invoice_id, []).append(reminder)
    rows = []
    for invoice in invoices:
        status = invoice_status(invoice, invoice.id in credited, today)
        if only and status != only:
            continue
        rows.append(
            {
                "invoice": invoice,
                "status": status,
                "outstanding": max(0, invoice.amount - invoice.amount_paid)
                if status in (OPEN, PARTLY_PAID, OVERDUE)
                else 0,
                "credit_notes": credit_notes.get(invoice.id, []),
                "reminders": reminders.get(invoice.id, []),
            }
        )
    return rows


def invoice_recipient(invoice: Invoice) -> str:
    """Where an invoice's reminders go: for an owner's contribution its invoice
    address today (it may have changed since the invoice went out), else the address
    the invoice was sent to, else the participant's."""
    if invoice.purpose == "contribution":
        owner = db.session.scalar(
            select(Organisation)
            .join(Contribution, Contribution.organisation_id == Organisation.id)
            .where(Contribution.invoice_id == invoice.id)
        )
        if owner is not None and owner.invoice_email:
            return owner.invoice_email
    if invoice.recipient_email:
        return invoice.recipient_email
    if invoice.payment is not None:
        return invoice.payment.registration.email
    return ""


def send_reminder(invoice_id: int, number: int, actor: User, now=None) -> InvoiceReminder:
    """Finance sends reminder `number` for an overdue invoice: each number once (a
    second click, or a second finance person at the same time, sends nothing)."""
    now = now or utcnow()
    invoice = db.session.scalar(
        lock_for_update(select(Invoice).where(Invoice.id == invoice_id)).execution_options(
            populate_existing=True
        )
    )
    if invoice is None:
        raise FinanceError("invoice_not_found", 404)
    if invoice_status(invoice, _credited(invoice), local_date(now)) != OVERDUE:
        raise FinanceError("not_overdue")
    sent = db.session.scalar(
        select(func.count())
        .select_from(InvoiceReminder)
        .where(InvoiceReminder.invoice_id == invoice.id)
    )
    if number != sent + 1:
        raise FinanceError("reminder_sent")
    recipient = invoice_recipient(invoice)
    if not recipient:
        raise FinanceError("no_recipient")
    reminder = InvoiceReminder(
        invoice_id=invoice.id, number=number, sent_by_id=actor.id, sent_at=now
    )
    db.session.add(reminder)
    db.session.flush()
    from eventsys import mail
    from eventsys.finance import documents

    mail.queue(
        recipient,
        "finance/reminder",
        locale="nb",
        invoice=invoice,
        number=number,
        outstanding=invoice.amount - invoice.amount_paid,
        invoice_url=documents.signed_url(invoice),
        made_attachments=[("invoice_documents", {"invoice_id": invoice.id})],
    )
    return reminder


# --- EHF for a PEPPOL access point -------------------------------------------------------


def buyer_participant(invoice: Invoice) -> str | None:
    """The PEPPOL participant an invoice's EHF is addressed to (None: no EHF, the
    buyer has no organisation number)."""
    from eventsys.organisations.rules import peppol_participant

    return peppol_participant(invoice.buyer_endpoint, invoice.org_number)


def ehf_batch(since) -> list[tuple[Invoice, str]]:
    """Invoices and credit notes issued on or after `since` that have an EHF (the
    buyer has an organisation number), oldest first, each with its receiver's PEPPOL
    participant id: what `eventsys ehf-export` hands to an access point."""
    found = db.session.scalars(
        select(Invoice)
        .where(Invoice.issued_on >= since, Invoice.org_number.is_not(None))
        .order_by(Invoice.number)
    )
    return [(invoice, buyer_participant(invoice)) for invoice in found]
