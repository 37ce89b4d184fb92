"""Finance pages (role finance): reconciliation, Stripe import, discrepancies."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from eventsys import formatting
from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.database import local_date
from eventsys.extensions import db
from eventsys.finance import (
    bank,
    chart,
    documents,
    listeners,
    operations,
    reports,
    rules,
    stripe_import,
)
from eventsys.finance.forms import (
    BudgetForm,
    RatesForm,
    ReminderForm,
    ResolveForm,
    UploadForm,
    YearForm,
)
from eventsys.finance.models import StripePayout, StripeSync
from eventsys.payments.models import Invoice

bp = Blueprint("finance", __name__, url_prefix="/finance")
__all__ = ["bp", "documents_bp", "listeners"]  # importing the views connects the listeners

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


@bp.app_template_filter("thousands")
def _thousands(value: int) -> str:
    return format_decimal(value, format="#,##0")


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
        to_send=sum(1 for r in rows if r["invoice"] and not r["sent_at"] and not r["paid"]),
    ), status


@bp.route("/contributions/invoice", methods=["POST"])
@role_required(Role.finance)
def invoice_contributions():
    form = YearForm()
    if not form.validate_on_submit():
        abort(400)
    year = form.year.data
    made = operations.invoice_owners(year)
    sending = operations.send_contribution_invoices(year)
    flash(
        _("%(count)d contribution invoices made for %(year)d.", count=len(made), year=year)
        + " "
        + _("%(count)d sent by e-mail.", count=len(sending.sent)),
        "success",
    )
    if sending.unsendable:
        flash(
            _(
                "%(count)d cannot be sent: the owner has no invoice e-mail address.",
                count=len(sending.unsendable),
            ),
            "error",
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


# --- an invoice by its signed link: no account needed -----------------------------------------

documents_bp = Blueprint("documents", __name__)


@documents_bp.app_template_global("invoice_seller")
def _invoice_seller():
    return documents.seller()


@documents_bp.app_template_global("invoice_account")
def _invoice_account():
    return documents.format_account(documents.seller().bank_account)


@documents_bp.route("/invoices/s/<token>")
def invoice(token):
    found = documents.invoice_for_token(token)
    if found is None:
        abort(404)
    return render_template(
        "finance/invoice_public.html",
        invoice=found,
        token=token,
        seller=documents.seller(),
        account=documents.format_account(documents.seller().bank_account),
    )


@documents_bp.route("/invoices/s/<token>.<any(pdf, xml):ext>")
def invoice_file(token, ext):
    found = documents.invoice_for_token(token)
    if found is None or (ext == "xml" and not found.org_number):
        abort(404)
    return _document_response(found, ext)


def _document_response(found, ext):
    if ext == "pdf":
        body, mimetype = documents.pdf(found), "application/pdf"
    else:
        body, mimetype = documents.ehf_xml(found), "application/xml"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{documents.filename(found, ext)}"'
    )
    return response


@bp.route("/invoices/<int:invoice_id>.<any(pdf, xml):ext>")
@role_required(Role.finance)
def invoice_download(invoice_id, ext):
    found = db.session.get(Invoice, invoice_id)
    if found is None or (ext == "xml" and not found.org_number):
        abort(404)
    return _document_response(found, ext)


# --- the bank and the invoice register ---------------------------------------------------------

STATUS_LABELS = {
    "open": lambda: _("Open"),
    "partly_paid": lambda: _("Partly paid"),
    "paid": lambda: _("Paid"),
    "overdue": lambda: _("Overdue"),
    "credited": lambda: _("Credited"),
    "credit_note": lambda: _("Credit note"),
}
OUTCOME_LABELS = {
    bank.MATCHED: lambda: _("Paid in full"),
    bank.PARTIAL: lambda: _("Partial payment"),
    bank.OVER: lambda: _("Overpaid"),
    bank.UNKNOWN_KID: lambda: _("Unknown KID"),
    bank.INVALID_KID: lambda: _("Missing or invalid KID"),
    bank.DUPLICATE: lambda: _("Already imported"),
    bank.CREDITED: lambda: _("Invoice credited"),
    bank.CURRENCY: lambda: _("Currency other than NOK"),
}


@bp.app_template_filter("invoice_status")
def _invoice_status(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return label() if label else status


@bp.app_template_filter("bank_outcome")
def _bank_outcome(outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome)
    return label() if label else outcome


def bank_error(code: str) -> str:
    messages = {
        "statement_duplicate": _("This statement has been imported already; nothing was added."),
        "statement_not_camt": _("The file is neither a camt.053 statement nor the bank CSV."),
        "statement_missing_columns": _(
            "The CSV file lacks the columns date, amount, kid and reference."
        ),
        "statement_bad_amount": _("An amount in the statement is not a number of kroner and øre."),
        "statement_bad_date": _("A date in the statement is not a date."),
        "statement_missing_reference": _("A line in the CSV file has no reference."),
        "statement_not_text": _("The file is not a UTF-8 text file."),
        "too_large": _("The file is too large."),
        "not_overdue": _("The invoice is not overdue."),
        "reminder_sent": _("That reminder has been sent already."),
        "no_recipient": _("The invoice has no e-mail address to send a reminder to."),
    }
    return messages.get(code, code)


@bp.route("/bank", methods=["GET", "POST"])
@role_required(Role.finance)
def bank_statements():
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            data = form.file.data.read(MAX_UPLOAD + 1)
            try:
                if len(data) > MAX_UPLOAD:
                    raise operations.FinanceError("too_large", 400, "file")
                statement = operations.import_statement(
                    data, form.file.data.filename or "", current_user
                )
            except operations.FinanceError as exc:
                db.session.rollback()
                form.file.errors = [*form.file.errors, bank_error(exc.code)]
            else:
                attention = sum(1 for p in statement.payments if p.outcome in bank.NEEDS_LOOK)
                flash(
                    _(
                        "Imported %(count)d incoming payments; %(attention)d need a look.",
                        count=len(statement.payments),
                        attention=attention,
                    ),
                    "success",
                )
                return redirect(url_for("finance.bank_statements"))
        status = 422
    return render_template(
        "finance/bank.html",
        form=form,
        statements=operations.statements(),
        needs_look=bank.NEEDS_LOOK,
    ), status


@bp.route("/bank/payments/<int:payment_id>/note", methods=["POST"])
@role_required(Role.finance)
def note_bank_payment(payment_id):
    form = ResolveForm(key=str(payment_id))
    if not form.validate_on_submit():
        flash(error_message("note_required"), "error")
        return redirect(url_for("finance.bank_statements"))
    try:
        operations.note_bank_payment(payment_id, form.note.data, current_user)
    except operations.FinanceError as exc:
        if exc.status == 404:
            abort(404)
        db.session.rollback()
        flash(error_message(exc.code), "error")
    else:
        flash(_("The note is saved."), "success")
    return redirect(url_for("finance.bank_statements"))


@bp.route("/register")
@role_required(Role.finance)
def invoice_register():
    only = request.args.get("status")
    if only not in (None, "", *STATUS_LABELS):
        abort(400)
    return render_template(
        "finance/register.html", rows=operations.register(only=only or None), only=only or ""
    )


@bp.route("/invoices/<int:invoice_id>/remind", methods=["POST"])
@role_required(Role.finance)
def remind(invoice_id):
    form = ReminderForm()
    if not form.validate_on_submit():
        abort(400)
    number = form.number.data
    try:
        operations.send_reminder(invoice_id, number, current_user)
    except operations.FinanceError as exc:
        if exc.status == 404:
            abort(404)
        db.session.rollback()
        flash(bank_error(exc.code), "error")
    else:
        flash(_("Reminder %(n)d is sent.", n=number), "success")
    return redirect(url_for("finance.invoice_register", status="overdue"))


# --- reports ---------------------------------------------------------------------------------

SOURCE_LABELS = {
    "contributions": lambda: _("Owners' contributions"),
    "fees_card": lambda: _("Participant fees by card"),
    "fees_invoice": lambda: _("Participant fees by invoice"),
}
CSV_TABLES = {
    "events": lambda year: reports.csv_events(year),
    "months": lambda year: reports.csv_months(year),
    "budget": lambda year: reports.csv_budget(year),
    "contributions": lambda year: reports.csv_contributions(year),
    "payouts": lambda year: reports.csv_payouts(),
    "invoices": lambda year: reports.csv_invoices(),
    "discrepancies": lambda year: reports.csv_discrepancies(),
}


def budget_label(code: str) -> str:
    labels = {
        "secretariat": _("Secretariat salaries"),
        "student_helpers": _("Student helpers"),
        "gathering": _("Yearly gathering"),
        "conference": _("Conference"),
        "steering_group": _("Steering group"),
        "seminars": _("Seminars"),
        "technical": _("Technical"),
        "other": _("Other"),
    }
    return labels.get(code, code)


def _budget_form(year: int) -> BudgetForm:
    lines = reports.budget(year)
    form = BudgetForm(formdata=None, year=year)
    for code in reports.BUDGET_CODES:
        form[code].data = lines.get(code, 0) // 100
    return form


@bp.route("/reports")
@role_required(Role.finance)
def report():
    year = _year_arg()
    return _render_report(year, _budget_form(year))


def _render_report(year, form, status=200):
    result = reports.summary(year)
    lines, budget_total, income = reports.budget_table(year)
    months = reports.months(result, budget_total)
    return render_template(
        "finance/reports.html",
        year=year,
        summary=result,
        lines=[(budget_label(code), amount) for code, amount in lines],
        budget_total=budget_total,
        income=income,
        events=reports.per_event(year),
        months=months,
        chart=chart.year_chart(months),
        sources=[(key, label(), chart.COLOURS[key]) for key, label in SOURCE_LABELS.items()],
        month_names=[name.capitalize() for name in formatting.month_names("abbreviated")],
        form=form,
    ), status


@bp.route("/budget", methods=["POST"])
@role_required(Role.finance)
def budget():
    form = BudgetForm()
    if not form.validate_on_submit():
        return _render_report(form.year.data or local_date().year, form, 422)
    reports.set_budget(form.year.data, {c: form[c].data * 100 for c in reports.BUDGET_CODES})
    flash(_("The budget for %(year)d is saved.", year=form.year.data), "success")
    return redirect(url_for("finance.report", year=form.year.data))


@bp.route(
    "/reports/<any(events, months, budget, contributions, payouts, invoices, discrepancies):table>.csv"
)
@role_required(Role.finance)
def report_csv(table):
    year = _year_arg()
    response = Response(CSV_TABLES[table](year), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{table}-{year}.csv"'
    return response
