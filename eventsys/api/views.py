"""API endpoints: check access, take the parsed body, call one operation, answer.

Bodies are parsed and validated by the schemas named in `@bp.arguments`; answers are
written by the schema in `@bp.response`; both make the OpenAPI document."""

from __future__ import annotations

from functools import wraps

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsys.api import bp, links, requires, requires_event_organiser
from eventsys.api import schemas as s
from eventsys.api.errors import ApiError, bad_request, forbidden, not_found
from eventsys.api.openapi import document
from eventsys.auth.access import organises
from eventsys.auth.models import Role
from eventsys.database import writes_database
from eventsys.events import operations as event_ops
from eventsys.events.messages import MESSAGES as event_messages
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.messages import field_message
from eventsys.organisations import operations as org_ops
from eventsys.organisations.messages import MESSAGES as org_messages
from eventsys.organisations.models import Organisation
from eventsys.payments import operations as payment_ops
from eventsys.payments.messages import MESSAGES as payment_messages
from eventsys.registration import operations as reg_ops
from eventsys.registration.messages import MESSAGES as reg_messages
from eventsys.registration.models import Registration

# Where an event's or a registration's id leads (OpenAPI links).
EVENT_OPERATIONS = (
    "get_event",
    "update_event",
    "delete_event",
    "list_registrations",
    "create_registration",
    "export_participants",
    "message_participants",
)
REGISTRATION_OPERATIONS = (
    "get_registration",
    "cancel_registration",
    "accept_offer",
    "decline_offer",
    "move_registration",
    "waive_fee",
    "confirm_affiliation",
    "mark_attendance",
    "checkout",
    "choose_invoice",
)


def _user():
    return g.api_user


def _is_organiser() -> bool:
    return _user().has_role(Role.organiser)


def _registration_error(exc: reg_ops.RegistrationError) -> ApiError:
    return ApiError(exc.status, exc.code, reg_messages(exc.code, on_behalf=_is_organiser()))


def _payment_error(exc: payment_ops.PaymentError) -> ApiError:
    return ApiError(exc.status, exc.code, payment_messages(exc.code))


def _event_error(exc: event_ops.EventError) -> ApiError:
    field, code = exc.problems[0]
    return ApiError(
        exc.status,  # 409 when the event's state forbids it
        code,
        field_message(field, code, event_messages),
        {"field": field, "problems": [{"field": f, "code": c} for f, c in exc.problems]},
    )


# --- OpenAPI ---------------------------------------------------------------------------


