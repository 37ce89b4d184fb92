"""Demo finance: a month of card payments with their Stripe payout, the year's owner
contributions (most paid through an imported bank statement, one partly, some
overdue), and the founding document's 1.35 MNOK budget."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree
from sqlalchemy import or_, select

from eventsys.database import local_date, utcnow
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.finance import operations, reports
from eventsys.finance.models import StripePayout, StripeSync, StripeTransaction
from eventsys.payments.models import Invoice, Payment, PaymentMethod, PaymentStatus

CAMT = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


GUESTS = [
    ("Marius Holm", "marius.holm@gmail.com"),
    ("Selma Birkeland", "selma.birkeland@outlook.com"),
    ("Jon Kvam", "jon.kvam@gmail.com"),
    ("Lea Østby", "lea.ostby@hotmail.com"),
    ("Aksel Fjeld", "aksel.fjeld@gmail.com"),
    ("Maja Sand", "maja.sand@outlook.com"),
    ("Ola Rønning", "ola.ronning@gmail.com"),
    ("Tiril Dale", "tiril.dale@gmail.com"),
    ("Even Lund", "even.lund@outlook.com"),
    ("Hedda Bø", "hedda.bo@gmail.com"),
]


def _paying_guests(now) -> None:
    """Non-owners registered on the coming events with a fee: each owes it."""
    from eventsys.registration import operations as registration

    events = db.session.scalars(
        select(Event)
        .where(
            Event.status == EventStatus.published,
            Event.fee > 0,
            Event.registration_opens_at <= now,
            Event.registration_closes_at > now,
            or_(Event.priority_deadline.is_(None), Event.priority_deadline < now),
        )
        .order_by(Event.starts_at)
    ).all()
    if not events:
        return
    for index, (name, email) in enumerate(GUESTS):
        event = events[index % len(events)]
        try:
            registration.register(
                event.id, registration.Person(email=email, name=name, vouched=True), None
            )
        except registration.RegistrationError:
            continue  # full, or in a priority window: the demo does not need them all


def _card_month(now) -> int:
    """Card payments over the last month for the fees still due, each with its Stripe
    charge (2.4 % + kr 2), and one payout of them all; plus one charge nobody knows,
    so the discrepancy page has something to show."""
    _paying_guests(now)
    due = db.session.scalars(
        select(Payment).where(Payment.status == PaymentStatus.due).order_by(Payment.id).limit(10)
    ).all()
    total = 0
    for index, payment in enumerate(due):
        paid_at = now - timedelta(days=28 - index * 3, hours=index)
        intent = f"pi_demo{index:04d}"
        payment.status = PaymentStatus.paid
        payment.method = PaymentMethod.card
        payment.amount_paid = payment.amount
        payment.paid_at = paid_at
        payment.stripe_payment_intent = intent
        fee = round(payment.amount * 0.024) + 200
        total += payment.amount - fee
        db.session.add(
            StripeTransaction(
                id=f"txn_demo{index:04d}", type="charge", amount=payment.amount, fee=fee,
                net=payment.amount - fee, currency="NOK", created=paid_at,
                available_on=paid_at + timedelta(days=7), source=f"ch_demo{index:04d}",
                payment_intent=intent, registration_ref=str(payment.registration_id),
                payout_id="po_demo0001", description="Deltakeravgift",
            )
        )  # fmt: skip
    payout_at = now - timedelta(days=1)
    db.session.add(
        StripeTransaction(
            id="txn_demopayout", type="payout", amount=-total, fee=0, net=-total,
            currency="NOK", created=payout_at, source="po_demo0001", payout_id="po_demo0001",
            description="STRIPE PAYOUT",
        )
    )  # fmt: skip
    db.session.add(
        StripePayout(
            id="po_demo0001", amount=total, currency="NOK", status="paid",
            arrival_date=local_date(payout_at) + timedelta(days=1), created=payout_at,
        )
    )  # fmt: skip
    db.session.add(
        StripeTransaction(
            id="txn_demostray", type="charge", amount=35000, fee=1040, net=33960,
            currency="NOK", created=now - timedelta(hours=5), source="ch_demostray",
            payment_intent="pi_demostray", description="Betaling uten påmelding",
        )
    )  # fmt: skip
    db.session.add(StripeSync(stage="done", imported=len(due) + 2, finished_at=now))
    return len(due)


def _statement(payments: list[tuple[str, int, str]], booked) -> bytes:
    """A camt.053 bank statement of incoming payments (KID, øre, payer)."""

    def el(parent, name, text=None, **attrs):
        node = etree.SubElement(parent, f"{{{CAMT}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node

    root = etree.Element(f"{{{CAMT}}}Document", nsmap={None: CAMT})
    stmt = el(el(root, "BkToCstmrStmt"), "Stmt")
    el(stmt, "Id", f"DEMO-{booked.isoformat()}")
    el(stmt, "ElctrncSeqNb", "1")
    el(el(el(el(stmt, "Acct"), "Id"), "Othr"), "Id", "12345678903")
    for number, (kid, amount, payer) in enumerate(payments, start=1):
        entry = el(stmt, "Ntry")
        el(entry, "Amt", f"{amount / 100:.2f}", Ccy="NOK")
        el(entry, "CdtDbtInd", "CRDT")
        el(el(entry, "BookgDt"), "Dt", booked.isoformat())
        el(entry, "AcctSvcrRef", f"DEMO-{booked.isoformat()}-{number}")
        tx = el(el(entry, "NtryDtls"), "TxDtls")
        el(el(el(tx, "RltdPties"), "Dbtr"), "Nm", payer)
        el(el(el(el(tx, "RmtInf"), "Strd"), "CdtrRefInf"), "Ref", kid)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# Where the owners' invoices go: postal address and reference; the inboxes are at
# example.org, so no demo invoice can reach a real accounts-payable office. Nord
# universitet has none yet: finance sees its invoice listed as "cannot be sent".
INVOICE_ADDRESSES = {
    "uio.no": ("Postboks 1072 Blindern", "0316", "Oslo", "Fakturamottak UiO"),
    "uib.no": ("Postboks 7800", "5020", "Bergen", "Innkjøp 4711 / Kari Hansen"),
    "ntnu.no": ("Postboks 8900 Torgarden", "7491", "Trondheim", "NTNU 68123"),
    "uit.no": ("Postboks 6050 Langnes", "9037", "Tromsø", ""),
    "oslomet.no": ("Postboks 4 St. Olavs plass", "0130", "Oslo", "Studieavdelingen"),
    "uia.no": ("Postboks 422", "4604", "Kristiansand", ""),
    "hvl.no": ("Postboks 7030", "5020", "Bergen", "HVL-2210"),
    "nmbu.no": ("Postboks 5003", "1432", "Ås", ""),
    "himolde.no": ("Postboks 2110", "6402", "Molde", ""),
    "hivolda.no": ("Postboks 500", "6101", "Volda", ""),
    "sio.no": ("Postboks 1107 Blindern", "0317", "Oslo", "SiO økonomi"),
    "sammen.no": ("Postboks 7888", "5020", "Bergen", ""),
    "sit.no": ("Postboks 4411 Torgarden", "7418", "Trondheim", ""),
}


def _invoice_addresses() -> int:
    from eventsys.organisations import operations as organisations
    from eventsys.organisations.models import OrganisationDomain

    done = 0
    for domain, (line, postcode, city, reference) in INVOICE_ADDRESSES.items():
        org = db.session.scalar(
            select(OrganisationDomain).where(OrganisationDomain.domain == domain)
        )
        if org is None:
            continue
        email = f"faktura.{domain.split('.')[0]}@example.org"
        organisations.set_invoice_address(org.organisation, email, line, postcode, city, reference)
        done += 1
    return done


def load_finance(users) -> list[str]:
    now = utcnow()
    year = local_date(now).year
    finance = users["okonomi@kompetansenettverk.no"]
    cards = _card_month(now)
    addressed = _invoice_addresses()
    # The year's contributions, invoiced 45 days ago (due after 30: some are overdue),
    # and e-mailed to the owners' invoice addresses.
    made = operations.invoice_owners(year, now=now - timedelta(days=45))
    sending = operations.send_contribution_invoices(year, now=now - timedelta(days=45))
    invoices = [entry.invoice for entry in made]
    paid = [(i.kid, i.amount, i.organisation_name) for i in invoices[: len(invoices) - 4]]
    if invoices:
        partly = invoices[-4]
        paid.append((partly.kid, partly.amount // 2, partly.organisation_name))
    if len(invoices) > 4:  # an owner agreed a later due date and has paid half so far
        later = invoices[-5]
        paid.remove((later.kid, later.amount, later.organisation_name))
        later.due_on = local_date(now) + timedelta(days=20)
        paid.append((later.kid, later.amount // 2, later.organisation_name))
    paid.append(("200099992", 1_000_00, "Ukjent innbetaler"))  # a KID no invoice has
    statement = operations.import_statement(
        _statement(paid, local_date(now - timedelta(days=10))), "demo-kontoutskrift.xml", finance
    )
    reports.set_budget(year, reports.FOUNDING_BUDGET)
    db.session.flush()
    open_ = db.session.scalars(
        select(Invoice).where(Invoice.purpose == "contribution", Invoice.paid_at.is_(None))
    ).all()
    return [
        f"finance: {cards} card payments and a Stripe payout, {len(made)} contribution "
        f"invoices for {year} ({len(open_)} open, one partly paid; {len(sending.sent)} "
        f"e-mailed, {len(sending.unsendable)} without an invoice address of the "
        f"{addressed} owners given one), a bank statement of "
        f"{len(statement.payments)} payments, the 1.35 MNOK budget"
    ]
