"""A demo event that starts within the hour, so the check-in at the door can be tried
from a phone right after `make run` (only on a working day: seminars are never held on
weekends or public holidays, in the demo as in the network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eventsys.demo.events import GUESTS, OSLO, _event, _is_workday, _register_guests
from eventsys.extensions import db
from eventsys.registration import operations as registration
from eventsys.registration.models import Registration
from eventsys.registration.rules import State


def load_checkin(users) -> list[str]:
    organiser = users["arrangement@kompetansenettverk.no"]
    now = datetime.now(UTC)
    starts = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if not _is_workday(starts.astimezone(OSLO).date()):
        return ["No event for trying check-in today: it is not a working day."]
    event = _event(
        organiser,
        title="Frokostmøte: studentmedvirkning i praksis",
        description="Korte innlegg og samtale om studentmedvirkning ved lærestedene.",
        venue="OsloMet, Pilestredet 46, rom PI-A110",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=25,
        registration_opens_at=now - timedelta(days=14),
        registration_closes_at=now - timedelta(minutes=1),
        fee=0,
    )
    _register_guests(event, GUESTS, organiser, now - timedelta(days=10))
    db.session.flush()
    early = db.session.scalars(
        select(Registration.id)
        .where(Registration.event_id == event.id, Registration.state == State.CONFIRMED)
        .order_by(Registration.id)
        .limit(3)
    ).all()
    for reg_id in early:  # the first three are already in the room
        registration.mark_attendance(reg_id, True, organiser, now=now)
    return [
        f"Check-in demo: '{event.title}' starts {starts.astimezone(OSLO):%H:%M}; "
        f"{len(GUESTS)} confirmed, 3 checked in (/organiser/events/{event.id}/checkin)."
    ]