@bp.route("/openapi.json")
@bp.doc(
    summary="This document (no token needed)",
    responses={
        "200": {
            "description": "The OpenAPI 3.1 document",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def openapi():
    return document()


# --- organisations ---------------------------------------------------------------------


@bp.route("/organisations", methods=["GET"])
@requires(Role.organiser, Role.finance)
@bp.response(200, s.OrganisationList)
@bp.doc(summary="All organisations (organisers, finance)")
def list_organisations():
    orgs = db.session.scalars(
        select(Organisation)
        .options(selectinload(Organisation.domains), selectinload(Organisation.ownerships))
        .order_by(Organisation.name)
    ).all()
    return {"organisations": orgs}


@bp.route("/organisations", methods=["POST"])
@requires(Role.admin)
@bp.arguments(s.OrganisationInput)
@bp.response(201, s.Organisation)
@bp.doc(summary="Create an organisation with ownership periods (admin)")
def create_organisation(data):
    try:
        org = org_ops.create_organisation(
            data["name"], data["kind"], data.get("org_number"), data["domains"]
        )
        for period in data["ownerships"]:
            org_ops.add_ownership(
                org,
                period["role"],
                period["valid_from"],
                period.get("valid_to"),
                period.get("staff_band"),
            )
        if data.get("invoice_address"):
            address = data["invoice_address"]
            org_ops.set_invoice_address(
                org,
                address["email"],
                address["lines"],
                address["postcode"],
                address["city"],
                address["reference"],
                address["peppol_id"],
            )
    except org_ops.OrganisationError as exc:
        message = org_messages(exc.code, detail=exc.detail)
        raise ApiError(
            400, exc.code, f"{exc.field}: {message}" if exc.field else message, {"field": exc.field}
        ) from exc
    return org


# --- events ----------------------------------------------------------------------------


def _event_values(data: dict) -> dict:
    values = {name: value for name, value in data.items() if name != "status"}
    if (
        values.get("host_organisation_id") is not None
        and db.session.get(Organisation, values["host_organisation_id"]) is None
    ):
        field = "host_organisation_id"
        raise bad_request(
            "invalid_reference",
            field_message(field, "organisation_not_found", reg_messages),
            field=field,
        )
    return values


def _visible_event(event_id: int) -> Event:
    event = event_ops.visible_event(event_id, _user())
    if event is None:
        raise not_found(reg_messages("event_not_found"))
    return event


@bp.route("/events", methods=["GET"])
@bp.arguments(s.EventFilter, location="query")
@bp.response(200, s.EventList)
@bp.doc(summary="Events (drafts for organisers only)")
@links(200, "event_id", *EVENT_OPERATIONS, value="$response.body#/events/0/id")
def list_events(args):
    query = select(Event).order_by(Event.starts_at)
    if not _is_organiser():
        query = query.where(Event.status != EventStatus.draft)
    if args.get("status"):
        query = query.where(Event.status == EventStatus(args["status"]))
    events = db.session.scalars(query).all()
    event_ids = [e.id for e in events]
    s.online_links_known(reg_ops.events_with_online_link(_user(), event_ids))
    s.counts_known(reg_ops.seat_counts(event_ids))
    return {"events": events}


@bp.route("/events", methods=["POST"])
@requires(Role.organiser)
@bp.arguments(s.EventCreate)
@bp.response(201, s.Event)
@bp.doc(summary="Create an event (organisers); a draft unless status is given")
@links(201, "event_id", *EVENT_OPERATIONS)
def create_event(data):
    values = _event_values(data)
    try:
        event = event_ops.create_event(values, _user(), status=data.get("status") or "draft")
    except event_ops.EventError as exc:
        raise _event_error(exc) from exc
    return event


@bp.route("/events/<int:event_id>", methods=["GET"])
@bp.response(200, s.Event)
@bp.doc(summary="One event")
def get_event(event_id):
    return _visible_event(event_id)


@bp.route("/events/<int:event_id>", methods=["PATCH"])
@requires(Role.organiser)
@bp.arguments(s.EventChange)
@bp.response(200, s.Event)
@bp.doc(
    summary="Change, publish or cancel an event (organisers)",
    description="Raised capacity offers the new seats; lowered capacity bumps nobody and "
    "answers a warning.",
)
def update_event(data, event_id):
    _visible_event(event_id)
    values = _event_values(data)
    status = data.get("status")
    over_by = 0
    try:
        event, over_by = reg_ops.update_event(event_id, values, _user())
        if status == "published":
            event_ops.publish(event, _user())
        elif status == "cancelled":
            reg_ops.cancel_event(event_id, _user())
        elif status == "draft" and event.status != EventStatus.draft:
            raise bad_request("invalid_transition", event_messages("to_draft"))
    except event_ops.EventError as exc:
        raise _event_error(exc) from exc
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    if over_by:
        g.api_warnings = [
            {"code": "over_capacity", "message": event_messages("over_capacity", n=over_by)}
        ]
    return event


@bp.route("/events/<int:event_id>", methods=["DELETE"])
@requires(Role.organiser)
@bp.response(204)
@bp.doc(summary="Delete a draft without registrations (organisers)")
def delete_event(event_id):
    """Anything published is cancelled instead."""
    event = _visible_event(event_id)
    try:
        reg_ops.delete_draft(event)
    except event_ops.EventError as exc:
        code = exc.problems[0][1]
        raise ApiError(409, code, event_messages(code)) from exc
    return None


def checked_first(check):
    """Run `check(reg_id)` before the body is read: nobody learns from a validation
    error about a registration they may not touch."""

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            check(kwargs["reg_id"])
            return view(*args, **kwargs)

        return checked

    return decorator


def _organising(reg_id: int) -> Registration:
    """The registration, for those who organise its event (organisers and that event's
    hosts, auth.access.organises). Its participant gets 403; anyone else 404, so
    nobody learns that someone else's registration exists."""
    reg = db.session.get(Registration, reg_id)
    if reg is not None and organises(_user(), reg.event_id):
        return reg
    if reg is not None and reg_ops.is_owner(reg, _user()):
        raise forbidden()
    raise not_found(reg_messages("registration_not_found"))


@bp.route("/registrations/<int:reg_id>/attendance", methods=["POST"])
@checked_first(_organising)
@bp.arguments(s.Attendance)
@bp.response(200, s.Registration)
@bp.doc(
    summary="After the start: mark a confirmed participant as attended or not "
    "(organisers and the event's hosts)"
)
def mark_attendance(data, reg_id):
    try:
        reg = reg_ops.mark_attendance(reg_id, data["attended"], _user())
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


# --- registrations ---------------------------------------------------------------------


@bp.route("/events/<int:event_id>/registrations", methods=["GET"])
@requires_event_organiser
@bp.response(200, s.RegistrationList)
@bp.doc(summary="The participant list (organisers)")
@links(200, "reg_id", *REGISTRATION_OPERATIONS, value="$response.body#/registrations/0/id")
def list_registrations(event_id):
    _visible_event(event_id)
    regs = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.payment))
        .order_by(Registration.id)
    ).all()
    return {"registrations": regs}


