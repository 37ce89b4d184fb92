"""Operations on events. They flush and queue e-mails; the caller commits."""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import select

from eventsys.auth.models import Role, User
from eventsys.database import lock_for_update, utcnow
from eventsys.events import rules
from eventsys.events.models import Event, EventFormat, EventKind, EventStatus
from eventsys.extensions import db

EDITABLE = [f.name for f in fields(rules.EventFields)] + ["description", "host_organisation_id"]
# Changes a subscriber's calendar should pick up (SEQUENCE is raised for them).
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "venue", "online_url", "description", "status"}


# Codes that say the event's state forbids the change (a conflict, not bad input).
STATE_CODES = {"cancelled", "event_cancelled", "draft_not_public", "not_draft", "has_registrations"}


class EventError(Exception):
    """The event cannot be saved as given; `problems` is a list of (field, code)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(", ".join(f"{f}: {c}" for f, c in problems))
        self.problems = problems

    @property
    def status(self) -> int:
        """409 when the event's state forbids it, 400 when the values are wrong."""
        return 409 if any(code in STATE_CODES for _field, code in self.problems) else 400


# --- guards: what an event's state allows, for pages and API alike ----------------------


def is_visible(event: Event, user: User | None) -> bool:
    """Drafts exist only for organisers; everything else is public."""
    if event.status != EventStatus.draft:
        return True
    return bool(user is not None and user.is_authenticated and user.has_role(Role.organiser))


def visible_event(event_id: int, user: User | None) -> Event | None:
    """The event if `user` may see it, else None (callers answer 404)."""
    event = db.session.get(Event, event_id)
    return event if event is not None and is_visible(event, user) else None


def check_editable(event: Event) -> None:
    """A cancelled event is final: its fields are not changed any more."""
    if event.status == EventStatus.cancelled:
        raise EventError([("status", "event_cancelled")])


def check_cancellable(event: Event) -> None:
    """Only a published event can be cancelled: a cancelled event is public, and a
    draft that was never published must stay hidden (delete it instead)."""
    if event.status == EventStatus.draft:
        raise EventError([("status", "draft_not_public")])


def _fields_of(values: dict) -> rules.EventFields:
    names = {f.name for f in fields(rules.EventFields)}
    return rules.EventFields(**{k: v for k, v in values.items() if k in names})


def _current(event: Event) -> dict:
    values = {name: getattr(event, name) for name in EDITABLE}
    values["kind"] = event.kind.value if event.kind else None
    values["format"] = event.format.value if event.format else None
    return values


def _apply(event: Event, values: dict) -> None:
    for name, value in values.items():
        if name == "kind":
            value = EventKind(value)
        elif name == "format":
            value = EventFormat(value)
        setattr(event, name, value)


def create_event(values: dict, by: User | None, status: str = "draft") -> Event:
    """Create an event (a draft unless `status` says otherwise)."""
    values = {k: v for k, v in values.items() if k in EDITABLE}
    try:
        candidate = _fields_of(values)
    except TypeError as exc:  # a required field is missing
        raise EventError([("event", "missing_fields")]) from exc
    publishing = status == "published"
    found = rules.problems(candidate, publishing=publishing)
    if status not in ("draft", "published"):
        found.append(("status", "invalid_choice"))
    if found:
        raise EventError(found)
    event = Event(status=EventStatus(status), created_by_id=by.id if by else None)
    _apply(
        event,
        asdict(candidate)
        | {k: values[k] for k in ("description", "host_organisation_id") if k in values},
    )
    db.session.add(event)
    db.session.flush()
    return event


def lock_event(event_id: int) -> Event | None:
    """Load an event with its row locked (PostgreSQL) for the rest of the transaction."""
    return db.session.scalar(
        lock_for_update(select(Event).where(Event.id == event_id)).execution_options(
            populate_existing=True
        )
    )


def update_event(event: Event, changes: dict, by: User | None) -> Event:
    """Change fields of an event. Capacity changes go through the registration
    operations, which hand freed seats on; this refuses nothing a participant holds."""
    check_editable(event)
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    merged = _current(event) | changes
    found = rules.problems(_fields_of(merged), publishing=event.status == EventStatus.published)
    if found:
        raise EventError(found)
    if any(getattr(event, k) != v for k, v in changes.items() if k in CALENDAR_FIELDS):
        event.sequence += 1
    _apply(event, changes)
    db.session.flush()
    return event


def publish(event: Event, by: User | None) -> Event:
    if event.status == EventStatus.cancelled:
        raise EventError([("status", "cancelled")])
    found = rules.problems(_fields_of(_current(event)), publishing=True)
    if found:
        raise EventError(found)
    if event.status != EventStatus.published:
        event.status = EventStatus.published
        event.sequence += 1
    db.session.flush()
    return event


def mark_cancelled(event: Event) -> Event:
    """Set the event's status; registration.operations.cancel_event tells and refunds people."""
    check_cancellable(event)
    if event.status != EventStatus.cancelled:
        event.status = EventStatus.cancelled
        event.cancelled_at = utcnow()
        event.sequence += 1
    db.session.flush()
    return event


def delete_draft(event: Event) -> None:
    """A draft nobody has seen can be deleted; anything published stays (cancel it).
    Call registration.operations.delete_draft, which also refuses a draft with
    registrations (organisers can register people for a draft)."""
    if event.status != EventStatus.draft:
        raise EventError([("status", "not_draft")])
    db.session.delete(event)
    db.session.flush()
