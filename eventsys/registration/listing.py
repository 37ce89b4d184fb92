"""The organisers' participant list: filters (state, payment, needs) that work as a
plain GET form, and each person's payment stage in words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from eventsys.registration.models import Registration
from eventsys.registration.rules import WAITING, State
from eventsys.registration.rules import payment_stage as stage_of

PAYMENT_LABELS = {
    "free": _l("Free"),
    "waived": _l("Fee waived"),
    "not_yet": _l("Pays if they get a place"),
    "unpaid": _l("Unpaid"),
    "invoiced": _l("Invoiced, not paid yet"),
    "paid_card": _l("Paid by card"),
    "paid_invoice": _l("Paid by invoice"),
    "refunded": _l("Refunded"),
}

STATE_FILTERS = {
    "confirmed": _l("Confirmed"),
    "waiting": _l("Waiting (waiting list and priority)"),
    "offered": _l("Offered a place"),
    "attended": _l("Attended"),
    "no_show": _l("Did not come"),
    "cancelled": _l("Cancelled"),
}
PAYMENT_FILTERS = {
    "unpaid": _l("Unpaid"),
    "invoiced": _l("Invoiced, not paid yet"),
    "paid": _l("Paid (card or invoice)"),
    "waived": _l("Fee waived"),
    "free": _l("Free"),
}
NEEDS_FILTERS = {
    "any": _l("Has dietary or accessibility needs"),
    "dietary": _l("Has dietary needs"),
    "accessibility": _l("Has accessibility needs"),
}


class ParticipantFilterForm(FlaskForm):
    """GET, no CSRF: it changes nothing."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=[], validate_choice=False)
    payment = SelectField(_l("Payment"), choices=[], validate_choice=False)
    needs = SelectField(_l("Needs"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [("", _l("Everyone registered"))] + list(STATE_FILTERS.items())
        self.payment.choices = [("", _l("Any payment"))] + list(PAYMENT_FILTERS.items())
        self.needs.choices = [("", _l("With or without needs"))] + list(NEEDS_FILTERS.items())
        for name, allowed in (
            ("state", STATE_FILTERS),
            ("payment", PAYMENT_FILTERS),
            ("needs", NEEDS_FILTERS),
        ):
            field = self[name]
            if field.data not in allowed:
                field.data = ""  # an unknown value filters nothing

    @property
    def active(self) -> bool:
        return bool(self.state.data or self.payment.data or self.needs.data)


def payment_stage(reg: Registration) -> str:
    payment = reg.payment
    return stage_of(
        reg.tier,
        reg.event.fee,
        reg.fee_waived,
        payment.status.value if payment is not None else None,
        payment.method.value if payment is not None and payment.method else None,
    )


def _state_matches(reg: Registration, wanted: str) -> bool:
    if wanted == "waiting":
        return reg.state in WAITING
    return reg.state.value == wanted


def _payment_matches(stage: str, wanted: str) -> bool:
    if wanted == "paid":
        return stage in ("paid_card", "paid_invoice")
    return stage == wanted


def _needs_match(reg: Registration, wanted: str) -> bool:
    dietary, access = bool(reg.dietary_needs.strip()), bool(reg.accessibility_needs.strip())
    return {"any": dietary or access, "dietary": dietary, "accessibility": access}[wanted]


def matches(reg: Registration, form: ParticipantFilterForm) -> bool:
    if form.state.data and not _state_matches(reg, form.state.data):
        return False
    if form.payment.data and not _payment_matches(payment_stage(reg), form.payment.data):
        return False
    return not (form.needs.data and not _needs_match(reg, form.needs.data))


def attendance(regs: list[Registration]) -> dict[str, int]:
    """Who came, from check-in: attended, marked as not come, and not checked in."""
    return {
        "attended": sum(1 for r in regs if r.state == State.ATTENDED),
        "no_show": sum(1 for r in regs if r.state == State.NO_SHOW),
        "not_checked_in": sum(1 for r in regs if r.state == State.CONFIRMED),
    }


def attended_counts(event_ids: list[int]) -> dict[int, int]:
    """How many came (checked in) per event, in one query for a whole list."""
    from sqlalchemy import func, select

    from eventsys.extensions import db

    if not event_ids:
        return {}
    return dict(
        db.session.execute(
            select(Registration.event_id, func.count())
            .where(Registration.event_id.in_(event_ids), Registration.state == State.ATTENDED)
            .group_by(Registration.event_id)
        ).all()
    )