@bp.route("/events/<int:event_id>/registrations", methods=["POST"])
@bp.arguments(s.RegistrationInput)
@bp.response(201, s.Registration)
@bp.doc(summary="Register yourself, or (organisers) someone on their behalf")
@links(201, "reg_id", *REGISTRATION_OPERATIONS)
def create_registration(data, event_id):
    user = _user()
    email = data.get("email")
    name = data.get("name") or ""
    extras = {
        "dietary_needs": data.get("dietary_needs") or "",
        "accessibility_needs": data.get("accessibility_needs") or "",
    }
    if _is_organiser() and email and email.lower() != user.email:
        person = reg_ops.Person(
            email=email,
            name=" ".join(name.split()),
            vouched=True,
            locale=data.get("locale") or "nb",
        )
        extras["override"] = data.get("override") is True
        extras["waive_fee"] = data.get("waive_fee") is True
    else:
        if email and email.lower() != user.email:
            raise forbidden(reg_messages("register_only_yourself"))
        person = reg_ops.Person(email=user.email, name=name or user.name, user=user)
    try:
        reg = reg_ops.register(event_id, person, user, **extras)
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


@bp.route("/events/<int:event_id>/participants.<any(csv, xlsx):fmt>", methods=["GET"])
@requires_event_organiser
@bp.doc(
    summary="The participant list with dietary and accessibility needs (organisers)",
    description="CSV: semicolon-separated UTF-8 with BOM, decimal comma; XLSX: a workbook.",
    responses={
        "200": {
            "description": "The list",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
@writes_database  # notes the download (see exports.download)
def export_participants(event_id, fmt):
    from eventsys.registration import exports

    return exports.download(_visible_event(event_id), fmt)


@bp.route("/events/<int:event_id>/messages", methods=["POST"])
@requires_event_organiser
@bp.arguments(s.Message)
@bp.response(200, s.Sent)
@bp.doc(summary="E-mail the confirmed participants (organisers)")
def message_participants(data, event_id):
    _visible_event(event_id)
    for field in ("subject", "message"):
        if not data[field].strip():
            raise bad_request("missing_field", field=field)
    subject, message = data["subject"], data["message"]
    return {"sent": reg_ops.message_participants(event_id, subject, message, _user())}


def _own_or_organiser(reg_id: int) -> Registration:
    try:
        return reg_ops.registration_for(reg_id, _user(), Role.organiser)
    except reg_ops.RegistrationError as exc:
        raise not_found(reg_messages("registration_not_found")) from exc


def _registration_answer(reg: Registration) -> Registration:
    db.session.flush()  # the waiting-list places count the change
    # One registration's place is a count, not the whole list (schemas._per_request).
    g.setdefault("api_answer_cache", {})["positions", reg.event_id] = {
        reg.id: reg_ops.position_of(reg)
    }
    return reg


def _own(reg_id: int) -> Registration:
    """Answering an offer is the participant's own act (DESIGN); an organiser may
    cancel for them or arrange payment (checkout, invoice) for someone they registered."""
    try:
        return reg_ops.registration_for(reg_id, _user())
    except reg_ops.RegistrationError as exc:
        raise not_found(reg_messages("registration_not_found")) from exc


@bp.route("/registrations/<int:reg_id>", methods=["GET"])
@bp.response(200, s.Registration)
@bp.doc(summary="One registration (its participant or an organiser)")
def get_registration(reg_id):
    return _registration_answer(_own_or_organiser(reg_id))


def _registration_action(reg_id: int, operation, check=_own_or_organiser):
    check(reg_id)
    try:
        reg = operation(reg_id, _user())
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


@bp.route("/registrations/<int:reg_id>/cancel", methods=["POST"])
@bp.response(200, s.Registration)
@bp.doc(summary="Cancel; the seat is offered to the next in line")
def cancel_registration(reg_id):
    return _registration_action(reg_id, reg_ops.cancel)


@bp.route("/registrations/<int:reg_id>/accept", methods=["POST"])
@bp.response(200, s.Registration)
@bp.doc(summary="Accept an offer before its deadline")
def accept_offer(reg_id):
    return _registration_action(reg_id, reg_ops.accept_offer, check=_own)


@bp.route("/registrations/<int:reg_id>/decline", methods=["POST"])
@bp.response(200, s.Registration)
@bp.doc(summary="Decline an offer")
def decline_offer(reg_id):
    return _registration_action(reg_id, reg_ops.decline_offer, check=_own)


@bp.route("/registrations/<int:reg_id>/move", methods=["POST"])
@requires(Role.organiser)
@bp.arguments(s.Move)
@bp.response(200, s.Registration)
@bp.doc(summary="Move a waiting registration before another of its tier (organisers)")
def move_registration(data, reg_id):
    _own_or_organiser(reg_id)
    try:
        reg = reg_ops.move(reg_id, data.get("before_registration_id"), data["reason"], _user())
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


@bp.route("/registrations/<int:reg_id>/waive-fee", methods=["POST"])
@requires(Role.organiser)
@bp.arguments(s.WaiveFee, required=False)
@bp.response(200, s.Registration)
@bp.doc(summary="Waive the fee (organisers)")
def waive_fee(data, reg_id):
    _own_or_organiser(reg_id)
    try:
        reg = reg_ops.waive_fee(reg_id, _user(), data.get("reason") or "")
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


@bp.route("/registrations/<int:reg_id>/confirm-affiliation", methods=["POST"])
@requires(Role.organiser)
@bp.arguments(s.ConfirmAffiliation)
@bp.response(200, s.Registration)
@bp.doc(summary="Confirm the person works at an owner organisation: tier 1 (organisers)")
def confirm_affiliation(data, reg_id):
    _own_or_organiser(reg_id)
    try:
        reg = reg_ops.confirm_affiliation(reg_id, data["organisation_id"], _user())
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


@bp.route("/registrations/<int:reg_id>/checkout", methods=["POST"])
@bp.response(200, s.Checkout)
@bp.doc(summary="Start a Stripe Checkout for the fee: {url, session_id}")
def checkout(reg_id):
    _own_or_organiser(reg_id)
    try:
        session = payment_ops.start_checkout(reg_id)
    except payment_ops.PaymentError as exc:
        raise _payment_error(exc) from exc
    return {"url": session.url, "session_id": session.stripe_session_id}


@bp.route("/registrations/<int:reg_id>/invoice", methods=["POST"])
@checked_first(_own_or_organiser)
@bp.arguments(s.InvoiceChoice)
@bp.response(201, s.Invoice)
@bp.doc(
    summary="Pay by invoice instead of card",
    description="org_number, reference, and recipient_email or recipient_address. "
    "Answers the invoice (number, KID, due date).",
)
def choose_invoice(data, reg_id):
    try:
        invoice = payment_ops.choose_invoice(
            reg_id,
            data["org_number"],
            data["reference"],
            data.get("recipient_email") or "",
            data.get("recipient_address") or "",
            data.get("organisation_name") or "",
        )
    except payment_ops.PaymentError as exc:
        raise _payment_error(exc) from exc
    return invoice
