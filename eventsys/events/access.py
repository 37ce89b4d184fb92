"""Who may organise an event: the one place that says so.

Every page and operation that acts for the organisers of one event (participant list,
check-in, messages, attendance) asks `may_organise`. Today that is every organiser
(and admin); event hosts are added here and nowhere else.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from eventsys.auth.models import Role
from eventsys.events.models import Event
from eventsys.extensions import db


def may_organise(user, event: Event | None = None) -> bool:
    """May `user` organise `event` (or, with no event, some event at all)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_role(Role.organiser)


def organised_events_filter(user):
    """A SQL condition on Event for the events `user` organises (all, for organisers)."""
    from sqlalchemy import false, true

    return true() if may_organise(user) else false()


def event_organiser_required(view):
    """A view of one event (`event_id` in the URL) for its organisers: a visitor is
    asked to log in, anyone else gets 403, an unknown event 404."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from eventsys.extensions import login_manager

            return login_manager.unauthorized()
        event = db.session.get(Event, kwargs["event_id"])
        if not may_organise(current_user, event):
            abort(403)
        if event is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapped
