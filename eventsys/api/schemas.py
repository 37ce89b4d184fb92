"""The JSON shapes of CONTRACT.md, written once: the same schemas read requests,
write answers and make the OpenAPI document (GET /api/v1/openapi.json)."""

from __future__ import annotations

import copy

from flask import g
from marshmallow import EXCLUDE, Schema, fields, missing, validate

from eventsys.api import fields as f
from eventsys.events import rules as event_rules
from eventsys.registration import operations as reg_ops

STAFF_BANDS = ("0-500", "501-1000", "1001-2000", "2000+")
REGISTRATION_STATES = (
    "pending",
    "confirmed",
    "offered",
    "waitlisted",
    "cancelled",
    "attended",
    "no_show",
)
PAYMENT_STATUSES = ("not_required", "due", "paid", "invoiced", "refunded", "waived")


class ApiSchema(Schema):
    """Fields a schema does not know are ignored, so a client may send back what it
    read (ids and counters included)."""

    class Meta:
        unknown = EXCLUDE
        ordered = True


def requiring(base: type[Schema], names, class_name: str) -> type[Schema]:
    """`base` with the named fields required (e.g. on create, and in answers)."""
    attrs = {}
    for name in names:
        field = copy.deepcopy(base._declared_fields[name])
        field.required = True
        field.allow_none = False
        attrs[name] = field
    return type(class_name, (base,), attrs)


def online_links_known(event_ids: set[int]) -> None:
    """The events whose online link the caller may see, found for a whole list at once
    (registration.operations.events_with_online_link)."""
    g.api_online_links = event_ids


def counts_known(counts: dict[int, tuple[int, int]]) -> None:
    """(seats held, people waiting) of a whole list of events, found in one query
    (registration.operations.seat_counts), so no event counts its own."""
    cache = g.setdefault("api_answer_cache", {})
    for event_id, pair in counts.items():
        cache["counts", event_id] = pair


def _online_url(event) -> str:
    """The link only for those registration.operations.sees_online_link allows."""
    known = g.get("api_online_links")
    if known is not None and event.id in known:
        return event.online_url
    if known is None and reg_ops.sees_online_link(event, g.api_user):
        return event.online_url
    return ""


def _per_request(key: str, event_id: int, compute):
    """Counts and waiting-list places, computed once per event while answering."""
    cache = g.setdefault("api_answer_cache", {})
    if (key, event_id) not in cache:
        cache[key, event_id] = compute(event_id)
    return cache[key, event_id]


# --- errors ------------------------------------------------------------------------------


class ErrorDetail(ApiSchema):
    code = f.Text(required=True, metadata={"description": "stable, for programs"})
    message = f.Text(
        20000, required=True, metadata={"description": "for people, in the caller's language"}
    )
    details = fields.Dict(metadata={"description": "e.g. the field at fault"})


class Error(ApiSchema):
    error = f.Nested(ErrorDetail, required=True)


class Warning(ApiSchema):  # noqa: A001  (the name the document shows)
    code = f.Text(required=True)
    message = f.Text(2000, required=True)


# --- organisations -----------------------------------------------------------------------


class OwnershipInput(ApiSchema):
    role = f.Choice(("owner", "observer"), required=True)
    valid_from = f.Day(required=True)
    valid_to = f.Day(
        allow_none=True,
        metadata={"description": "default: 31 December of the next year (binding period)"},
    )
    staff_band = f.Choice(STAFF_BANDS, allow_none=True)


class Ownership(ApiSchema):
    role = f.Choice(("owner", "observer"), required=True)
    valid_from = f.Day(required=True)
    valid_to = f.Day(required=True)
    staff_band = f.Choice(STAFF_BANDS, required=True, allow_none=True)


class InvoiceAddress(ApiSchema):
    email = f.Text(320, load_default="", metadata={"description": "invoices and reminders"})
    lines = f.List(f.Line(200), load_default=list, metadata={"description": "at most 4"})
    postcode = f.Text(10, load_default="", metadata={"description": "4 digits"})
    city = f.Line(100, load_default="")
    reference = f.Line(
        200, load_default="", metadata={"description": "the buyer's reference on invoices"}
    )
    peppol_id = f.Text(
        60,
        load_default="",
        metadata={"description": "scheme:identifier; empty: 0192:<org_number>"},
    )


