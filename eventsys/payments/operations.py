"""Operations on participant fees: card payments through Stripe Checkout, invoices,
refunds and credit notes. They flush and queue e-mails; the caller commits.

Card payments are fulfilled by one idempotent function, `fulfil_session`, reached from
the webhook and from the return page alike. It re-reads the session from Stripe, takes
the event lock, and only ever moves a payment forward.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from eventsys import database, mail
from eventsys.auth.models import User
from eventsys.auth.operations import find_user, normalise_email
from eventsys.clock import local_date, utcnow
from eventsys.database import lock_for_update
from eventsys.events.models import Event, EventStatus
from eventsys.events.operations import lock_event
from eventsys.extensions import db
from eventsys.links import absolute
from eventsys.organisations import rules as org_rules
from eventsys.payments import gateway, rules, signals, stripe_outbox
from eventsys.payments.models import (
    CheckoutSession,
    Invoice,
    InvoiceKind,
    NumberSeries,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeEvent,
    StripeTaskKind,
)
from eventsys.registration import operations as registration
from eventsys.registration import rules as seat_rules
from eventsys.registration.models import Registration, RegistrationLog
from eventsys.registration.rules import State

CHECKOUT_MIN = timedelta(minutes=30)  # Stripe's bounds for expires_at
CHECKOUT_MAX = timedelta(hours=23, minutes=55)
KID_PREFIX = 1  # participant-fee invoices; owner contributions get their own prefix


class PaymentError(Exception):
    def __init__(self, code: str, status: int = 409, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.status = status
        self.field = field


def _base() -> str:
    return current_app.config["EVENTSYS_BASE_URL"]


_link = absolute


def _notify(reg: Registration, template: str, **context) -> None:
    mail.queue(
        reg.email,
        f"payments/{template}",
        locale=reg.locale,
        reg=reg,
        event=reg.event,
        payment=reg.payment,
        pay_url=_link("payments.pay", reg_id=reg.id),
        account_url=_base() + "/account/registrations",
        **context,
    )


def _log(reg: Registration, action: str, actor: User | None = None, reason: str = "") -> None:
    db.session.add(
        RegistrationLog(
            registration_id=reg.id,
            action=action,
            from_state=reg.state.value,
            to_state=reg.state.value,
            actor_id=actor.id if actor else None,
            reason=reason,
        )
    )


# --- the fee that comes with a seat ----------------------------------------------------


def on_seat(reg: Registration, event: Event, now: datetime) -> Payment | None:
    """A registration got a seat: a tier-2 participant now owes the fee by a deadline."""
    amount = rules.fee_due(reg.tier, event.fee, reg.fee_waived)
    if amount == 0 or reg.payment is not None:
        return reg.payment
    payment = Payment(
        registration_id=reg.id,
        amount=amount,
        currency=event.currency,
        deadline=rules.payment_deadline(now, event.payment_days, event.starts_at),
    )
    db.session.add(payment)
    db.session.flush()
    db.session.refresh(reg, ["payment"])
    return payment


def on_fee_changed(reg: Registration) -> None:
    """The fee is waived, or the person turned out to be owner staff: an unpaid,
    un-invoiced payment is owed no more."""
    payment = reg.payment
    if rules.fee_due(reg.tier, reg.event.fee, reg.fee_waived) > 0:
        return
    if payment is not None and payment.status == PaymentStatus.due:
        _expire_open_sessions(payment)
        db.session.delete(payment)
        db.session.flush()
        db.session.expire(reg, ["payment"])


# --- card ----------------------------------------------------------------------------


def _payment_for(reg_id: int) -> tuple[Registration, Payment]:
    """The registration and its payment, locked in the one order used everywhere:
    the event row first, then the payment row (then the number series)."""
    reg = db.session.get(Registration, reg_id)
    if reg is None:
        raise PaymentError("registration_not_found", 404)
    _lock_event(reg.event_id)
    db.session.refresh(reg)
    payment = db.session.scalar(
        lock_for_update(select(Payment).where(Payment.registration_id == reg.id)).execution_options(
            populate_existing=True
        )
    )
    if payment is None:
        raise PaymentError("nothing_to_pay")
    return reg, payment


def start_checkout(reg_id: int, now: datetime | None = None) -> CheckoutSession:
    """A Stripe Checkout Session for the fee (an open one is reused: a double click or a
    second tab never makes two)."""
    now = now or utcnow()
    reg, payment = _payment_for(reg_id)
    _check_payable_by_card(reg, payment)
    session = _reusable_session(payment, now)
    if session is not None:
        return session
    # A new page replaces any other still open, so two can never both be paid.
    _expire_open_sessions(payment)
    return _new_session(reg, payment, now)


def _check_payable_by_card(reg: Registration, payment: Payment) -> None:
    if payment.status in (PaymentStatus.paid, PaymentStatus.refunded):
        raise PaymentError("already_paid")
    if payment.status == PaymentStatus.invoiced:
        raise PaymentError("already_invoiced")
    if reg.state != State.CONFIRMED or payment.released_at is not None:
        raise PaymentError("seat_not_held")
    if not gateway.enabled():
        raise PaymentError("card_unavailable", 409)  # switched off, not a passing outage


def _reusable_session(payment: Payment, now: datetime) -> CheckoutSession | None:
    """An open page that lasts a while yet, if Stripe says it is still open. Asking
    first matters: the page may have expired or been paid without us hearing yet."""
    for session in payment.checkouts:
        if session.status != "open" or session.expires_at <= now + timedelta(minutes=5):
            continue
        try:
            info = gateway.retrieve_session(session.stripe_session_id)
        except gateway.GatewayError as exc:
            raise PaymentError("stripe_unavailable", 503) from exc
        if info.status == "open":
            return session
        if info.payment_status == "paid":
            fulfil_session(session.stripe_session_id, now)
            raise PaymentError("already_paid")
        session.status = info.status
    return None


def _new_session(reg: Registration, payment: Payment, now: datetime) -> CheckoutSession:
    """Ask Stripe for a new Checkout page, open until the payment deadline (within
    Stripe's bounds), and keep it."""
    attempt = len(payment.checkouts) + 1
    expires = min(max(payment.deadline, now + CHECKOUT_MIN), now + CHECKOUT_MAX)
    try:
        info = gateway.create_checkout_session(
            registration_id=reg.id,
            event_id=reg.event_id,
            title=reg.event.title,
            amount=payment.amount,
            email=reg.email,
            expires_at=expires,
            # Stripe fills in {CHECKOUT_SESSION_ID}; url_for would escape the braces.
            success_url=_link("payments.card_return") + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=_link("payments.pay", reg_id=reg.id),
            idempotency_key=_key("checkout", payment, f"{attempt}-{int(expires.timestamp())}"),
            locale=reg.locale,
        )
    except gateway.GatewayError as exc:
        raise PaymentError("stripe_unavailable", 503) from exc
    session = CheckoutSession(
        payment_id=payment.id,
        attempt=attempt,
        stripe_session_id=info.id,
        url=info.url or "",
        expires_at=expires,
    )
    db.session.add(session)
    db.session.flush()
    return session


def _key(kind: str, payment: Payment, detail: str) -> str:
    """An idempotency key: the same for a retry of the same call with the same
    parameters, different for anything else. The payment's creation time keeps keys
    apart across databases sharing one Stripe account and across reused row ids."""
    created = int(payment.created_at.timestamp() * 1_000_000)
    return f"eventsys-{kind}-{payment.id}-{created}-{detail}"


def _expire_open_sessions(payment: Payment) -> None:
    """Close open Checkout pages so nobody pays for a seat that is gone. Stripe is told
    after the commit (money that still arrives is handled as late money)."""
    for session in payment.checkouts:
        if session.status == "open":
            stripe_outbox.queue(
                StripeTaskKind.expire_session,
                session.stripe_session_id,
                f"eventsys-expire-{session.stripe_session_id}",
                payment,
            )
            session.status = "expired"


def _lock_event(event_id: int) -> Event:
    return lock_event(event_id)


def fulfil_session(stripe_session_id: str, now: datetime | None = None) -> str:
    """Bring our records in line with a Checkout Session, as Stripe reports it now.

    Safe to call any number of times, in any order, from the webhook and the return
    page. Returns what happened: paid, already_paid, duplicate_refunded, late_reseated,
    late_refunded, expired, processing, open, unknown.

    The steps: read the session from Stripe (never trust a payload), find our payment,
    lock the event, record a session that is not paid (yet), then record the money.
    """
    now = now or utcnow()
    info = gateway.retrieve_session(stripe_session_id)
    session, payment = _session_and_payment(info)
    if payment is None:
        current_app.logger.error("Checkout Session %s matches no payment", stripe_session_id)
        return "unknown"
    known = session is not None  # a session eventsys made for this payment
    reg = payment.registration
    event = _lock_event(reg.event_id)
    db.session.refresh(payment)
    db.session.refresh(reg)
    if session is None:
        session = _recover_session(payment, info, now)
    if info.payment_status != "paid":
        return _record_unpaid(session, info)
    session.status = "complete"
    if not rules.session_pays_fee(
        known, payment.amount, payment.currency, info.amount_total, info.currency
    ):
        # Not this fee's money (issue 12.6): finance sees it as a discrepancy.
        _log(reg, "stray_payment", reason=f"{info.id} {info.amount_total} {info.currency}")
        db.session.flush()
        return "stray"
    if payment.status in (PaymentStatus.paid, PaymentStatus.refunded):
        return _paid_again(reg, payment, info)
    _record_card_payment(payment, info, now)
    if reg.is_active:
        _log(reg, "paid_card")
        _notify(reg, "received")
        return "paid"
    return _late_money(event, reg, payment, now)


def _session_and_payment(
    info: gateway.SessionInfo,
) -> tuple[CheckoutSession | None, Payment | None]:
    """Our row for the session and its payment. When our row was lost (the request
    that created the session failed after Stripe answered), the payment is found
    through the reference we gave Stripe."""
    session = db.session.scalar(
        select(CheckoutSession).where(CheckoutSession.stripe_session_id == info.id)
    )
    if session is not None:
        return session, session.payment
    reg_id = info.client_reference_id or info.metadata.get("registration")
    if not (reg_id and str(reg_id).isdigit()):
        return None, None
    return None, db.session.scalar(select(Payment).where(Payment.registration_id == int(reg_id)))


def _recover_session(payment: Payment, info: gateway.SessionInfo, now: datetime):
    session = CheckoutSession(
        payment_id=payment.id,
        attempt=len(payment.checkouts) + 1,
        stripe_session_id=info.id,
        url=info.url or "",
        expires_at=now,
    )
    db.session.add(session)
    return session


def _record_unpaid(session: CheckoutSession, info: gateway.SessionInfo) -> str:
    """A session without money (yet): expired, completed with the money on its way
    (an asynchronous method), or still open."""
    if info.status == "expired" and session.status != "complete":
        session.status = "expired"
        return "expired"
    if info.status == "complete":
        session.status = "complete"
        return "processing"
    return "open"


def _paid_again(reg: Registration, payment: Payment, info: gateway.SessionInfo) -> str:
    """The payment was settled before: the same session again changes nothing; money
    through another page (or after an invoice was paid) is given back."""
    db.session.flush()
    if not info.payment_intent or info.payment_intent == payment.stripe_payment_intent:
        return "already_paid"
    stripe_outbox.queue(
        StripeTaskKind.refund,
        info.payment_intent,
        f"eventsys-refund-duplicate-{info.payment_intent}",
        payment,
        amount=info.amount_total or payment.amount,
    )
    _log(reg, "duplicate_payment_refunded", reason=info.payment_intent)
    _notify(reg, "late_refunded")
    return "duplicate_refunded"


def _record_card_payment(payment: Payment, info: gateway.SessionInfo, now: datetime) -> None:
    """The fee is paid by card: the payment moves to paid, and an invoice chosen
    earlier (but not paid) is credited."""
    payment.status = PaymentStatus.paid
    payment.method = PaymentMethod.card
    payment.paid_at = now
    payment.amount_paid = info.amount_total
    payment.stripe_payment_intent = info.payment_intent
    _credit_open_invoices(payment, now)
    db.session.flush()


def _late_money(event: Event, reg: Registration, payment: Payment, now: datetime) -> str:
    """Money for a seat that was released: seat the person again if a seat is free,
    else refund automatically. Either way, tell them."""
    regs = registration.rule_view(event.id)
    seat_free = (
        event.status == EventStatus.published
        and now < event.starts_at
        and seat_rules.free_seats(registration.event_facts(event), regs) > 0
        and not seat_rules.waiting_list(regs)
    )
    other = registration.find_active(event.id, reg.email)
    # Only a seat released for non-payment comes back; somebody who cancelled
    # themselves while paying gets the money back instead.
    released = payment.released_at is not None
    decision = rules.late_money(seat_free and released, other is not None)
    if decision.reseat:
        before = reg.state.value
        reg.state = State.CONFIRMED
        reg.cancelled_at = None
        payment.released_at = None
        db.session.add(
            RegistrationLog(
                registration_id=reg.id,
                action="late_payment_reseat",
                from_state=before,
                to_state="confirmed",
            )
        )
        db.session.flush()
        _notify(reg, "late_reseated")
        return "late_reseated"
    _refund(payment, payment.amount_paid, "late", now)
    _log(reg, "late_payment_refunded")
    _notify(reg, "late_refunded")
    return "late_refunded"


def _refund(payment: Payment, amount: int, why: str, now: datetime) -> None:
    """Decide a card refund; Stripe makes it after the commit (stripe_outbox), and its
    id lands in payment.stripe_refund."""
    if payment.status == PaymentStatus.refunded:
        return
    stripe_outbox.queue(
        StripeTaskKind.refund,
        payment.stripe_payment_intent,
        _key("refund", payment, why),
        payment,
        amount=amount,
    )
    payment.status = PaymentStatus.refunded
    payment.amount_refunded = amount
    payment.refunded_at = now
    db.session.flush()


def session_failed(stripe_session_id: str) -> str:
    """An asynchronous payment failed: the payment stays due; the participant may try
    again before the deadline."""
    session = db.session.scalar(
        select(CheckoutSession).where(CheckoutSession.stripe_session_id == stripe_session_id)
    )
    if session is None or session.payment.status != PaymentStatus.due:
        return "ignored"
    session.status = "failed"
    db.session.flush()
    _notify(session.payment.registration, "failed")
    return "failed"


def charge_refunded(
    payment_intent: str | None, amount_refunded: int, now: datetime | None = None
) -> str:
    """Stripe says money went back (also refunds made in Stripe's dashboard)."""
    now = now or utcnow()
    if not payment_intent:
        return "ignored"
    payment = db.session.scalar(
        select(Payment).where(Payment.stripe_payment_intent == payment_intent)
    )
    if payment is None:
        return "unknown"
    if payment.status == PaymentStatus.paid and amount_refunded >= payment.amount_paid:
        payment.status = PaymentStatus.refunded
        payment.refunded_at = now
    payment.amount_refunded = max(payment.amount_refunded, amount_refunded)
    db.session.flush()
    return "refunded"


def handle_stripe_event(event: dict, now: datetime | None = None) -> str:
    """Process a verified Stripe event once: its id is recorded in this transaction."""
    if not database.add_once(StripeEvent(id=event["id"], type=event["type"])):
        return "duplicate"
    obj = event["data"]["object"]
    kind = event["type"]
    if kind in (
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.expired",
    ):
        return fulfil_session(obj["id"], now)
    if kind == "checkout.session.async_payment_failed":
        return session_failed(obj["id"])
    if kind == "charge.refunded":
        return charge_refunded(obj.get("payment_intent"), obj.get("amount_refunded", 0), now)
    return "ignored"


# --- invoice -------------------------------------------------------------------------


def next_number(series: str) -> int:
    """The next number of a gapless series, taken under a row lock in the caller's
    transaction: a rolled-back transaction gives its number back."""
    row = db.session.scalar(
        lock_for_update(select(NumberSeries).where(NumberSeries.name == series)).execution_options(
            populate_existing=True
        )
    )
    if row is None:
        database.add_once(NumberSeries(name=series, next_value=1))  # or another was first
        row = db.session.scalar(
            lock_for_update(
                select(NumberSeries).where(NumberSeries.name == series)
            ).execution_options(populate_existing=True)
        )
    number = row.next_value
    row.next_value = number + 1
    db.session.flush()
    return number


def choose_invoice(
    reg_id: int,
    org_number: str,
    reference: str,
    recipient_email: str,
    recipient_address: str,
    organisation_name: str = "",
    now: datetime | None = None,
    private: bool = False,
) -> Invoice:
    """Pay by invoice instead of card: numbered without gaps, with a KID and due date.
    A private person gives a name and postal address instead of an organisation."""
    now = now or utcnow()
    reg, payment = _payment_for(reg_id)
    _check_invoiceable(reg, payment)
    if private:
        recipient = _private_recipient(reg, reference, recipient_email, recipient_address)
    else:
        recipient = _invoice_recipient(
            org_number, reference, recipient_email, recipient_address, organisation_name
        )
    invoice = _issue_invoice(reg, payment, recipient, now)
    _send_invoice(reg, invoice)
    return invoice


def _check_invoiceable(reg: Registration, payment: Payment) -> None:
    if payment.status != PaymentStatus.due:
        raise PaymentError(
            "already_paid" if payment.status == PaymentStatus.paid else "already_invoiced"
        )
    if reg.state != State.CONFIRMED or payment.released_at is not None:
        raise PaymentError("seat_not_held")


def _invoice_recipient(
    org_number: str,
    reference: str,
    recipient_email: str,
    recipient_address: str,
    organisation_name: str,
) -> dict:
    """Who pays, checked: a valid organisation number that belongs to the name given
    (where eventsys knows the organisation), a reference, and an e-mail or a postal
    address. Raises PaymentError naming the field at fault."""
    if not (org_number or "").strip():
        raise PaymentError("org_number_required", 400, "org_number")
    try:
        number = org_rules.validate_org_number(org_number or "")
    except org_rules.OrgNumberError as exc:
        raise PaymentError(f"org_number_{exc.code}", 400, "org_number") from exc
    organisation_name = _known_buyer(number, organisation_name)
    if not reference.strip():
        raise PaymentError("reference_required", 400, "reference")
    if not recipient_email.strip() and not recipient_address.strip():
        raise PaymentError("recipient_required", 400, "recipient_email")
    return {
        "org_number": number,
        "reference": reference.strip(),
        "recipient_email": recipient_email.strip(),
        "recipient_address": recipient_address.strip(),
        "organisation_name": organisation_name.strip(),
    }


def _private_recipient(
    reg: Registration, reference: str, recipient_email: str, recipient_address: str
) -> dict:
    """A private person pays: their name and postal address, no organisation number."""
    if not recipient_address.strip():
        raise PaymentError("address_required", 400, "recipient_address")
    return {
        "org_number": None,
        "reference": reference.strip() or reg.name or reg.email,
        "recipient_email": recipient_email.strip(),
        "recipient_address": recipient_address.strip(),
        "organisation_name": reg.name or reg.email,
    }


def _issue_invoice(reg: Registration, payment: Payment, recipient: dict, now: datetime) -> Invoice:
    """The invoice with the next number of the gapless series; the payment waits for
    it, and an open Checkout page is closed."""
    number = next_number("invoice")
    issued = local_date(now)
    invoice = Invoice(
        number=number,
        kind=InvoiceKind.invoice,
        kid=rules.make_kid(KID_PREFIX, number),
        payment_id=payment.id,
        description=f"{reg.event.title} – {reg.name or reg.email}"[:300],
        amount=payment.amount,
        issued_on=issued,
        due_on=rules.invoice_due_date(issued),
        **recipient,
    )
    db.session.add(invoice)
    payment.status = PaymentStatus.invoiced
    payment.method = PaymentMethod.invoice
    _expire_open_sessions(payment)
    _log(reg, "invoice", reason=f"invoice {number}")
    db.session.flush()
    return invoice


def _send_invoice(reg: Registration, invoice: Invoice) -> None:
    """To the participant, and to the payer's address when that is another."""
    invoice_url = _link("payments.invoice", invoice_id=invoice.id)
    _notify(reg, "invoiced", invoice=invoice, invoice_url=invoice_url)
    # The payer's copy (PDF, EHF and a link that needs no login) is finance's.
    signals.invoice_issued.send(invoice, registration=reg)


def _known_buyer(org_number: str, name: str) -> str:
    """Where eventsys knows the organisation (by number or by name), the number and the
    name typed in must belong together; an empty name is filled in from the number."""
    from eventsys.organisations.models import Organisation

    by_number = db.session.scalar(select(Organisation).where(Organisation.org_number == org_number))
    by_name = (
        db.session.scalar(
            select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
        )
        if name.strip()
        else None
    )
    if (
        by_number is not None
        and name.strip()
        and by_number is not by_name
        and not org_rules.same_name(by_number.name, name)
    ):
        raise PaymentError("org_number_name_mismatch", 400, "org_number")
    if by_name is not None and by_name.org_number and by_name.org_number != org_number:
        raise PaymentError("org_number_name_mismatch", 400, "org_number")
    return name.strip() or (by_number.name if by_number is not None else "")


def credit_note(invoice: Invoice, now: datetime) -> Invoice:
    """Cancel an invoice with a credit note from the same gapless series."""
    number = next_number("invoice")
    note = Invoice(
        number=number,
        kind=InvoiceKind.credit_note,
        kid=None,
        payment_id=invoice.payment_id,
        credit_for_id=invoice.id,
        organisation_name=invoice.organisation_name,
        org_number=invoice.org_number,
        reference=invoice.reference,
        recipient_email=invoice.recipient_email,
        recipient_address=invoice.recipient_address,
        description=f"Kreditnota for faktura {invoice.number}: {invoice.description}"[:300],
        amount=-invoice.amount,
        issued_on=local_date(now),
        due_on=local_date(now),
    )
    db.session.add(note)
    db.session.flush()
    return note


def _credit_open_invoices(payment: Payment, now: datetime) -> None:
    credited = {i.credit_for_id for i in payment.invoices if i.kind == InvoiceKind.credit_note}
    for invoice in list(payment.invoices):
        if (
            invoice.kind == InvoiceKind.invoice
            and invoice.paid_at is None
            and invoice.id not in credited
        ):
            credit_note(invoice, now)


def mark_invoice_paid(invoice_id: int, actor: User, now: datetime | None = None) -> Invoice:
    """Finance records the bank payment of an invoice."""
    now = now or utcnow()
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.kind != InvoiceKind.invoice:
        raise PaymentError("invoice_not_found", 404)
    if invoice.payment is not None:
        _payment_for(invoice.payment.registration_id)  # same locks as every other change
        db.session.refresh(invoice)
    if any(
        note.credit_for_id == invoice.id
        for note in (invoice.payment.invoices if invoice.payment else [])
    ):
        raise PaymentError("invoice_credited")
    if invoice.paid_at is None:
        invoice.paid_at = now
        payment = invoice.payment
        if payment is not None and payment.status == PaymentStatus.invoiced:
            payment.status = PaymentStatus.paid
            payment.paid_at = now
            payment.amount_paid = invoice.amount
            _log(payment.registration, "invoice_paid", actor, f"invoice {invoice.number}")
        db.session.flush()
    return invoice


# --- cancellation, hand-over, deadlines ------------------------------------------------


def on_cancel(reg: Registration, event: Event, now: datetime, event_cancelled: bool = False) -> str:
    """Money when a registration is cancelled: a full refund (card) or a credit note
    (invoice) before the cancellation deadline or when the event is cancelled; after
    the deadline nothing goes back. Returns what was done."""
    payment = reg.payment
    if payment is None:
        return "none"
    if payment.status == PaymentStatus.due:
        _expire_open_sessions(payment)
        return "nothing_paid"
    if not (
        event_cancelled or rules.refund_allowed(now, event.cancellation_deadline, event.starts_at)
    ):
        return "no_refund"
    if payment.status == PaymentStatus.paid and payment.method == PaymentMethod.card:
        _refund(payment, payment.amount_paid, "cancel", now)
        return "refunded"
    if (
        payment.status in (PaymentStatus.invoiced, PaymentStatus.paid)
        and payment.method == PaymentMethod.invoice
    ):
        for invoice in payment.invoices:
            if invoice.kind == InvoiceKind.invoice:
                credit_note(invoice, now)
        payment.status = PaymentStatus.refunded
        payment.refunded_at = now
        payment.amount_refunded = payment.amount_paid
        db.session.flush()
        return "credited"
    return "none"


def transfer_seat(
    reg_id: int, new_email: str, new_name: str, actor: User | None, now: datetime | None = None
) -> Registration:
    """Hand a confirmed seat to a colleague until the event starts (no refund after
    the cancellation deadline, but the seat is not lost). Logged with both names."""
    now = now or utcnow()
    reg = db.session.get(Registration, reg_id)
    if reg is None:
        raise PaymentError("registration_not_found", 404)
    event = _lock_event(reg.event_id)
    db.session.refresh(reg)
    if reg.state != State.CONFIRMED:
        raise PaymentError("seat_not_held")
    if now >= event.starts_at:
        raise PaymentError("event_started")
    email = normalise_email(new_email)
    if "@" not in email:
        raise PaymentError("invalid_email", 400, "email")
    if not new_name.strip():
        raise PaymentError("name_required", 400, "name")
    if email == reg.email:
        raise PaymentError("same_person", 400, "email")
    if registration.find_active(event.id, email) is not None:
        raise PaymentError("already_registered", 409, "email")
    old = f"{reg.name} <{reg.email}>"
    colleague = find_user(email)
    # The seat goes over, the priority does not: the colleague's own affiliation
    # decides their tier, and a colleague who is not owner staff owes the fee.
    affiliation = registration.tier_for(
        registration.Person(email=email, name=new_name, user=colleague), event
    )
    reg.email = email
    reg.name = new_name.strip()
    reg.user_id = colleague.id if colleague else None
    reg.locale = colleague.locale if colleague else reg.locale
    reg.tier = affiliation.tier
    reg.tier_reason = affiliation.reason.value
    reg.organisation_id = affiliation.organisation.id if affiliation.organisation else None
    _log(reg, "transfer", actor, f"{old} → {reg.name} <{reg.email}>")
    db.session.flush()
    # A new tier means a new fee: an owner-staff colleague owes nothing (an unpaid
    # payment goes, so no reminder and no release), a non-member owes it.
    on_fee_changed(reg)
    on_seat(reg, event, now)
    registration.notify(reg, "confirmed")
    return reg


def release_time(payment: Payment) -> datetime | None:
    """An unpaid seat goes after its deadline, but never before a day has passed since
    the reminder (if tick was down, the participant still gets a fair warning)."""
    if payment.reminded_at is None:
        return None
    return max(payment.deadline, payment.reminded_at + timedelta(hours=24))


def remind_unpaid(payment_id: int, now: datetime) -> int:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        return 0
    _lock_event(payment.registration.event_id)
    db.session.refresh(payment)
    reg = payment.registration
    if (
        payment.status != PaymentStatus.due
        or payment.reminded_at is not None
        or payment.released_at is not None
        or reg.state != State.CONFIRMED
    ):
        return 0
    payment.reminded_at = now
    db.session.flush()
    _notify(reg, "reminder")
    return 1


def release_unpaid(payment_id: int, now: datetime) -> int:
    """Release the seat of an unpaid, reminded registration; it goes to the waiting list."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        return 0
    _lock_event(payment.registration.event_id)
    db.session.refresh(payment)
    reg = payment.registration
    due_at = release_time(payment)
    if (
        payment.status != PaymentStatus.due
        or payment.released_at is not None
        or due_at is None
        or now < due_at
        or reg.state != State.CONFIRMED
    ):
        return 0
    payment.released_at = now
    _expire_open_sessions(payment)
    registration.release_seat(reg.id, now)
    _notify(reg, "released")
    return 1


def payments_to_remind(now: datetime) -> list[int]:
    rows = db.session.scalars(
        select(Payment).where(
            Payment.status == PaymentStatus.due,
            Payment.reminded_at.is_(None),
            Payment.released_at.is_(None),
        )
    ).all()
    return [p.id for p in rows if rules.reminder_time(p.deadline, p.created_at) <= now]


def payments_to_release(now: datetime) -> list[int]:
    rows = db.session.scalars(
        select(Payment).where(
            Payment.status == PaymentStatus.due,
            Payment.released_at.is_(None),
            Payment.reminded_at.is_not(None),
            Payment.deadline <= now,
        )
    ).all()
    return [p.id for p in rows if (release_time(p) or now) <= now]
