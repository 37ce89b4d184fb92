"""Registration pages: a participant registers and manages their registrations; the
organisers see the participant list, act on it, export it and e-mail the participants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.auth.access import event_organiser_required, role_required
from eventsys.auth.models import Role
from eventsys.database import local_date, utcnow, writes_database
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.formatting import money, when
from eventsys.organisations import operations as org_ops
from eventsys.registration import exports, listing, preview, telling
from eventsys.registration import operations as reg_ops
from eventsys.registration.event_pages import event_page, visible_event
from eventsys.registration.forms import (
    STATE_LABELS,
    TIER_LABELS,
    TIER_REASON_LABELS,
    AffiliationForm,
    BehalfForm,
    MessageForm,
    MoveForm,
    NeedsForm,
    RegisterForm,
    SharedOptions,
    WaiveFeeForm,
)
from eventsys.registration.messages import MESSAGES
from eventsys.registration.models import Registration
from eventsys.registration.rules import SEAT_HOLDING, WAITING, State, needs_editable

bp = Blueprint("registration", __name__)


@bp.app_template_filter("state_label")
def state_label(state) -> str:
    value = getattr(state, "value", state)
    return str(STATE_LABELS.get(value, value))


@bp.app_template_global("money_back")
def money_back(reg: Registration) -> str:
    """After a cancellation, what happened to the fee, in the reader's language (pages
    and the e-mails, which render in the recipient's)."""
    return telling.money_back(reg.event, reg, utcnow())


@bp.app_template_filter("tier_label")
def tier_label(tier: int) -> str:
    return str(TIER_LABELS.get(tier, tier))


@bp.app_template_filter("tier_reason_label")
def tier_reason_label(reason: str) -> str:
    return str(TIER_REASON_LABELS.get(reason, reason))


def error_message(code: str, on_behalf: bool = False) -> str:
    """The user's language for each RegistrationError code."""
    return MESSAGES(code, on_behalf=on_behalf)


def _when(moment: datetime | None) -> str:
    return when(moment, "short")


def outcome_message(reg: Registration, on_behalf: bool = False) -> str:
    """What a registration's new state means, for the flash message after it."""
    event = reg.event
    fee = reg_ops.fee_due(event, reg)
    if reg.state == State.CONFIRMED:
        if on_behalf:
            return _("%(name)s has a confirmed place.", name=reg.name or reg.email)
        if fee:
            return _(
                "Your place is confirmed. The participant fee is %(fee)s: pay it by card "
                "or choose invoice below.",
                fee=money(fee),
            )
        return _("Your place is confirmed, and participation is free for you.")
    if reg.state == State.PENDING:
        if on_behalf:
            return _(
                "%(name)s is registered and gets an answer at the priority deadline.",
                name=reg.name or reg.email,
            )
        return _(
            "Your registration is received. Staff of the owners have priority until "
            "%(deadline)s; you will hear from us then whether you have a place.",
            deadline=_when(event.priority_deadline),
        )
    if reg.state == State.OFFERED:
        return _(
            "A place is offered. Accept it by %(deadline)s.", deadline=_when(reg.offer_expires_at)
        )
    position = reg_ops.positions(event.id).get(reg.id)
    if on_behalf:
        return _(
            "%(name)s is on the waiting list as number %(position)d.",
            name=reg.name or reg.email,
            position=position or 0,
        )
    return _(
        "The event is full, so you are on the waiting list as number %(position)d. We "
        "e-mail you if a place becomes free.",
        position=position or 0,
    )


# --- the participant ------------------------------------------------------------------


@bp.route("/events/<int:event_id>/register", methods=["POST"])
@login_required
def register(event_id):
    event = visible_event(event_id)
    form = RegisterForm()
    if not form.validate_on_submit():
        return event_page(event, form, 422)
    user = current_user._get_current_object()
    person = reg_ops.Person(email=user.email, name=user.name, user=user)
    try:
        reg = reg_ops.register(
            event.id,
            person,
            user,
            dietary_needs=form.dietary_needs.data or "",
            accessibility_needs=form.accessibility_needs.data or "",
        )
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        flash(error_message(exc.code), "error")
    else:
        flash(outcome_message(reg), "success")
    return redirect(url_for("events.show", event_id=event_id))


