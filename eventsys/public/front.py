"""The front page's content: the next events with their registration state, the
årshjul's next items for the reader, and the newest resources. A fixed number of
queries whatever is shown (one per list, one for all the events' seat counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from eventsys.arshjul import operations as arshjul_ops
from eventsys.arshjul.wheel import Entry
from eventsys.auth.models import User
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.registration.operations import seat_counts
from eventsys.resources.models import Resource, ResourceStatus

EVENTS, ITEMS, RESOURCES = 5, 5, 5


@dataclass(frozen=True)
class NextEvent:
    event: Event
    seats_left: int
    waiting: int
    state: str  # see registration_state


def registration_state(
    now: datetime,
    opens_at: datetime,
    closes_at: datetime,
    priority_until: datetime | None,
    seats_left: int,
) -> str:
    """What someone who wants to come can do now, as one word for one sentence:
    "opens" (not yet), "closed", "full" (registering joins the waiting list),
    "priority" (places left, but owner staff come first until the priority deadline),
    or "open" (places left)."""
    if now < opens_at:
        return "opens"
    if now >= closes_at:
        return "closed"
    if seats_left <= 0:
        return "full"
    if priority_until is not None and now < priority_until:
        return "priority"
    return "open"


def next_events(now: datetime, limit: int = EVENTS) -> list[NextEvent]:
    """Published events not yet over, soonest first (never drafts or cancelled ones)."""
    events = list(
        db.session.scalars(
            select(Event)
            .where(Event.status == EventStatus.published, Event.ends_at > now)
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )
    counts = seat_counts([event.id for event in events])
    found = []
    for event in events:
        held, waiting = counts[event.id]
        left = max(0, event.capacity - held)
        state = registration_state(
            now,
            event.registration_opens_at,
            event.registration_closes_at,
            event.priority_deadline,
            left,
        )
        found.append(NextEvent(event, left, waiting, state))
    return found


def next_items(viewer: User | None, now: datetime, lang: str, limit: int = ITEMS) -> list[Entry]:
    """The årshjul items meant for the reader that are not over, soonest first."""
    return arshjul_ops.next_entries(viewer, now, lang, limit)


def newest_resources(limit: int = RESOURCES) -> list[Resource]:
    """The latest published records of the resource bank, newest first."""
    return list(
        db.session.scalars(
            select(Resource)
            .where(Resource.status == ResourceStatus.published)
            .order_by(Resource.published_at.desc(), Resource.id.desc())
            .limit(limit)
        )
    )
