"""What the årshjul does when registration's domain signals arrive (see
registration/signals.py). Connected by create_app."""

from __future__ import annotations

from eventsys.arshjul.operations import event_ics
from eventsys.registration import signals


@signals.confirmation_attachments.connect
def event_calendar_file(reg, **_):
    """The event for the participant's calendar, with the same UID as the feeds (and
    the online link: a confirmation means a seat)."""
    return [
        ("arrangement.ics", "text/calendar", event_ics(reg.event, reg.locale, online_link=True))
    ]