def _own(reg_id: int) -> Registration:
    try:
        return reg_ops.registration_for(reg_id, current_user)
    except reg_ops.RegistrationError:
        abort(404)


@bp.route("/account/registrations")
@login_required
def mine():
    now = utcnow()
    regs = reg_ops.registrations_of(current_user)
    current = sorted(
        (r for r in regs if r.is_active and r.event.ends_at >= now),
        key=lambda r: (r.event.starts_at, r.id),
    )
    earlier = [r for r in regs if r not in current]
    places = reg_ops.positions_for({r.event_id for r in current if r.state in WAITING})
    views = reg_ops.rule_views({r.event_id for r in current})
    told = {r.id: telling.tell(r.event, r, views.get(r.event_id, []), now) for r in current}
    return render_template(
        "registration/mine.html",
        current=current,
        earlier=earlier,
        places=places,
        told=told,
        now=now,
    )


@bp.route("/account/registrations/<int:reg_id>/accept", methods=["POST"])
@login_required
def accept(reg_id):
    reg = _own(reg_id)
    try:
        reg_ops.accept_offer(reg.id, current_user._get_current_object())
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        flash(error_message(exc.code), "error")
    else:
        flash(outcome_message(reg), "success")
    return redirect(url_for("registration.mine"))


@bp.route("/account/registrations/<int:reg_id>/decline", methods=["POST"])
@login_required
def decline(reg_id):
    reg = _own(reg_id)
    try:
        reg_ops.decline_offer(reg.id, current_user._get_current_object())
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        flash(error_message(exc.code), "error")
    else:
        flash(
            _("You have declined the place. It goes to the next person on the waiting list."),
            "success",
        )
    return redirect(url_for("registration.mine"))


