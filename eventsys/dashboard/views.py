"""The staff dashboard: the next events with their seats, waiting lists and unpaid
fees, and what needs doing now (affiliations to confirm, offers about to expire,
events starting soon without a downloaded participant list, overdue invoices)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from eventsys.auth.models import Role
from eventsys.database import local_date, utcnow
from eventsys.events.access import may_organise, organised_events_filter, organises_any
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.payments.models import Invoice, InvoiceKind, Payment, PaymentStatus
from eventsys.registration import operations as reg_ops
from eventsys.registration.listing import attended_counts
from eventsys.registration.models import ACTIVE_STATES, Registration
from eventsys.registration.rules import SEAT_HOLDING, State, attendance_open

bp = Blueprint("dashboard", __name__)

NEXT_EVENTS = 8
OFFER_SOON = timedelta(hours=24)
EXPORT_BEFORE = timedelta(days=7)
DRAFT_SOON = timedelta(days=30)


@dataclass
class EventLine:
    event: Event
    held: int
    waiting: int
    unpaid: int = 0
    unpaid_amount: int = 0
    offers: int = 0
    came: int = 0
    checkin_open: bool = False


@dataclass
class Todo:
    kind: str  # affiliation | offer | export | draft
    event: Event
    count: int = 0
    first: datetime | None = None


def _next_events(user, now: datetime) -> list[EventLine]:
    events = list(
        db.session.scalars(
            select(Event)
            .where(
                Event.status != EventStatus.cancelled,
                Event.ends_at >= now,
                organised_events_filter(user),
            )
            .order_by(Event.starts_at, Event.id)
            .limit(NEXT_EVENTS)
        )
    )
    counts = reg_ops.seat_counts([e.id for e in events])
    lines = {e.id: EventLine(e, *counts[e.id]) for e in events}
    if not lines:
        return []
    unpaid = db.session.execute(
        select(Registration.event_id, func.count(), func.coalesce(func.sum(Payment.amount), 0))
        .join(Payment, Payment.registration_id == Registration.id)
        .where(
            Registration.event_id.in_(lines),
            Registration.state.in_([s.value for s in SEAT_HOLDING]),
            Payment.status == PaymentStatus.due,
        )
        .group_by(Registration.event_id)
    )
    for event_id, number, amount in unpaid:
        lines[event_id].unpaid, lines[event_id].unpaid_amount = number, int(amount)
    offers = db.session.execute(
        select(Registration.event_id, func.count())
        .where(Registration.event_id.in_(lines), Registration.state == State.OFFERED)
        .group_by(Registration.event_id)
    )
    for event_id, number in offers:
        lines[event_id].offers = number
    for event_id, number in attended_counts(list(lines)).items():
        lines[event_id].came = number
    for line in lines.values():
        line.checkin_open = attendance_open(line.event.starts_at, now)
    return list(lines.values())


def _todos(user, now: datetime, drafts: bool = True) -> list[Todo]:
    upcoming = select(Event.id).where(
        Event.status != EventStatus.cancelled, Event.ends_at >= now, organised_events_filter(user)
    )
    todos: list[Todo] = []
    # Owner-domain addresses not verified yet: an organiser can confirm by hand.
    for event_id, number in db.session.execute(
        select(Registration.event_id, func.count())
        .where(
            Registration.event_id.in_(upcoming),
            Registration.state.in_(ACTIVE_STATES),
            Registration.tier == 2,
            Registration.tier_reason == "unverified_email",
        )
        .group_by(Registration.event_id)
    ):
        todos.append(Todo("affiliation", db.session.get(Event, event_id), number))
    for event_id, number, first in db.session.execute(
        select(Registration.event_id, func.count(), func.min(Registration.offer_expires_at))
        .where(
            Registration.event_id.in_(upcoming),
            Registration.state == State.OFFERED,
            Registration.offer_expires_at <= now + OFFER_SOON,
        )
        .group_by(Registration.event_id)
    ):
        todos.append(Todo("offer", db.session.get(Event, event_id), number, first))
    soon = (
        # Published and starting within a week, but nobody has the list at hand yet.
        (
            "export",
            Event.status == EventStatus.published,
            Event.starts_at <= now + EXPORT_BEFORE,
            Event.participants_exported_at.is_(None),
        ),
        ("draft", Event.status == EventStatus.draft, Event.starts_at <= now + DRAFT_SOON),
    )
    for kind, *conditions in soon:
        if kind == "draft" and not drafts:
            continue  # only organisers edit events
        for event in db.session.scalars(
            select(Event)
            .where(Event.id.in_(upcoming), Event.starts_at >= now, *conditions)
            .order_by(Event.starts_at)
        ):
            todos.append(Todo(kind, event, first=event.starts_at))
    return todos


def _finance(now: datetime) -> dict:
    today = local_date(now)
    credited = select(Invoice.credit_for_id).where(
        Invoice.kind == InvoiceKind.credit_note, Invoice.credit_for_id.is_not(None)
    )
    overdue = list(
        db.session.scalars(
            select(Invoice)
            .where(
                Invoice.kind == InvoiceKind.invoice,
                Invoice.paid_at.is_(None),
                Invoice.due_on < today,
                Invoice.id.not_in(credited),
            )
            .order_by(Invoice.due_on, Invoice.number)
        )
    )
    totals = dict(
        db.session.execute(
            select(Payment.status, func.coalesce(func.sum(Payment.amount), 0))
            .join(Registration, Payment.registration_id == Registration.id)
            .where(
                Payment.status.in_([PaymentStatus.due, PaymentStatus.invoiced]),
                Registration.state.in_([s.value for s in SEAT_HOLDING | {State.ATTENDED}]),
            )
            .group_by(Payment.status)
        ).all()
    )
    return {
        "overdue": overdue,
        "overdue_amount": sum(i.amount for i in overdue),
        "fees_due": int(totals.get(PaymentStatus.due, 0)),
        "fees_invoiced": int(totals.get(PaymentStatus.invoiced, 0)),
    }


@bp.route("/dashboard")
@login_required
def index():
    """Organisers see every event, hosts the events they host, finance the money."""
    now = utcnow()
    user = current_user._get_current_object()
    organiser = may_organise(user)
    hosting = not organiser and organises_any(user)
    if not (organiser or hosting or user.has_role(Role.finance)):
        abort(403)
    return render_template(
        "dashboard/index.html",
        now=now,
        organiser=organiser,
        hosting=hosting,
        lines=_next_events(user, now) if organiser or hosting else [],
        todos=_todos(user, now, drafts=organiser) if organiser or hosting else [],
        finance=_finance(now) if user.has_role(Role.finance) else None,
    )
