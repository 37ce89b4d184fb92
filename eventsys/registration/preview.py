"""What an organiser's action will do, shown before it is done: the e-mail to all
participants as one of them will read it, and the offers a raised capacity sends.
Read-only: nothing here changes the database."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template

from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.registration import operations as reg_ops
from eventsys.registration import rules
from eventsys.registration.models import Registration
from eventsys.registration.rules import State

MESSAGE_STATES = (State.CONFIRMED, State.ATTENDED)


def message_recipients(event: Event) -> list[Registration]:
    """Who gets an e-mail to all participants: the same people message_participants
    sends to."""
    return [r for r in reg_ops.all_registrations(event.id) if r.state in MESSAGE_STATES]


def message_as_read_by(reg: Registration, subject: str, message: str) -> tuple[str, str]:
    """(subject, body) of the e-mail as `reg` will get it, in the viewer's language."""
    event = reg.event
    rendered = render_template(
        "email/registration/organiser_message.txt",
        reg=reg,
        event=event,
        subject=" ".join(subject.split()),
        message=message.strip(),
        event_url=current_app.config["EVENTSYS_BASE_URL"] + f"/events/{event.id}",
        base_url=current_app.config["EVENTSYS_BASE_URL"],
    )
    first, _, body = rendered.lstrip().partition("\n")
    return first.removeprefix("Subject:").strip(), body.strip()


def capacity_changes(event: Event, new_capacity: int, now: datetime) -> list[tuple]:
    """[(registration, new state)] that raising the capacity to `new_capacity` would
    bring: offers (or, at the priority deadline, places) down the waiting list."""
    if new_capacity <= event.capacity:
        return []
    result = rules.change_capacity(
        reg_ops.event_facts(event), reg_ops.rule_view(event.id), new_capacity, now
    )
    return [(db.session.get(Registration, c.reg_id), c.new_state) for c in result.changes]


def seat_holders(event_id: int) -> set[int]:
    return {r.id for r in reg_ops.active_registrations(event_id) if r.holds_seat}


def new_seats(event_id: int, before: set[int]) -> tuple[list[Registration], list[Registration]]:
    """(offered, confirmed): who got a place since `before` (from seat_holders)."""
    now_holding = [
        r for r in reg_ops.active_registrations(event_id) if r.holds_seat and r.id not in before
    ]
    offered = [r for r in now_holding if r.state == State.OFFERED]
    confirmed = [r for r in now_holding if r.state == State.CONFIRMED]
    return offered, confirmed
