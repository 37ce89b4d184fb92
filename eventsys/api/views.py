"""API endpoints: check access, read the body strictly, call one operation, answer JSON."""

from __future__ import annotations

from flask import g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsys.api import bp, parsing
from eventsys.api.errors import ApiError, bad_request, forbidden, not_found
from eventsys.api.openapi import document
from eventsys.api.serializers import event_json, invoice_json, organisation_json, registration_json
from eventsys.auth.models import Role
from eventsys.events import operations as event_ops
from eventsys.events import rules as event_rules
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.organisations import operations as org_ops
from eventsys.organisations.models import Organisation
from eventsys.payments import operations as payment_ops
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration

EVENT_TIME_FIELDS = (
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "priority_deadline",
    "cancellation_deadline",
)
EVENT_TEXT_FIELDS = {"title": 200, "description": 20000, "venue": 300, "online_url": 500}
EVENT_INT_FIELDS = ("capacity", "fee", "payment_days", "offer_hours", "host_organisation_id")
REQUIRED_ON_CREATE = (
    "title",
    "kind",
    "format",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
)

PAYMENT_MESSAGES = {
    "nothing_to_pay": "There is nothing to pay for this registration.",
    "already_paid": "The registration is paid already.",
    "already_invoiced": "An invoice has been chosen for this registration already.",
    "seat_not_held": "The registration does not hold a seat.",
    "card_unavailable": "Card payment is not configured; choose invoice.",
    "stripe_unavailable": "Stripe could not be reached; try again.",
    "org_number_not_digits": "An organisation number has digits only.",
    "org_number_wrong_length": "An organisation number has exactly 9 digits.",
    "org_number_wrong_start": "A Norwegian organisation number starts with 8 or 9.",
    "org_number_check_digit": "The organisation number's check digit does not match.",
    "reference_required": "An invoice reference is required.",
    "recipient_required": "Give recipient_email or recipient_address.",
}

ERROR_MESSAGES = {
    "event_not_found": "No such event.",
    "registration_not_found": "No such registration.",
    "event_not_open": "The event is not open for registration.",
    "registration_closed": "Registration for this event is closed.",
    "already_registered": "This person already has an active registration for the event.",
    "event_started": "The event has started; the registration can no longer be changed.",
    "not_active": "The registration is not active.",
    "not_offered": "There is no open offer for this registration.",
    "offer_expired": "The offer has expired.",
    "not_waiting": "Only a waiting registration can be moved.",
    "reason_required": "A reason is required.",
    "move_target_invalid": "The registration to move before is not waiting in the same tier.",
    "organisation_not_found": "No such organisation.",
    "organisation_not_owner": "The organisation is not an owner on the event's date.",
    "event_not_started": "Attendance is recorded once the event has started.",
    "not_confirmed": "Only a confirmed participant can be marked as attended.",
}


def _user():
    return g.api_user


def _is_organiser() -> bool:
    return _user().has_role(Role.organiser)


def _require(*roles: Role) -> None:
    if not _user().has_role(*roles):
        raise forbidden()


def _registration_error(exc: reg_ops.RegistrationError) -> ApiError:
    return ApiError(exc.status, exc.code, ERROR_MESSAGES.get(exc.code, exc.code))


def _event_error(exc: event_ops.EventError) -> ApiError:
    field, code = exc.problems[0]
    return bad_request(
        code,
        f"'{field}' is not valid ({code}).",
        problems=[{"field": f, "code": c} for f, c in exc.problems],
    )


# --- OpenAPI ---------------------------------------------------------------------------


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())


# --- organisations ---------------------------------------------------------------------


@bp.route("/organisations", methods=["GET"])
def list_organisations():
    _require(Role.organiser, Role.finance)
    orgs = db.session.scalars(
        select(Organisation)
        .options(selectinload(Organisation.domains), selectinload(Organisation.ownerships))
        .order_by(Organisation.name)
    ).all()
    return jsonify({"organisations": [organisation_json(o) for o in orgs]})