class OrganisationInput(ApiSchema):
    name = f.Line(200, required=True)
    org_number = f.Text(
        30, allow_none=True, metadata={"description": "9 digits, modulus-11 checked"}
    )
    kind = f.Choice(("institution", "welfare_org", "other"), required=True)
    domains = f.List(f.Text(253), load_default=list)
    ownerships = f.List(f.Nested(OwnershipInput, allow_none=False), load_default=list)
    invoice_address = f.Nested(InvoiceAddress, load_default=None)


class Organisation(ApiSchema):
    id = f.Id(required=True)
    name = f.Text(200, required=True)
    org_number = fields.String(
        required=True, allow_none=True, metadata={"pattern": "^[89][0-9]{8}$"}
    )
    kind = f.Choice(("institution", "welfare_org", "other"), required=True)
    domains = f.List(f.Text(253), required=True, attribute="domain_names")
    ownerships = f.List(f.Nested(Ownership), required=True)
    invoice_address = f.Nested(InvoiceAddress, required=True, attribute="invoice_to")
    peppol_participant = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "where its EHF invoices go; null without an org_number"},
    )


class OrganisationList(ApiSchema):
    organisations = f.List(f.Nested(Organisation), required=True)


# --- events ------------------------------------------------------------------------------


class EventFields(ApiSchema):
    """What a client may set on an event. Times are ISO 8601 with a UTC offset."""

    title = f.Line(200)
    description = f.Text(20000)
    kind = f.Choice(event_rules.KINDS)
    format = f.Choice(event_rules.FORMATS)
    starts_at = f.Moment()
    ends_at = f.Moment()
    venue = f.Line(300)
    online_url = f.Line(500)
    language = f.Choice(("nb", "en"))
    capacity = f.Integer(minimum=0)
    registration_opens_at = f.Moment()
    registration_closes_at = f.Moment()
    priority_deadline = f.Moment(allow_none=True)
    cancellation_deadline = f.Moment(allow_none=True)
    fee = f.Integer(minimum=0, metadata={"description": "øre, for non-owners"})
    payment_days = f.Integer()
    offer_hours = f.Integer()
    host_organisation_id = f.Id(allow_none=True)


EVENT_REQUIRED_ON_CREATE = (
    "title",
    "kind",
    "format",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
)


class EventCreate(requiring(EventFields, EVENT_REQUIRED_ON_CREATE, "EventCreateBase")):
    """A new event: a draft unless status 'published' is given."""

    status = f.Choice(("draft", "published"))


class EventChange(EventFields):
    """Any subset of the fields; status may publish or cancel."""

    status = f.Choice(("draft", "published", "cancelled"))


class Event(requiring(EventFields, (*EVENT_REQUIRED_ON_CREATE, "fee"), "EventBase")):
    id = f.Id(required=True)
    status = f.Choice(("draft", "published", "cancelled"), required=True)
    priority_deadline = f.Moment(required=True, allow_none=True)
    currency = f.Choice(("NOK",))
    online_url = f.Derived(
        f.Text(500, metadata={"description": "only for organisers and people with a seat"}),
        _online_url,
    )
    seats_held = f.Derived(
        f.Integer(minimum=0, required=True),
        lambda event: _per_request("counts", event.id, reg_ops.counts)[0],
    )
    waitlist_length = f.Derived(
        f.Integer(minimum=0, required=True),
        lambda event: _per_request("counts", event.id, reg_ops.counts)[1],
    )
    warnings = f.Derived(f.List(f.Nested(Warning)), lambda event: g.get("api_warnings", missing))


class EventFilter(ApiSchema):
    status = f.Choice(("draft", "published", "cancelled"))


class EventList(ApiSchema):
    events = f.List(f.Nested(Event), required=True)


# --- registrations -----------------------------------------------------------------------


