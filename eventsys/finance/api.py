"""Finance's JSON API (finance role; an admin may do everything, as everywhere):
the year's totals, the open discrepancies and the owners' contributions."""

from __future__ import annotations

from eventsys.api import bp, requires
from eventsys.api import fields as f
from eventsys.api.schemas import ApiSchema
from eventsys.auth.models import Role
from eventsys.finance import operations, reports, rules


class _QueryInteger(f.Integer):
    """A whole number from a query string, where "2027" is text by nature."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.strict = False


class FinanceYear(ApiSchema):
    year = _QueryInteger(minimum=2000, maximum=2100, required=True)


class FinanceSummary(ApiSchema):
    """Totals in øre for the year."""

    year = f.Integer(required=True)
    contributions_invoiced = f.Integer(required=True)
    contributions_paid = f.Integer(required=True)
    fees_card = f.Integer(required=True)
    fees_invoiced = f.Integer(required=True)
    fees_outstanding = f.Integer(required=True)
    refunds = f.Integer(required=True)
    stripe_fees = f.Integer(required=True)
    net = f.Integer(required=True)


class FinanceDiscrepancy(ApiSchema):
    kind = f.Choice(rules.KINDS, required=True)
    amount = f.Integer(required=True)
    currency = f.Text(3, required=True)
    registration_id = f.Integer(required=True, allow_none=True)
    stripe_id = f.Text(255, required=True, allow_none=True)
    detail = f.Text(500, required=True)


class FinanceContribution(ApiSchema):
    organisation_id = f.Id(required=True)
    organisation = f.Text(200, required=True)
    year = f.Integer(required=True)
    band = f.Choice(("0-500", "501-1000", "1001-2000", "2000+", "welfare"), required=True)
    amount = f.Integer(required=True)
    invoice_number = f.Integer(required=True, allow_none=True)
    paid = f.Boolean(required=True)


@bp.route("/finance/summary", methods=["GET"])
@requires(Role.finance)
@bp.arguments(FinanceYear, location="query")
@bp.response(200, FinanceSummary)
@bp.doc(summary="The year's money in øre (finance)")
def finance_summary(args):
    return {"year": args["year"], **reports.summary(args["year"]).api()}


@bp.route("/finance/discrepancies", methods=["GET"])
@requires(Role.finance)
@bp.response(200, FinanceDiscrepancy(many=True))
@bp.doc(summary="Open discrepancies between Stripe and the registrations (finance)")
def finance_discrepancies():
    return operations.open_discrepancies()


@bp.route("/finance/contributions", methods=["GET"])
@requires(Role.finance)
@bp.arguments(FinanceYear, location="query")
@bp.response(200, FinanceContribution(many=True))
@bp.doc(summary="Owners' contributions of a year: band, amount, invoice, paid (finance)")
def finance_contributions(args):
    return operations.contribution_overview(args["year"])
