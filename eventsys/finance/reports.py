"""Finance reports: the year's summary (the API's numbers), per event, per month and
against the budget; every table also as CSV for the accounting system."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from eventsys.database import current_timezone
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.finance.models import BudgetLine, Contribution, StripeTransaction
from eventsys.payments.models import Invoice, InvoiceKind, Payment, PaymentMethod, PaymentStatus
from eventsys.registration.models import Registration

# The founding document's budget lines, in the order it lists them.
BUDGET_CODES = (
    "secretariat",
    "student_helpers",
    "gathering",
    "conference",
    "steering_group",
    "seminars",
    "technical",
    "other",
)
FOUNDING_BUDGET = {
    "secretariat": 925_000_00,
    "student_helpers": 60_000_00,
    "gathering": 80_000_00,
    "conference": 100_000_00,
    "steering_group": 20_000_00,
    "seminars": 60_000_00,
    "technical": 30_000_00,
    "other": 75_000_00,
}


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = current_timezone()
    return (
        datetime(year, 1, 1, tzinfo=tz).astimezone(UTC),
        datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC),
    )


def _local_month(moment: datetime) -> int:
    return moment.astimezone(current_timezone()).month


def _credited_ids() -> set[int]:
    return set(
        db.session.scalars(
            select(Invoice.credit_for_id).where(Invoice.kind == InvoiceKind.credit_note)
        )
    )


def _paid_amount(invoice: Invoice) -> int:
    """What came in on an invoice: bank payments by KID, or the whole amount when
    finance marked it paid by hand."""
    if invoice.paid_at is not None:
        return max(invoice.amount, invoice.amount_paid)
    return invoice.amount_paid


@dataclass
class Summary:
    contributions_invoiced: int = 0
    contributions_paid: int = 0
    fees_card: int = 0
    fees_invoiced: int = 0
    fees_outstanding: int = 0
    refunds: int = 0
    stripe_fees: int = 0
    net: int = 0
    fees_invoice_paid: int = 0
    # month (1–12) → source → øre received
    by_month: dict[int, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def api(self) -> dict:
        return {
            "contributions_invoiced": self.contributions_invoiced,
            "contributions_paid": self.contributions_paid,
            "fees_card": self.fees_card,
            "fees_invoiced": self.fees_invoiced,
            "fees_outstanding": self.fees_outstanding,
            "refunds": self.refunds,
            "stripe_fees": self.stripe_fees,
            "net": self.net,
        }


def summary(year: int, today: date | None = None) -> Summary:
    """The year's money in øre. Contributions count for the year they are for; fees for
    the year the card payment or the invoice was made; Stripe fees and refunds for
    the year they happened. `net` is what the network keeps: contributions and fees
    received, less refunds and Stripe's fees."""
    start, end = _year_bounds(year)
    result = Summary()
    credited = _credited_ids()
    for entry in db.session.scalars(
        select(Contribution)
        .where(Contribution.year == year)
        .options(joinedload(Contribution.invoice))
    ):
        invoice = entry.invoice
        if invoice.id in credited:
            continue
        result.contributions_invoiced += entry.amount
        paid = min(_paid_amount(invoice), invoice.amount)
        result.contributions_paid += paid
        if paid:
            when = invoice.paid_at or datetime.combine(invoice.issued_on, datetime.min.time(), UTC)
            result.by_month[_local_month(when)]["contributions"] += paid
    for payment in db.session.scalars(
        select(Payment).where(
            Payment.method == PaymentMethod.card,
            Payment.status.in_((PaymentStatus.paid, PaymentStatus.refunded)),
            Payment.paid_at >= start,
            Payment.paid_at < end,
        )
    ):
        result.fees_card += payment.amount_paid
        result.by_month[_local_month(payment.paid_at)]["fees_card"] += payment.amount_paid
    result.refunds = (
        db.session.scalar(
            select(func.coalesce(func.sum(Payment.amount_refunded), 0)).where(
                Payment.method == PaymentMethod.card,
                Payment.refunded_at >= start,
                Payment.refunded_at < end,
            )
        )
        or 0
    )
    for invoice in db.session.scalars(
        select(Invoice).where(
            Invoice.purpose == "fee",
            Invoice.issued_on >= date(year, 1, 1),
            Invoice.issued_on <= date(year, 12, 31),
        )
    ):
        result.fees_invoiced += invoice.amount  # credit notes are negative
        if invoice.kind != InvoiceKind.invoice or invoice.id in credited:
            continue
        paid = min(_paid_amount(invoice), invoice.amount)
        result.fees_invoice_paid += paid
        result.fees_outstanding += invoice.amount - paid
        if paid:
            when = invoice.paid_at or datetime.combine(invoice.issued_on, datetime.min.time(), UTC)
            result.by_month[_local_month(when)]["fees_invoice"] += paid
    result.stripe_fees = (
        db.session.scalar(
            select(func.coalesce(func.sum(StripeTransaction.fee), 0)).where(
                StripeTransaction.created >= start, StripeTransaction.created < end
            )
        )
        or 0
    )
    result.net = (
        result.contributions_paid
        + result.fees_card
        + result.fees_invoice_paid
        - result.refunds
        - result.stripe_fees
    )
    return result


