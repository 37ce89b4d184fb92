"""Finance pages (role finance): reconciliation, Stripe import, discrepancies."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.database import local_date
from eventsys.extensions import db
from eventsys.finance import operations, rules, stripe_import
from eventsys.finance.forms import RatesForm, ResolveForm, UploadForm, YearForm
from eventsys.finance.models import StripePayout, StripeSync

bp = Blueprint("finance", __name__, url_prefix="/finance")

MAX_UPLOAD = 5 * 1024 * 1024


def kind_label(kind: str) -> str:
    labels = {
        rules.MONEY_WITHOUT_REGISTRATION: _("Money without a registration"),
        rules.PAID_WITHOUT_MONEY: _("Marked paid without money"),
        rules.AMOUNT_MISMATCH: _("Amount does not match the fee"),
        rules.REFUND_MISMATCH: _("Refund does not match"),
        rules.PAYOUT_MISMATCH: _("Payout does not add up"),
        rules.CURRENCY: _("Currency other than NOK"),
    }
    return labels.get(kind, kind)


def error_message(code: str) -> str:
    messages = {
        "note_required": _("Write a note saying why."),
        "already_resolved": _("This discrepancy is resolved already."),
        "discrepancy_not_found": _("This discrepancy no longer exists."),
        "missing_columns": _("The file lacks the columns of Stripe's itemized export."),
        "bad_amount": _("An amount in the file is not a number of kroner and øre."),
        "bad_date": _("A date in the file is not a date and time."),
        "bad_id": _("A balance transaction id in the file is not one of Stripe's."),
        "bad_currency": _("A currency in the file is not a three-letter code."),
        "not_text": _("The file is not a UTF-8 text file."),
        "too_large": _("The file is too large."),
    }
    return messages.get(code, code)


@bp.app_template_filter("discrepancy_kind")
def _discrepancy_kind(kind: str) -> str:
    return kind_label(kind)


def read_upload(form: UploadForm) -> str:
    data = form.file.data.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise stripe_import.ImportError_("too_large")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise stripe_import.ImportError_("not_text") from exc


@bp.route("")
@role_required(Role.finance)
def index():
    last_sync = db.session.scalar(db.select(StripeSync).order_by(StripeSync.id.desc()))
    return render_template(
        "finance/index.html",
        discrepancies=len(operations.open_discrepancies()),
        last_sync=last_sync,
    )


@bp.route("/discrepancies")
@role_required(Role.finance)
def discrepancies():
    return render_template(
        "finance/discrepancies.html",
        discrepancies=operations.open_discrepancies(),
        log=operations.resolution_log(),
        form=ResolveForm(),
        failed_key=None,
    )


@bp.route("/discrepancies/resolve", methods=["POST"])
@role_required(Role.finance)
def resolve():
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            operations.resolve(form.key.data, form.note.data, current_user)
        except operations.FinanceError as exc:
            db.session.rollback()
            if exc.field:
                form.note.errors = [*form.note.errors, error_message(exc.code)]
            else:
                flash(error_message(exc.code), "error")
                return redirect(url_for("finance.discrepancies"))
        else:
            flash(_("The discrepancy is resolved and logged."), "success")
            return redirect(url_for("finance.discrepancies"))
    return render_template(
        "finance/discrepancies.html",
        discrepancies=operations.open_discrepancies(),
        log=operations.resolution_log(),
        form=form,
        failed_key=form.key.data,
    ), 422


@bp.route("/stripe", methods=["GET", "POST"])
@role_required(Role.finance)
def stripe():
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                result = stripe_import.import_csv(read_upload(form))
            except stripe_import.ImportError_ as exc:
                db.session.rollback()
                message = error_message(exc.code)
                if exc.line:
                    message = _("Line %(line)d: %(message)s", line=exc.line, message=message)
                form.file.errors = [*form.file.errors, message]
            else:
                flash(
                    _(
                        "Imported %(created)d new and %(updated)d known balance transactions.",
                        created=result.created,
                        updated=result.updated,
                    ),
                    "success",
                )
                return redirect(url_for("finance.stripe"))
        status = 422
    last_sync = db.session.scalar(db.select(StripeSync).order_by(StripeSync.id.desc()))
    return render_template(
        "finance/stripe.html", form=form, payouts=operations.payouts(), last_sync=last_sync
    ), status


@bp.route("/payouts/<payout_id>")
@role_required(Role.finance)
def payout(payout_id):
    found = db.session.get(StripePayout, payout_id)
    if found is None:
        abort(404)
    lines = operations.payout_breakdown(payout_id)
    return render_template(
        "finance/payout.html",
        payout=found,
        lines=lines,
        total=sum(line.net for line in lines),
    )


def _year_arg() -> int:
    year = request.args.get("year", type=int) or local_date().year
    if not 2000 <= year <= 2100:
        abort(400)
    return year


def _rates_form(year: int) -> RatesForm:
    rates = operations.contribution_rates(year)
    form = RatesForm(formdata=None, year=year)
    for band, name in RatesForm.FIELDS.items():
        form[name].data = rates[band] // 100
    return form


@bp.route("/contributions", methods=["GET"])
@role_required(Role.finance)
def contributions():
    year = _year_arg()
    return _render_contributions(year, _rates_form(year))


def _render_contributions(year, form, status=200):
    rows = operations.contribution_overview(year)
    return render_template(
        "finance/contributions.html",
        year=year,
        rows=rows,
        form=form,
        to_invoice=sum(1 for r in rows if r["invoice"] is None),
    ), status


@bp.route("/contributions/invoice", methods=["POST"])
@role_required(Role.finance)
def invoice_contributions():
    form = YearForm()
    if not form.validate_on_submit():
        abort(400)
    year = form.year.data
    made = operations.invoice_owners(year)
    flash(
        _("%(count)d contribution invoices made for %(year)d.", count=len(made), year=year),
        "success",
    )
    return redirect(url_for("finance.contributions", year=year))


@bp.route("/contributions/rates", methods=["POST"])
@role_required(Role.finance)
def contribution_rates():
    form = RatesForm()
    if not form.validate_on_submit():
        return _render_contributions(form.year.data or local_date().year, form, 422)
    rates = {band: form[name].data * 100 for band, name in RatesForm.FIELDS.items()}
    operations.set_contribution_rates(form.year.data, rates, current_user)
    flash(_("The contribution table for %(year)d is saved.", year=form.year.data), "success")
    return redirect(url_for("finance.contributions", year=form.year.data))
