"""Who may organise an event, for the pages of one event (participant list, check-in,
messages, attendance) and the staff dashboard.

The rule itself is `auth.access.organises`: organisers, and an event's hosts for that
event alone (the people package answers auth's `event_access` signal).
"""

from __future__ import annotations

from sqlalchemy import false, or_, select, true

from eventsys.auth.access import event_organiser_required, granted_events, organises
from eventsys.auth.models import Role
from eventsys.events.models import Event
from eventsys.extensions import db

__all__ = [
    "event_organiser_required",
    "may_organise",
    "organised_events_filter",
    "organises_any",
]


def may_organise(user, event: Event | None = None) -> bool:
    """May `user` organise `event` (with no event: organise events in general)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if event is None:
        return user.has_role(Role.organiser)
    return organises(user, event.id)


def organised_events_filter(user):
    """A SQL condition on Event for the events the staff dashboard lists for `user`:
    every event for organisers, the events they host for hosts, else none."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if may_organise(user):
        return true()
    granted = [ids for _receiver, ids in granted_events.send(user) if ids is not None]
    return or_(*(Event.id.in_(ids) for ids in granted)) if granted else false()


def organises_any(user) -> bool:
    """Does `user` organise any event at all (an organiser, or a host of one)?"""
    if may_organise(user):
        return True
    return (
        db.session.scalar(select(Event.id).where(organised_events_filter(user)).limit(1))
        is not None
    )