class Payment(ApiSchema):
    status = f.Choice(PAYMENT_STATUSES, required=True)
    method = f.Choice(("card", "invoice"), required=True, allow_none=True)
    amount = f.Integer(minimum=0, required=True, metadata={"description": "øre"})
    deadline = f.Moment(required=True, allow_none=True)


def payment_of(reg) -> dict:
    """The `payment` object: the Payment row's stage, or what is owed without one."""
    payment = reg.payment
    if payment is None:
        fee = reg.event.fee
        status = "waived" if reg.fee_waived and reg.tier == 2 and fee > 0 else "not_required"
        amount = reg_ops.fee_due(reg.event, reg)
        return {"status": status, "method": None, "amount": amount, "deadline": None}
    return {
        "status": payment.status.value,
        "method": payment.method.value if payment.method else None,
        "amount": payment.amount,
        "deadline": payment.deadline,
    }


class Registration(ApiSchema):
    id = f.Id(required=True)
    event_id = f.Id(required=True)
    email = f.Text(320, required=True)
    name = f.Text(200)
    state = f.Choice(REGISTRATION_STATES, required=True)
    tier = f.Integer(required=True, validate=[validate.OneOf((1, 2))])
    tier_reason = f.Text()
    organisation_id = f.Id(allow_none=True)
    fee_due = f.Derived(
        f.Integer(minimum=0, required=True, metadata={"description": "øre"}),
        lambda reg: reg_ops.fee_due(reg.event, reg),
    )
    fee_waived = f.Boolean()
    position = f.Derived(
        f.Integer(minimum=1, required=True, allow_none=True),
        lambda reg: _per_request("positions", reg.event_id, reg_ops.positions).get(reg.id),
    )
    offer_expires_at = f.Moment(required=True, allow_none=True)
    registered_at = f.Moment()
    over_capacity = f.Boolean()
    payment = f.Derived(f.Nested(Payment, required=True), payment_of)


class RegistrationInput(ApiSchema):
    """An organiser registers anyone (the address counts as verified); anybody else
    registers themselves (email omitted or their own)."""

    email = f.Email()
    name = f.Line(200)
    locale = f.Choice(("nb", "en"))
    dietary_needs = f.Text(2000)
    accessibility_needs = f.Text(2000)
    override = f.Boolean(metadata={"description": "organisers: confirm beyond capacity"})
    waive_fee = f.Boolean(metadata={"description": "organisers: speakers, student helpers"})


class RegistrationList(ApiSchema):
    registrations = f.List(f.Nested(Registration), required=True)


class Attendance(ApiSchema):
    attended = f.Boolean(required=True)


class Move(ApiSchema):
    reason = f.Line(1000, required=True)
    before_registration_id = f.Id(allow_none=True)


class WaiveFee(ApiSchema):
    reason = f.Line(1000)


class ConfirmAffiliation(ApiSchema):
    organisation_id = f.Id(required=True)


class Message(ApiSchema):
    subject = f.Line(200, required=True)
    message = f.Text(20000, required=True)


class Sent(ApiSchema):
    sent = f.Integer(minimum=0, required=True)


# --- payments ----------------------------------------------------------------------------


class InvoiceChoice(ApiSchema):
    org_number = f.Line(30, required=True)
    reference = f.Line(200, required=True)
    recipient_email = f.Line(320)
    recipient_address = f.Text(500)
    organisation_name = f.Line(200)


class Invoice(ApiSchema):
    id = f.Id(required=True)
    number = f.Integer(required=True, metadata={"description": "gapless"})
    kind = f.Choice(("invoice", "credit_note"), required=True)
    kid = fields.String(
        required=True,
        allow_none=True,
        metadata={"pattern": "^[0-9]+$", "description": "MOD10 check digit"},
    )
    org_number = f.Text(30, required=True)
    reference = f.Text(200, required=True)
    amount = f.Integer(required=True, metadata={"description": "øre"})
    currency = f.Choice(("NOK",))
    issued_on = f.Day()
    due_on = f.Day(required=True)
    paid = f.Derived(f.Boolean(), lambda invoice: invoice.paid_at is not None)


class Checkout(ApiSchema):
    url = f.Text(2000, required=True)
    session_id = f.Text(200, required=True)