@bp.route("/organisations", methods=["POST"])
def create_organisation():
    _require(Role.admin)
    data = parsing.body()
    name = parsing.string(data, "name", max_length=200)
    kind = parsing.choice(data, "kind", ("institution", "welfare_org", "other"))
    org_number = parsing.string(data, "org_number", required=False, max_length=30)
    domains = data.get("domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise bad_request("invalid_type", "'domains' must be a list of strings.", field="domains")
    periods = data.get("ownerships", [])
    if not isinstance(periods, list) or not all(isinstance(p, dict) for p in periods):
        raise bad_request(
            "invalid_type", "'ownerships' must be a list of objects.", field="ownerships"
        )
    try:
        org = org_ops.create_organisation(name, kind, org_number, domains)
        for period in periods:
            org_ops.add_ownership(
                org,
                parsing.choice(period, "role", ("owner", "observer")),
                parsing.a_date(period, "valid_from"),
                parsing.a_date(period, "valid_to", required=False),
                parsing.choice(
                    period,
                    "staff_band",
                    ("0-500", "501-1000", "1001-2000", "2000+"),
                    required=False,
                ),
            )
    except org_ops.OrganisationError as exc:
        message = exc.detail or exc.code.replace("_", " ")
        raise bad_request(exc.code, f"{exc.field}: {message}", field=exc.field) from exc
    return jsonify(organisation_json(org)), 201


# --- events ----------------------------------------------------------------------------


def _event_values(data: dict, creating: bool) -> dict:
    values: dict = {}
    for name in REQUIRED_ON_CREATE if creating else ():
        if data.get(name) is None:
            raise bad_request("missing_field", f"'{name}' is required.", field=name)
    for name in EVENT_TIME_FIELDS:
        if name in data:
            values[name] = parsing.aware_datetime(data, name, required=False)
    for name, length in EVENT_TEXT_FIELDS.items():
        if name in data:
            values[name] = parsing.string(data, name, required=False, max_length=length) or ""
    for name in EVENT_INT_FIELDS:
        if name in data:
            values[name] = parsing.integer(data, name, required=False)
    if "kind" in data:
        values["kind"] = parsing.choice(data, "kind", event_rules.KINDS)
    if "format" in data:
        values["format"] = parsing.choice(data, "format", event_rules.FORMATS)
    if "language" in data:
        values["language"] = parsing.choice(data, "language", ("nb", "en"))
    if (
        values.get("host_organisation_id") is not None
        and db.session.get(Organisation, values["host_organisation_id"]) is None
    ):
        raise bad_request(
            "invalid_reference", "No such host organisation.", field="host_organisation_id"
        )
    return values


def _visible_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or (event.status == EventStatus.draft and not _is_organiser()):
        raise not_found("event")
    return event


@bp.route("/events", methods=["GET"])
def list_events():
    query = select(Event).order_by(Event.starts_at)
    if not _is_organiser():
        query = query.where(Event.status != EventStatus.draft)
    status = request.args.get("status")
    if status:
        if status not in ("draft", "published", "cancelled"):
            raise bad_request("invalid_choice", "'status' must be draft, published or cancelled.")
        query = query.where(Event.status == EventStatus(status))
    return jsonify({"events": [event_json(e) for e in db.session.scalars(query)]})


@bp.route("/events", methods=["POST"])
def create_event():
    _require(Role.organiser)
    data = parsing.body()
    values = _event_values(data, creating=True)
    status = parsing.choice(data, "status", ("draft", "published"), required=False) or "draft"
    try:
        event = event_ops.create_event(values, _user(), status=status)
    except event_ops.EventError as exc:
        raise _event_error(exc) from exc
    return jsonify(event_json(event)), 201


@bp.route("/events/<int:event_id>", methods=["GET"])
def get_event(event_id):
    return jsonify(event_json(_visible_event(event_id)))


@bp.route("/events/<int:event_id>", methods=["PATCH"])
def update_event(event_id):
    _require(Role.organiser)
    _visible_event(event_id)
    data = parsing.body()
    values = _event_values(data, creating=False)
    status = parsing.choice(data, "status", ("draft", "published", "cancelled"), required=False)
    over_by = 0
    try:
        event, over_by = reg_ops.update_event(event_id, values, _user())
        if status == "published":
            event_ops.publish(event, _user())
        elif status == "cancelled":
            reg_ops.cancel_event(event_id, _user())
        elif status == "draft" and event.status != EventStatus.draft:
            raise bad_request(
                "invalid_transition", "A published or cancelled event cannot become a draft."
            )
    except event_ops.EventError as exc:
        raise _event_error(exc) from exc
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    body = event_json(event)
    if over_by:
        body["warnings"] = [
            {
                "code": "over_capacity",
                "message": f"{over_by} more seat(s) are held than the new capacity; nobody was cancelled.",
            }
        ]
    return jsonify(body)


@bp.route("/events/<int:event_id>", methods=["DELETE"])
def delete_event(event_id):
    """Delete a draft (organisers); anything published is cancelled instead."""
    _require(Role.organiser)
    event = _visible_event(event_id)
    try:
        event_ops.delete_draft(event)
    except event_ops.EventError as exc:
        code = exc.problems[0][1]
        raise ApiError(409, code, "Only a draft without registrations can be deleted.") from exc
    return "", 204


@bp.route("/registrations/<int:reg_id>/attendance", methods=["POST"])
def mark_attendance(reg_id):
    """After the start: {"attended": true|false} for a confirmed participant (organisers)."""
    _require(Role.organiser)
    data = parsing.body()
    attended = data.get("attended")
    if not isinstance(attended, bool):
        raise bad_request("invalid_type", "'attended' must be true or false.", field="attended")
    _own_or_organiser(reg_id)
    try:
        reg = reg_ops.mark_attendance(reg_id, attended, _user())
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


# --- registrations ---------------------------------------------------------------------


@bp.route("/events/<int:event_id>/registrations", methods=["GET"])
def list_registrations(event_id):
    _require(Role.organiser)
    _visible_event(event_id)
    regs = db.session.scalars(
        select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
    ).all()
    places = reg_ops.positions(event_id)
    return jsonify({"registrations": [registration_json(r, places.get(r.id)) for r in regs]})


@bp.route("/events/<int:event_id>/registrations", methods=["POST"])
def create_registration(event_id):
    data = parsing.body()
    user = _user()
    email = parsing.string(data, "email", required=False, max_length=320)
    name = parsing.string(data, "name", required=False, max_length=200) or ""
    extras = {
        "dietary_needs": parsing.string(data, "dietary_needs", required=False, max_length=2000)
        or "",
        "accessibility_needs": parsing.string(
            data, "accessibility_needs", required=False, max_length=2000
        )
        or "",
    }
    if _is_organiser() and email and email.strip().lower() != user.email:
        person = reg_ops.Person(
            email=parsing.email_address(email),
            name=" ".join(name.split()),
            vouched=True,
            locale=parsing.choice(data, "locale", ("nb", "en"), required=False) or "nb",
        )
        extras["override"] = data.get("override") is True
        extras["waive_fee"] = data.get("waive_fee") is True
    else:
        if email and email.strip().lower() != user.email:
            raise forbidden("You can only register yourself.")
        person = reg_ops.Person(email=user.email, name=name or user.name, user=user)
    try:
        reg = reg_ops.register(event_id, person, user, **extras)
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return jsonify(registration_json(reg, reg_ops.positions(event_id).get(reg.id))), 201


@bp.route("/events/<int:event_id>/participants.<any(csv, xlsx):fmt>", methods=["GET"])
def export_participants(event_id, fmt):
    """The participant list with needs, as on the organiser's page (CSV or XLSX)."""
    from eventsys.registration import exports

    _require(Role.organiser)
    return exports.download(_visible_event(event_id), fmt)


@bp.route("/events/<int:event_id>/messages", methods=["POST"])
def message_participants(event_id):
    """E-mail the confirmed participants: {"subject", "message"} -> {"sent": n}."""
    _require(Role.organiser)
    _visible_event(event_id)
    data = parsing.body()
    subject = parsing.string(data, "subject", max_length=200)
    message = parsing.string(data, "message", max_length=20000)
    if not subject.strip() or not message.strip():
        raise bad_request("missing_field", "'subject' and 'message' must not be empty.")
    return jsonify({"sent": reg_ops.message_participants(event_id, subject, message, _user())})


def _own_or_organiser(reg_id: int) -> Registration:
    reg = db.session.get(Registration, reg_id)
    if reg is None:
        raise not_found("registration")
    user = _user()
    mine = reg.user_id == user.id or (user.email_verified and reg.email == user.email)
    if not (mine or _is_organiser()):
        raise not_found("registration")
    return reg


def _own(reg_id: int) -> Registration:
    """Answering an offer is the participant's own act (DESIGN); an organiser may
    cancel for them or arrange payment (checkout, invoice) for someone they registered."""
    reg = db.session.get(Registration, reg_id)
    user = _user()
    if reg is None or not (
        reg.user_id == user.id or (user.email_verified and reg.email == user.email)
    ):
        raise not_found("registration")
    return reg


def _registration_answer(reg: Registration):
    db.session.flush()
    return jsonify(registration_json(reg, reg_ops.positions(reg.event_id).get(reg.id)))


@bp.route("/registrations/<int:reg_id>", methods=["GET"])
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
def cancel_registration(reg_id):
    return _registration_action(reg_id, reg_ops.cancel)


@bp.route("/registrations/<int:reg_id>/accept", methods=["POST"])
def accept_offer(reg_id):
    return _registration_action(reg_id, reg_ops.accept_offer, check=_own)


@bp.route("/registrations/<int:reg_id>/decline", methods=["POST"])
def decline_offer(reg_id):
    return _registration_action(reg_id, reg_ops.decline_offer, check=_own)


@bp.route("/registrations/<int:reg_id>/move", methods=["POST"])
def move_registration(reg_id):
    _require(Role.organiser)
    data = parsing.body()
    reason = parsing.string(data, "reason", max_length=1000)
    before = parsing.integer(data, "before_registration_id", required=False)
    _own_or_organiser(reg_id)
    try:
        reg = reg_ops.move(reg_id, before, reason, _user())
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


@bp.route("/registrations/<int:reg_id>/waive-fee", methods=["POST"])
def waive_fee(reg_id):
    _require(Role.organiser)
    data = request.get_json(silent=True) or {}
    _own_or_organiser(reg_id)
    reason = data.get("reason", "") if isinstance(data.get("reason", ""), str) else ""
    return _registration_answer(reg_ops.waive_fee(reg_id, _user(), reason))


@bp.route("/registrations/<int:reg_id>/confirm-affiliation", methods=["POST"])
def confirm_affiliation(reg_id):
    _require(Role.organiser)
    data = parsing.body()
    org_id = parsing.integer(data, "organisation_id")
    _own_or_organiser(reg_id)
    try:
        reg = reg_ops.confirm_affiliation(reg_id, org_id, _user())
    except reg_ops.RegistrationError as exc:
        raise _registration_error(exc) from exc
    return _registration_answer(reg)


@bp.route("/registrations/<int:reg_id>/checkout", methods=["POST"])
def checkout(reg_id):
    """A Stripe Checkout Session for the registration's fee: {"url", "session_id"}."""
    _own_or_organiser(reg_id)
    try:
        session = payment_ops.start_checkout(reg_id)
    except payment_ops.PaymentError as exc:
        raise ApiError(exc.status, exc.code, PAYMENT_MESSAGES.get(exc.code, exc.code)) from exc
    return jsonify({"url": session.url, "session_id": session.stripe_session_id})


@bp.route("/registrations/<int:reg_id>/invoice", methods=["POST"])
def choose_invoice(reg_id):
    """Pay by invoice instead: org_number, reference, and recipient_email or
    recipient_address. Answers the invoice (number, KID, due date)."""
    _own_or_organiser(reg_id)
    data = parsing.body()
    try:
        invoice = payment_ops.choose_invoice(
            reg_id,
            parsing.string(data, "org_number", max_length=30),
            parsing.string(data, "reference", max_length=200),
            parsing.string(data, "recipient_email", required=False, max_length=320) or "",
            parsing.string(data, "recipient_address", required=False, max_length=500) or "",
            parsing.string(data, "organisation_name", required=False, max_length=200) or "",
        )
    except payment_ops.PaymentError as exc:
        raise ApiError(exc.status, exc.code, PAYMENT_MESSAGES.get(exc.code, exc.code)) from exc
    return jsonify(invoice_json(invoice)), 201