# --- per event -------------------------------------------------------------------------------


def per_event(year: int) -> list[dict]:
    """Per event of the year with fees: expected, card, invoiced, outstanding,
    refunded, Stripe fees and net (øre)."""
    start, end = _year_bounds(year)
    events = db.session.scalars(
        select(Event)
        .where(Event.starts_at >= start, Event.starts_at < end)
        .order_by(Event.starts_at)
    ).all()
    credited = _credited_ids()
    fees_by_intent = dict(
        db.session.execute(
            select(StripeTransaction.payment_intent, func.sum(StripeTransaction.fee))
            .where(StripeTransaction.payment_intent.is_not(None))
            .group_by(StripeTransaction.payment_intent)
        ).all()
    )
    # The year's fees and their invoices, two queries for all the events.
    of_year = (Registration.event_id == Event.id, Event.starts_at >= start, Event.starts_at < end)
    payments_of: dict[int, list[Payment]] = defaultdict(list)
    for payment, event_id in db.session.execute(
        select(Payment, Registration.event_id).join(Registration).join(Event).where(*of_year)
    ):
        payments_of[event_id].append(payment)
    invoices_of: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in db.session.scalars(
        select(Invoice)
        .join(Payment, Invoice.payment_id == Payment.id)
        .join(Registration)
        .join(Event)
        .where(*of_year)
        .order_by(Invoice.id)
    ):
        invoices_of[invoice.payment_id].append(invoice)
    rows = []
    for event in events:
        payments = payments_of[event.id]
        if not payments:
            continue
        row = {
            "event_id": event.id,
            "title": event.title,
            "starts_at": event.starts_at,
            "expected": sum(p.amount for p in payments),
            "card": 0,
            "invoiced": 0,
            "outstanding": 0,
            "refunded": 0,
            "stripe_fees": 0,
        }
        received = 0
        for payment in payments:
            if payment.method == PaymentMethod.card and payment.status in (
                PaymentStatus.paid,
                PaymentStatus.refunded,
            ):
                row["card"] += payment.amount_paid
                received += payment.amount_paid
                row["refunded"] += payment.amount_refunded
                row["stripe_fees"] += fees_by_intent.get(payment.stripe_payment_intent, 0) or 0
            elif payment.status == PaymentStatus.due and payment.released_at is None:
                row["outstanding"] += payment.amount
            for invoice in invoices_of[payment.id]:
                row["invoiced"] += invoice.amount
                if invoice.kind == InvoiceKind.invoice and invoice.id not in credited:
                    paid = min(_paid_amount(invoice), invoice.amount)
                    received += paid
                    row["outstanding"] += invoice.amount - paid
        row["net"] = received - row["refunded"] - row["stripe_fees"]
        rows.append(row)
    return rows


# --- budget ------------------------------------------------------------------------------------


def budget(year: int) -> dict[str, int]:
    rows = db.session.scalars(select(BudgetLine).where(BudgetLine.year == year)).all()
    return {row.code: row.amount for row in rows}


def set_budget(year: int, lines: dict[str, int]) -> None:
    existing = {
        row.code: row
        for row in db.session.scalars(select(BudgetLine).where(BudgetLine.year == year))
    }
    for code, amount in lines.items():
        if code not in BUDGET_CODES or amount < 0:
            raise ValueError(code)
        if code in existing:
            existing[code].amount = amount
        else:
            db.session.add(BudgetLine(year=year, code=code, amount=amount))
    db.session.flush()


@dataclass(frozen=True)
class MonthRow:
    month: int
    contributions: int
    fees_card: int
    fees_invoice: int
    total: int
    cumulative: int
    budget_cumulative: int


SOURCES = ("contributions", "fees_card", "fees_invoice")


