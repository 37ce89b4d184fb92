"""The messages of the payment operations' error codes (pages and API). Organisation
numbers are checked by the organisations' rules, so their codes' messages are taken
from there."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsys.messages import Catalogue
from eventsys.organisations.messages import MESSAGES as ORGANISATION_MESSAGES

MESSAGES = Catalogue(
    {
        "nothing_to_pay": _l("There is nothing to pay for this registration."),
        "already_paid": _l("This registration is already paid."),
        "already_invoiced": _l("You have chosen invoice for this registration already."),
        "seat_not_held": _l("You no longer hold a seat at this event."),
        "card_unavailable": _l("Card payment is not available right now. Please choose invoice."),
        "stripe_unavailable": _l(
            "We could not reach the card payment service. Please try again in a moment."
        ),
        "reference_required": _l("Enter the invoice reference your employer needs."),
        "recipient_required": _l("Enter an e-mail address or a postal address for the invoice."),
        "event_started": _l("The event has started."),
        "name_required": _l("Enter your colleague's name."),
        "same_person": _l("That is your own address."),
        "already_registered": _l("Your colleague already has a registration for this event."),
        "invoice_credited": _l("This invoice has been credited and cannot be marked as paid."),
        "org_number_required": _l("Enter the organisation number."),
        "org_number_name_mismatch": _l(
            "This organisation number belongs to another organisation than the name given."
        ),
        "address_required": _l("Enter your postal address for the invoice."),
    },
    parent=ORGANISATION_MESSAGES,
)