@bp.route("/account/registrations/<int:reg_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(reg_id):
    reg = _own(reg_id)
    if request.method == "POST":
        try:
            reg_ops.cancel(reg.id, current_user._get_current_object())
        except reg_ops.RegistrationError as exc:
            db.session.rollback()
            flash(error_message(exc.code), "error")
        else:
            done = _("Your registration for %(title)s is cancelled.", title=reg.event.title)
            flash(" ".join(filter(None, [done, money_back(reg)])), "success")
        return redirect(url_for("registration.mine"))
    if not reg.is_active:
        flash(error_message("not_active"), "info")
        return redirect(url_for("registration.mine"))
    seat, money_text, money_key = telling.cancelling(
        reg.event, reg, reg_ops.rule_view(reg.event_id), utcnow()
    )
    return render_template(
        "registration/cancel.html",
        reg=reg,
        event=reg.event,
        fee=reg_ops.fee_due(reg.event, reg),
        seat_text=seat,
        money_text=money_text,
        # After the deadline the money stays; handing the seat over is the way out.
        offer_transfer=money_key in ("cancel_no_refund", "cancel_no_refund_invoice"),
        on_behalf=False,
        action=url_for("registration.cancel", reg_id=reg.id),
        back=url_for("registration.mine"),
    )


@bp.route("/account/registrations/<int:reg_id>/needs", methods=["GET", "POST"])
@login_required
def needs(reg_id):
    """The participant changes the dietary and accessibility needs they gave."""
    reg = _own(reg_id)
    if not needs_editable(reg.state, reg.event.ends_at, utcnow()):
        flash(error_message("needs_closed"), "info")
        return redirect(url_for("registration.mine"))
    form = NeedsForm(obj=reg)
    if form.validate_on_submit():
        try:
            reg_ops.update_needs(
                reg.id,
                form.dietary_needs.data or "",
                form.accessibility_needs.data or "",
                current_user._get_current_object(),
            )
        except reg_ops.RegistrationError as exc:
            db.session.rollback()
            flash(error_message(exc.code), "error")
        else:
            flash(_("Your needs for %(title)s are saved.", title=reg.event.title), "success")
        return redirect(url_for("registration.mine", _anchor=f"reg-{reg.id}"))
    status = 422 if form.errors else 200
    return render_template("registration/needs.html", reg=reg, event=reg.event, form=form), status


# --- the organisers -------------------------------------------------------------------


@dataclass
class Row:
    reg: Registration
    position: int | None
    fee_due: int
    affiliation: AffiliationForm | None = None
    waive: WaiveFeeForm | None = None
    # Others wait in the same tier: the row links to the move page (a select of the
    # whole waiting list per row made the page grow with its square).
    movable: bool = False
    has_errors: bool = False
    payment: str = ""


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def _registration(event: Event, reg_id: int) -> Registration:
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id:
        abort(404)
    return reg


def _all_registrations(event: Event) -> list[Registration]:
    return reg_ops.all_registrations(event.id)


def _listed(event: Event) -> tuple[list[Registration], list[Registration], dict[int, int]]:
    return reg_ops.participant_list(event.id)


def _owner_choices(event: Event) -> list[tuple]:
    day = local_date(event.starts_at)
    owners = [f for f in org_ops.organisation_facts() if f.contributes_on(day)]
    return [(o.id, o.name) for o in sorted(owners, key=lambda o: o.name)]


class _RowChoices:
    """The choices of the row forms, built once per page: the move page's select
    offers the others waiting in the person's tier, every affiliation select the
    owners (the rows' selects share one widget, which renders every option once)."""

    def __init__(self, listed: list[Registration], places: dict[int, int], owners: list[tuple]):
        self.places = places
        self.owners = [("", _("— choose —"))] + owners
        self.front = ("front", _("First among those with the same priority tier"))
        self.waiting: dict[int, list[tuple[int, tuple[str, str]]]] = {}
        for r in listed:
            if r.state in WAITING:
                self.waiting.setdefault(r.tier, []).append(
                    (r.id, (str(r.id), f"{places.get(r.id, '')}. {r.name or r.email}"))
                )
        self.owner_widget = SharedOptions()

    def move(self, reg: Registration) -> list[tuple]:
        others = [choice for rid, choice in self.waiting.get(reg.tier, []) if rid != reg.id]
        return [self.front, *others]


def _row_forms(event: Event, reg: Registration, page: _RowChoices, given: dict) -> Row:
    row = Row(reg, page.places.get(reg.id), reg_ops.fee_due(event, reg))
    row.payment = listing.payment_stage(reg)
    actions = reg_ops.row_actions(event, reg)
    if "confirm_affiliation" in actions and len(page.owners) > 1:
        row.affiliation = given.get("affiliation") or AffiliationForm(reg.id, formdata=None)
        row.affiliation.organisation.choices = page.owners
        row.affiliation.organisation.widget = page.owner_widget
    if "waive_fee" in actions:
        row.waive = given.get("waive") or WaiveFeeForm(reg.id, formdata=None)
    if "move" in actions:
        row.movable = len(page.waiting.get(reg.tier, [])) > 1
    row.has_errors = any(f.errors for f in given.values())
    return row


def _participants_page(event: Event, status: int = 200, behalf=None, message=None, given=None):
    listed, cancelled, places = _listed(event)
    owners = _owner_choices(event)
    given = given or {}
    filters = listing.ParticipantFilterForm(formdata=request.args)
    shown = [
        reg
        for reg in (cancelled if filters.state.data == "cancelled" else listed)
        if listing.matches(reg, filters)
    ]
    page = _RowChoices(listed, places, owners)
    rows = [_row_forms(event, reg, page, given.get(reg.id, {})) for reg in shown]
    held = sum(1 for r in listed if r.state in SEAT_HOLDING)
    waiting = sum(1 for r in listed if r.state in WAITING)
    confirmed = sum(1 for r in listed if r.state in (State.CONFIRMED, State.ATTENDED))
    return render_template(
        "registration/participants.html",
        event=event,
        started=utcnow() >= event.starts_at,
        rows=rows,
        total=len(listed),
        filters=filters,
        attendance=listing.attendance(listed),
        payment_labels=listing.PAYMENT_LABELS,
        cancelled=cancelled,
        held=held,
        waiting=waiting,
        confirmed=confirmed,
        behalf=behalf or BehalfForm(formdata=None, locale=event.language),
        message=message or MessageForm(formdata=None),
        row_forms_with_errors=[f for forms in given.values() for f in forms.values() if f.errors],
        # A host (organiser rights for this event only) sees the list, exports it,
        # writes to the participants and records attendance; the rest is the
        # organisers'.
        full_rights=current_user.has_role(Role.organiser),
    ), status


def _back(event: Event, reg: Registration | None = None):
    anchor = f"reg-{reg.id}" if reg is not None else None
    # Back to the same filtered list (the row forms post with the list's filters).
    kept = {k: v for k in ("state", "payment", "needs") if (v := request.args.get(k))}
    return redirect(url_for("registration.participants", event_id=event.id, _anchor=anchor, **kept))


@bp.route("/organiser/events/<int:event_id>/participants")
@event_organiser_required
def participants(event_id):
    return _participants_page(_event(event_id))


@bp.route("/organiser/events/<int:event_id>/participants.<any(csv, xlsx):fmt>")
@event_organiser_required
@writes_database  # notes the download (see exports.download)
def participants_file(event_id, fmt):
    return exports.download(_event(event_id), fmt)


@bp.route("/organiser/events/<int:event_id>/participants/register", methods=["POST"])
@role_required(Role.organiser)
def register_on_behalf(event_id):
    event = _event(event_id)
    form = BehalfForm()
    if not form.validate_on_submit():
        return _participants_page(event, 422, behalf=form)
    person = reg_ops.Person(
        email=form.email.data,
        name=form.name.data.strip(),
        vouched=True,
        locale=form.locale.data,
    )
    try:
        reg = reg_ops.register(
            event.id,
            person,
            current_user._get_current_object(),
            dietary_needs=form.dietary_needs.data or "",
            accessibility_needs=form.accessibility_needs.data or "",
            waive_fee=form.waive_fee.data,
            override=form.override.data,
        )
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        form.email.errors = [*form.email.errors, error_message(exc.code, on_behalf=True)]
        return _participants_page(_event(event_id), 422, behalf=form)
    flash(outcome_message(reg, on_behalf=True), "success")
    if reg.over_capacity:
        flash(_("The place goes beyond the event's capacity."), "warning")
    return _back(event, reg)


@bp.route("/organiser/events/<int:event_id>/participants/message", methods=["POST"])
@event_organiser_required
def message_participants(event_id):
    event = _event(event_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _participants_page(event, 422, message=form)
    if request.form.get("edit"):
        return _participants_page(event, message=form)
    if request.form.get("confirm") != "1":
        return _message_preview(event, form)
    count = reg_ops.message_participants(
        event.id, form.subject.data, form.message.data, current_user._get_current_object()
    )
    if count:
        flash(_("E-mails sent to confirmed participants: %(n)d.", n=count), "success")
    else:
        flash(_("There are no confirmed participants to send the message to."), "warning")
    return _back(event)


def _message_preview(event: Event, form: MessageForm):
    """The e-mail as the first recipient will read it, and who gets it; sending takes
    one more click."""
    recipients = preview.message_recipients(event)
    if not recipients:
        flash(_("There are no confirmed participants to send the message to."), "warning")
        return _back(event)
    subject, body = preview.message_as_read_by(recipients[0], form.subject.data, form.message.data)
    return render_template(
        "registration/message_preview.html",
        event=event,
        form=form,
        recipients=recipients,
        subject=subject,
        body=body,
    )


def _row_action(event_id: int, reg_id: int, form_class, key: str, operation):
    """Validate one row's form and run its operation; on invalid input the list is
    shown again with that row's form open and its errors."""
    event = _event(event_id)
    reg = _registration(event, reg_id)
    form = form_class(reg.id)
    if key == "affiliation":
        form.organisation.choices = [("", _("— choose —"))] + _owner_choices(event)
    if not form.validate_on_submit():
        return _participants_page(event, 422, given={reg.id: {key: form}})
    return _act_and_go_back(event, reg, lambda: operation(reg, form))


@bp.route(
    "/organiser/events/<int:event_id>/participants/<int:reg_id>/affiliation", methods=["POST"]
)
@role_required(Role.organiser)
def confirm_affiliation(event_id, reg_id):
    def run(reg, form):
        reg_ops.confirm_affiliation(
            reg.id, form.organisation.data, current_user._get_current_object()
        )
        return _(
            "%(name)s is confirmed as staff of %(org)s and has priority.",
            name=reg.name or reg.email,
            org=dict(form.organisation.choices).get(form.organisation.data, ""),
        )

    return _row_action(event_id, reg_id, AffiliationForm, "affiliation", run)


@bp.route("/organiser/events/<int:event_id>/participants/<int:reg_id>/waive-fee", methods=["POST"])
@role_required(Role.organiser)
def waive_fee(event_id, reg_id):
    def run(reg, form):
        reg_ops.waive_fee(
            reg.id, current_user._get_current_object(), (form.reason.data or "").strip()
        )
        return _("The fee is waived for %(name)s.", name=reg.name or reg.email)

    return _row_action(event_id, reg_id, WaiveFeeForm, "waive", run)


def _act_and_go_back(event: Event, reg: Registration, act: Callable[[], str]):
    """Run an organiser's action on one registration (`act` returns what to say when
    it is done), say how it went, and go back to the person's row in the list."""
    try:
        done = act()
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        flash(error_message(exc.code, on_behalf=True), "error")
    else:
        flash(done, "success")
    return _back(event, reg)


@bp.route(
    "/organiser/events/<int:event_id>/participants/<int:reg_id>/move", methods=["GET", "POST"]
)
@role_required(Role.organiser)
def move(event_id, reg_id):
    """A page of its own for moving one person on the waiting list: where to (before
    whom in the same tier, or first) and why."""
    event = _event(event_id)
    reg = _registration(event, reg_id)
    listed, _cancelled, places = _listed(event)
    form = MoveForm(reg.id)
    form.before.choices = _RowChoices(listed, places, []).move(reg)
    back = url_for("registration.participants", event_id=event.id, _anchor=f"reg-{reg.id}")
    if "move" not in reg_ops.row_actions(event, reg) or len(form.before.choices) < 2:
        flash(error_message("not_waiting", on_behalf=True), "info")
        return redirect(back)
    if request.method == "POST" and form.validate_on_submit():

        def act():
            before = None if form.before.data == "front" else int(form.before.data)
            reg_ops.move(reg.id, before, form.reason.data, current_user._get_current_object())
            return _("%(name)s is moved on the waiting list.", name=reg.name or reg.email)

        return _act_and_go_back(event, reg, act)
    status = 422 if form.errors else 200
    return (
        render_template(
            "registration/move.html",
            event=event,
            reg=reg,
            place=places.get(reg.id),
            form=form,
            back=back,
        ),
        status,
    )


@bp.route("/organiser/events/<int:event_id>/participants/<int:reg_id>/attendance", methods=["POST"])
@event_organiser_required
def attendance(event_id, reg_id):
    event = _event(event_id)
    reg = _registration(event, reg_id)
    attended = request.form.get("attendance") == "attended"
    try:
        reg_ops.mark_attendance(reg.id, attended, current_user._get_current_object())
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        flash(error_message(exc.code, on_behalf=True), "error")
    else:
        name = reg.name or reg.email
        flash(
            _("%(name)s attended.", name=name)
            if attended
            else _("%(name)s did not come.", name=name),
            "success",
        )
    return _back(event, reg)


@bp.route(
    "/organiser/events/<int:event_id>/participants/<int:reg_id>/cancel", methods=["GET", "POST"]
)
@role_required(Role.organiser)
def cancel_for(event_id, reg_id):
    event = _event(event_id)
    reg = _registration(event, reg_id)
    if request.method == "POST":

        def act():
            reg_ops.cancel(reg.id, current_user._get_current_object())
            return _("The registration of %(name)s is cancelled.", name=reg.name or reg.email)

        return _act_and_go_back(event, reg, act)
    if not reg.is_active:
        flash(error_message("not_active"), "info")
        return _back(event, reg)
    return render_template(
        "registration/cancel.html",
        reg=reg,
        event=event,
        fee=reg_ops.fee_due(event, reg),
        others_waiting=reg_ops.counts(event.id)[1] > 0,
        on_behalf=True,
        action=url_for("registration.cancel_for", event_id=event.id, reg_id=reg.id),
        back=url_for("registration.participants", event_id=event.id, _anchor=f"reg-{reg.id}"),
    )