def months(result: Summary, budget_total: int) -> list[MonthRow]:
    """Income per month by source, its running total and the budget spread evenly
    over the year (the chart and its table)."""
    rows, running = [], 0
    for month in range(1, 13):
        values = [result.by_month.get(month, {}).get(s, 0) for s in SOURCES]
        running += sum(values)
        rows.append(
            MonthRow(month, *values, sum(values), running, round(budget_total * month / 12))
        )
    return rows


# --- CSV ---------------------------------------------------------------------------------------

# Amounts in kroner with two decimals and a point (what accounting imports expect);
# dates ISO 8601; UTF-8 with a header row. The README lists the columns.


def _kr(ore: int) -> str:
    return f"{Decimal(ore) / 100:.2f}"


def _safe(value) -> str:
    """No spreadsheet formulas from user text (a title starting with = + - @)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def csv_events(year: int) -> str:
    return to_csv(
        ["event_id", "title", "starts_on", "expected", "card", "invoiced", "outstanding",
         "refunded", "stripe_fees", "net"],
        [[r["event_id"], _safe(r["title"]), r["starts_at"].astimezone(current_timezone()).date().isoformat(),
          *(_kr(r[k]) for k in ("expected", "card", "invoiced", "outstanding", "refunded",
                                "stripe_fees", "net"))] for r in per_event(year)],
    )  # fmt: skip


def csv_months(year: int) -> str:
    result = summary(year)
    rows = months(result, sum(budget(year).values()))
    return to_csv(
        ["month", "contributions", "fees_card", "fees_invoice", "total", "cumulative",
         "budget_cumulative"],
        [[f"{year}-{r.month:02d}", *(_kr(v) for v in (r.contributions, r.fees_card,
          r.fees_invoice, r.total, r.cumulative, r.budget_cumulative))] for r in rows],
    )  # fmt: skip


def budget_table(year: int) -> tuple[list[tuple[str, int]], int, int]:
    lines = budget(year)
    result = summary(year)
    income = result.contributions_paid + result.fees_card + result.fees_invoice_paid
    return [(code, lines.get(code, 0)) for code in BUDGET_CODES], sum(lines.values()), income


def csv_budget(year: int) -> str:
    lines, total, income = budget_table(year)
    rows = [[code, _kr(amount)] for code, amount in lines]
    rows += [["total", _kr(total)], ["income", _kr(income)], ["difference", _kr(income - total)]]
    return to_csv(["line", "amount"], rows)


def csv_payouts() -> str:
    from eventsys.finance import operations

    rows = []
    breakdowns = operations.payout_breakdowns()
    for payout in operations.payouts():
        for line in breakdowns.get(payout.id, []):
            rows.append([payout.id, payout.created.date().isoformat(), payout.currency,
                         _kr(payout.amount), line.type, line.count, _kr(line.amount),
                         _kr(line.fee), _kr(line.net)])  # fmt: skip
    return to_csv(
        ["payout_id", "created", "currency", "payout_amount", "type", "count", "gross", "fee",
         "net"],
        rows,
    )  # fmt: skip


def csv_invoices() -> str:
    from eventsys.finance import operations

    rows = []
    for row in operations.register():
        i = row["invoice"]
        rows.append([i.number, i.kind.value, i.purpose, i.kid or "", _safe(i.organisation_name),
                     i.org_number or "", _safe(i.reference), i.issued_on.isoformat(),
                     i.due_on.isoformat(), i.currency, _kr(i.amount), _kr(_paid_amount(i)
                     if i.kind == InvoiceKind.invoice else 0), row["status"]])  # fmt: skip
    return to_csv(
        ["number", "kind", "purpose", "kid", "customer", "org_number", "reference", "issued",
         "due", "currency", "amount", "paid", "status"],
        rows,
    )  # fmt: skip


def csv_contributions(year: int) -> str:
    from eventsys.finance import operations

    return to_csv(
        ["year", "organisation", "band", "amount", "invoice_number", "paid"],
        [[year, _safe(r["organisation"]), r["band"], _kr(r["amount"]), r["invoice_number"] or "",
          "yes" if r["paid"] else "no"] for r in operations.contribution_overview(year)],
    )  # fmt: skip


def csv_discrepancies() -> str:
    from eventsys.finance import operations

    return to_csv(
        ["kind", "amount", "currency", "registration_id", "stripe_id", "detail"],
        [[d.kind, _kr(d.amount), d.currency, d.registration_id or "", d.stripe_id or "",
          _safe(d.detail)] for d in operations.open_discrepancies()],
    )  # fmt: skip
