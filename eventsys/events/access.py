"""Who may organise an event, for the pages of one event (participant list, check-in,
messages, attendance) and the staff dashboard.

The rule itself is `auth.access.organises`: organisers, and an event's hosts for that
event alone (the people package answers auth's `event_access` signal).
"""

from __future__ import annotations

from sqlalchemy import false, true

from eventsys.auth.access import event_organiser_required, organises
from eventsys.auth.models import Role
from eventsys.events.models import Event

__all__ = ["event_organiser_required", "may_organise", "organised_events_filter"]


def may_organise(user, event: Event | None = None) -> bool:
    """May `user` organise `event` (with no event: organise events in general)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if event is None:
        return user.has_role(Role.organiser)
    return organises(user, event.id)


def organised_events_filter(user):
    """A SQL condition on Event for the events the staff dashboard lists for `user`."""
    return true() if may_organise(user) else false()
