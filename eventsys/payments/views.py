from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.database import utcnow, writes_database
from eventsys.extensions import csrf, db
from eventsys.payments import gateway, operations
from eventsys.payments.forms import InvoiceForm, TransferForm
from eventsys.payments.messages import MESSAGES
from eventsys.payments.models import Invoice, InvoiceKind, PaymentStatus
from eventsys.registration.models import Registration
from eventsys.registration.operations import RegistrationError, is_owner, registration_for

bp = Blueprint("payments", __name__)


def error_message(code: str) -> str:
    return MESSAGES(code)


def _own_registration(reg_id: int) -> Registration:
    # Paying and handing a seat over are the participant's own acts: no role acts on
    # somebody else's seat here (organisers work through the participant list).
    try:
        return registration_for(reg_id, current_user)
    except RegistrationError:
        abort(404)


@bp.route("/registrations/<int:reg_id>/pay", methods=["GET"])
@login_required
def pay(reg_id):
    reg = _own_registration(reg_id)
    return _render_pay(reg, InvoiceForm())


def _render_pay(reg, form, status=200):
    return render_template(
        "payments/pay.html",
        reg=reg,
        payment=reg.payment,
        form=form,
        card_enabled=gateway.enabled(),
    ), status


@bp.route("/registrations/<int:reg_id>/pay/card", methods=["POST"])
@login_required
def pay_by_card(reg_id):
    reg = _own_registration(reg_id)
    try:
        session = operations.start_checkout(reg.id)
    except operations.PaymentError as exc:
        flash(error_message(exc.code), "error")
        return redirect(url_for("payments.pay", reg_id=reg.id))
    return redirect(session.url, code=303)


@bp.route("/registrations/<int:reg_id>/pay/invoice", methods=["POST"])
@login_required
def pay_by_invoice(reg_id):
    reg = _own_registration(reg_id)
    form = InvoiceForm()
    if form.validate_on_submit():
        try:
            invoice = operations.choose_invoice(
                reg.id,
                form.org_number.data or "",
                form.reference.data or "",
                form.recipient_email.data or "",
                form.recipient_address.data or "",
                form.organisation_name.data or "",
                private=form.private.data,
            )
        except operations.PaymentError as exc:
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = [*field.errors, error_message(exc.code)]
            else:
                form.form_errors.append(error_message(exc.code))
            db.session.rollback()
            return _render_pay(db.session.get(Registration, reg_id), form, 422)
        flash(_("Invoice %(number)d is made. You find it below.", number=invoice.number), "success")
        return redirect(url_for("payments.invoice", invoice_id=invoice.id))
    return _render_pay(reg, form, 422)


@bp.route("/payments/return")
@writes_database  # the return page records the payment if the webhook has not yet
def card_return():
    session_id = request.args.get("session_id", "")
    if not session_id.startswith("cs_"):
        abort(404)
    try:
        outcome = operations.fulfil_session(session_id)
    except gateway.GatewayError:
        # Nothing of a half-done fulfilment may be committed: the webhook (which
        # Stripe retries) will finish it.
        db.session.rollback()
        flash(
            _(
                "Thank you! We are confirming the payment with the card service; this page will show it shortly."
            ),
            "success",
        )
        return redirect("/account/registrations")
    messages = {
        "paid": _("Thank you, the payment is received."),
        "already_paid": _("Thank you, the payment is received."),
        "late_reseated": _("Thank you, the payment is received and your seat is yours again."),
        "late_refunded": _(
            "Your seat had been released and the event is full, so the payment is refunded."
        ),
        "processing": _("The payment is being processed. We will tell you when it is complete."),
    }
    flash(
        messages.get(outcome, _("The payment was not completed.")),
        "success" if outcome in messages else "error",
    )
    return redirect("/account/registrations")


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """Stripe's events: the signature is checked on the raw body; every event id is
    processed once, in the same transaction as its effect (committed after this)."""
    payload = request.get_data()
    try:
        event = gateway.verify_webhook(payload, request.headers.get("Stripe-Signature"))
    except gateway.SignatureError:
        return {"error": {"code": "bad_signature", "message": "Signature check failed."}}, 400
    except gateway.PayloadError:
        return {"error": {"code": "bad_payload", "message": "Not a Stripe event."}}, 400
    if not _well_formed(event):
        current_app.logger.warning("Signed webhook that is not a Stripe event: %.200r", event)
        return {"error": {"code": "bad_payload", "message": "Not a Stripe event."}}, 400
    try:
        outcome = operations.handle_stripe_event(event)
    except gateway.GatewayError as exc:
        if exc.code == "unknown_session":
            # A session eventsys never made (another system on the account, or a
            # forged id): acknowledged once, so Stripe stops retrying, and logged.
            current_app.logger.warning(
                "Stripe event %s names a Checkout Session unknown to Stripe's API: %s",
                event["id"],
                event["data"]["object"].get("id"),
            )
            return {"received": True, "outcome": "unknown_session"}
        # Could not re-read from Stripe: answer 503 so Stripe retries (nothing is kept).
        db.session.rollback()
        return {"error": {"code": "retry", "message": "Stripe unreachable; retry."}}, 503
    return {"received": True, "outcome": outcome}


