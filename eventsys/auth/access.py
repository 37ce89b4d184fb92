"""Who may do what: decorators for views."""

from functools import wraps

from blinker import Namespace
from flask import abort
from flask_login import current_user

from eventsys.auth.models import Role


def role_required(*roles: Role):
    """Logged in with one of the roles (an admin may do everything)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from eventsys.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Organiser rights for one event: the organiser role has them for every event; packages
# above auth may grant them for a single event (people: the event's hosts) by answering
# True to this signal. Sender: the user; kwargs: `event_id`.
_signals = Namespace()
event_access = _signals.signal("event-access")
# The same grant for lists (the staff dashboard): a receiver answers with a SELECT of
# the ids of the events it grants `user` (sender) organiser rights for, or None.
granted_events = _signals.signal("granted-events")


def organises(user, event_id: int) -> bool:
    """Whether `user` has organiser rights for this event."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_role(Role.organiser):
        return True
    return any(granted for _receiver, granted in event_access.send(user, event_id=event_id))


def event_organiser_required(view):
    """Organiser rights for the event in the URL (`event_id`): organisers, or a host of
    that event alone; anyone else gets 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from eventsys.extensions import login_manager

            return login_manager.unauthorized()
        if not organises(current_user._get_current_object(), kwargs["event_id"]):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
