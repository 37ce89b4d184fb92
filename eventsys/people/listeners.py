"""People's listeners to registration's domain signals (connected by the app factory)."""

from __future__ import annotations

from eventsys.auth import access
from eventsys.clock import local_date
from eventsys.people import operations
from eventsys.registration import signals


@signals.admission.connect
def resource_persons_only(event, person=None, by_organiser=False, **_kw):
    """A gathering for resource persons only refuses everybody else (an organiser
    registering someone on their behalf decides for themselves)."""
    if by_organiser or not operations.for_resource_persons_only(event.id):
        return None
    user = getattr(person, "user", None)
    if operations.is_resource_person(user, local_date(event.starts_at)):
        return None
    return "resource_persons_only"


@access.event_access.connect
def hosts_organise_their_event(user, event_id, **_kw):
    """A host has organiser rights for the event they host, and for no other."""
    return operations.is_host(user, event_id)


@access.granted_events.connect
def hosted_events(user, **_kw):
    """The events a host organises, for the lists of events (the staff dashboard)."""
    return operations.hosted_event_ids(user)