def _well_formed(event) -> bool:
    """The shape every handled Stripe event has; anything else is refused with 400."""
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and 0 < len(event["id"]) <= 255
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        return False
    obj = event["data"]["object"]
    if event["type"].startswith("checkout.session."):
        return isinstance(obj.get("id"), str) and len(obj["id"]) <= 255
    if event["type"] == "charge.refunded":
        amount = obj.get("amount_refunded", 0)
        return (
            isinstance(obj.get("payment_intent"), str | None)
            and isinstance(amount, int)
            and 0 <= amount <= 2**31 - 1
        )
    return True


@bp.route("/invoices/<int:invoice_id>")
@login_required
def invoice(invoice_id):
    document = db.session.get(Invoice, invoice_id)
    if document is None:
        abort(404)
    reg = document.payment.registration if document.payment else None
    # Only finance sees money (DESIGN); the participant sees their own invoice.
    allowed = current_user.has_role(Role.finance) or (
        reg is not None and is_owner(reg, current_user)
    )
    if not allowed:
        abort(404)
    return render_template("payments/invoice.html", invoice=document, reg=reg)


@bp.route("/registrations/<int:reg_id>/transfer", methods=["GET", "POST"])
@login_required
def transfer(reg_id):
    reg = _own_registration(reg_id)
    form = TransferForm()
    if form.validate_on_submit():
        try:
            operations.transfer_seat(reg.id, form.email.data, form.name.data, current_user)
        except operations.PaymentError as exc:
            db.session.rollback()
            reg = db.session.get(Registration, reg_id)
            target = getattr(form, exc.field or "", None)
            if target is not None:
                target.errors = [*target.errors, error_message(exc.code)]
            else:
                form.form_errors.append(error_message(exc.code))
        else:
            flash(_("The seat is handed over to %(name)s.", name=form.name.data), "success")
            return redirect("/account/registrations")
    status = 422 if form.errors or form.form_errors else 200
    return render_template("payments/transfer.html", reg=reg, form=form), status


@bp.route("/finance/invoices")
@role_required(Role.finance)
def invoices():
    rows = db.session.scalars(select(Invoice).order_by(Invoice.number.desc())).all()
    return render_template("payments/invoices.html", invoices=rows, now=utcnow())


@bp.route("/finance/invoices/<int:invoice_id>/paid", methods=["POST"])
@role_required(Role.finance)
def mark_paid(invoice_id):
    try:
        document = operations.mark_invoice_paid(invoice_id, current_user)
    except operations.PaymentError as exc:
        if exc.status == 404:
            abort(404)
        db.session.rollback()
        flash(error_message(exc.code), "error")
        return redirect(url_for("payments.invoices"))
    flash(_("Invoice %(number)d is marked as paid.", number=document.number), "success")
    return redirect(url_for("payments.invoices"))


# Used by the templates to show a payment's state in the user's language.
STATUS_LABELS = {
    PaymentStatus.due: lambda: _("To be paid"),
    PaymentStatus.invoiced: lambda: _("Invoiced"),
    PaymentStatus.paid: lambda: _("Paid"),
    PaymentStatus.refunded: lambda: _("Refunded"),
}


@bp.app_template_filter("payment_status")
def payment_status_label(status) -> str:
    label = STATUS_LABELS.get(status)
    return label() if label else ""


@bp.app_context_processor
def invoice_kinds():
    # card_payments: pages below payments (the event page) offer the card button only
    # when Stripe is configured.
    return {"InvoiceKind": InvoiceKind, "card_payments": gateway.enabled()}
