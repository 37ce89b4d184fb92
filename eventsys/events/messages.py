"""The messages of the event rules' and operations' problem codes (pages and API)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.events import rules
from eventsys.formatting import money
from eventsys.messages import COMMON, Catalogue

MESSAGES = Catalogue(
    {
        "required": _l("Enter a title."),
        "single_line": _l("This field must be on one line."),
        "event_cancelled": _l("A cancelled event cannot be changed."),
        "draft_not_public": _l("A draft is not public, so there is nothing to cancel."),
        "ends_before_start": _l("The event must end after it starts."),
        "capacity_range": _l("The capacity must be from 0 to %(max)d.", max=rules.MAX_CAPACITY),
        "fee_range": lambda **_p: _(
            "The fee must be from 0 to %(max)s.", max=money(rules.MAX_FEE_ORE)
        ),
        "payment_days_range": _l("The days to pay must be from 1 to 60."),
        "offer_hours_range": _l("The hours to answer an offer must be from 1 to 336 (14 days)."),
        "closes_before_opens": _l("Registration must close after it opens."),
        "closes_after_end": _l("Registration must close before the event ends."),
        "priority_outside_registration": _l(
            "The priority deadline must be after registration opens and no later than it closes."
        ),
        "priority_closed": _l(
            "The places have already been allocated at the priority deadline; it can no "
            "longer be changed."
        ),
        "cancellation_after_start": _l(
            "The cancellation deadline must be no later than the start of the event."
        ),
        "venue_required": _l(
            "Enter the venue: an event on site or a hybrid event needs one to be published."
        ),
        "online_url_required": _l(
            "Enter the link: an online or hybrid event needs one to be published."
        ),
        "url_invalid": _l("The link must start with https://."),
        "missing_fields": _l("Fill in all the required fields."),
        "cancelled": _l("A cancelled event cannot be published again."),
        "to_draft": _l("A published or cancelled event cannot become a draft again."),
        "not_draft": _l("Only a draft can be deleted; cancel a published event instead."),
        "has_registrations": _l("The draft has registrations and cannot be deleted."),
        "over_capacity": lambda n=0, **_p: _(
            "Places held beyond the new capacity: %(n)d. Nobody has lost their "
            "place, and no place is offered until enough people have cancelled.",
            n=n,
        ),
    },
    parent=COMMON,
)
