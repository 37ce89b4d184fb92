"""The messages of the registration operations' error codes (pages and API)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.messages import COMMON, Catalogue


def _already_registered(on_behalf: bool = False, **_params) -> str:
    if on_behalf:
        return _("This person is already registered for the event.")
    return _("You are already registered for this event.")


MESSAGES = Catalogue(
    {
        "event_not_found": _l("The event was not found."),
        "event_not_open": _l("This event is not open for registration."),
        "registration_closed": _l("Registration for this event is closed."),
        "already_registered": _already_registered,
        "registration_not_found": _l("The registration was not found."),
        "event_started": _l(
            "The event has started, so the registration can no longer be cancelled."
        ),
        "not_active": _l("This registration is already cancelled."),
        "not_offered": _l("There is no open offer for this registration."),
        "offer_expired": _l(
            "The time to answer the offer has run out, so the place goes to the next "
            "person on the waiting list."
        ),
        "reason_required": _l("Give a reason for the move."),
        "not_waiting": _l("Only registrations on the waiting list can be moved."),
        "move_target_invalid": _l(
            "Choose someone on the waiting list with the same priority tier."
        ),
        "organisation_not_found": _l("The organisation was not found."),
        "organisation_not_owner": _l("The organisation is not an owner on the date of the event."),
        "event_not_started": _l("Attendance is recorded once the event has started."),
        "not_confirmed": _l("Only confirmed participants can be marked as attended."),
        "stripe_unavailable": _l(
            "The refund could not be made because the card payment service did not answer. "
            "Nothing is changed; please try again in a moment."
        ),
        "register_only_yourself": _l("You can only register yourself."),
        "no_fee_to_waive": _l("This person owes no fee, so there is nothing to waive."),
        "already_priority": _l("This person already has priority."),
    },
    parent=COMMON,
)
