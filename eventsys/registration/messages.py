"""The messages of the registration operations' error codes (pages and API)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from eventsys.formatting import money, when
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
        "resource_persons_only": _l(
            "This event is for the owners' resource persons only. Ask your institution's "
            "resource person, or the network's secretariat, if you should take part."
        ),
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
        "event_not_started": _l("Check-in opens three hours before the event starts."),
        "not_confirmed": _l("Only confirmed participants can be marked as attended."),
        "stripe_unavailable": _l(
            "The refund could not be made because the card payment service did not answer. "
            "Nothing is changed; please try again in a moment."
        ),
        "register_only_yourself": _l("You can only register yourself."),
        "no_fee_to_waive": _l("This person owes no fee, so there is nothing to waive."),
        "already_priority": _l("This person already has priority."),
        "needs_closed": _l(
            "The needs can be changed only for an active registration, until the event ends."
        ),
    },
    parent=COMMON,
)


# --- what happens next (the keys of registration/standing.py) ---------------------------
# Each entry takes the raw facts (øre, aware datetimes, counts) and formats them in the
# reader's language, so a page and an e-mail (rendered in the recipient's language)
# say the same sentence.


def _fmt(p: dict) -> dict:
    out = dict(p)
    for key in ("fee", "amount"):
        if key in out:
            out[key] = money(out[key])
    for key in ("deadline", "offer_deadline", "pay_deadline", "cancel_deadline", "opens"):
        if key in out:
            out[key] = when(out[key])
    return out


STEPS = Catalogue(
    {
        # The event's places.
        "seats_priority": lambda **p: _(
            "%(free)d of %(capacity)d places free. Until %(deadline)s, owner staff who "
            "register get a place at once; others who register get their answer then.",
            **_fmt(p),
        ),
        "seats_priority_answers": lambda **p: _(
            "%(free)d of %(capacity)d places free. Until %(deadline)s, owner staff who "
            "register get a place at once. The %(pending)d others registered so far get "
            "their answer then: the places still free go to them in the order they "
            "registered.",
            **_fmt(p),
        ),
        "seats_free": lambda **p: _("%(free)d of %(capacity)d places free.", **_fmt(p)),
        "seats_free_waiting": lambda **p: _(
            "%(free)d of %(capacity)d places free; they are offered in turn to the "
            "%(waiting)d on the waiting list.",
            **_fmt(p),
        ),
        "seats_full": lambda **p: ngettext(
            "The only place is taken. New registrations join the waiting list.",
            "All %(num)d places are taken. New registrations join the waiting list.",
            p["capacity"],
        ),
        "seats_full_waiting": lambda **p: ngettext(
            "The only place is taken, and %(waiting)d are on the waiting list. New "
            "registrations join the waiting list.",
            "All %(num)d places are taken, and %(waiting)d are on the waiting list. New "
            "registrations join the waiting list.",
            p["capacity"],
            waiting=p["waiting"],
        ),
        # The person.
        "event_cancelled": lambda **p: _(
            "The event is cancelled. Every registration is cancelled, and fees paid are refunded.",
            **_fmt(p),
        ),
        "not_open": lambda **p: _("Registration is not open.", **_fmt(p)),
        "opens_later": lambda **p: _("Registration opens %(opens)s.", **_fmt(p)),
        "closed": lambda **p: _("Registration is closed.", **_fmt(p)),
        "over": lambda **p: _("The event is over.", **_fmt(p)),
        "join_seat": lambda **p: _(
            "A place is free: register, and it is yours at once.", **_fmt(p)
        ),
        "join_pending": lambda **p: _(
            "Register before %(deadline)s and you get an answer then: the places still "
            "free go to those who registered, in the order they registered.",
            **_fmt(p),
        ),
        "join_waitlist": lambda **p: _(
            "There is no free place for you now: registering puts you on the waiting "
            "list, and we e-mail you an offer if a place becomes free.",
            **_fmt(p),
        ),
        "pending": lambda **p: _(
            "You get an answer at %(deadline)s: the places still free then go to those "
            "who registered, in the order they registered. You are number %(position)d "
            "in the queue.",
            **_fmt(p),
        ),
        "waitlisted": lambda **p: _(
            "You are number %(position)d on the waiting list. If a place becomes free, we "
            "e-mail you an offer to accept within %(hours)d hours.",
            **_fmt(p),
        ),
        "offered": lambda **p: _(
            "A place is free for you. Accept it by %(offer_deadline)s, or it goes to the "
            "next on the waiting list.",
            **_fmt(p),
        ),
        "confirmed": lambda **p: _("Your place is confirmed.", **_fmt(p)),
        "attended": lambda **p: _("You took part in the event.", **_fmt(p)),
        "no_show": lambda **p: _("You were registered, but did not come.", **_fmt(p)),
        "cancelled": lambda **p: _("Your registration is cancelled.", **_fmt(p)),
        # Money.
        "free_owner": _l("Free for owner staff."),
        "free": lambda **p: _("Participation is free for you.", **_fmt(p)),
        "fee_now": lambda **p: _(
            "Your fee is %(fee)s. After registering you pay by card or choose invoice.", **_fmt(p)
        ),
        "fee_if_seat": lambda **p: _(
            "The fee of %(fee)s is due only if you get a place.", **_fmt(p)
        ),
        "fee_on_accept": lambda **p: _(
            "If you accept, the fee is %(fee)s, paid by card or invoice.", **_fmt(p)
        ),
        "pay": lambda **p: _(
            "Pay the fee of %(fee)s by %(pay_deadline)s, by card or invoice. If it is "
            "neither paid nor invoiced by then, the place goes to the next on the waiting "
            "list.",
            **_fmt(p),
        ),
        "invoiced": lambda **p: _(
            "You chose invoice for the fee of %(fee)s: pay it by the due date on the invoice.",
            **_fmt(p),
        ),
        "paid": lambda **p: _("The fee of %(amount)s is paid.", **_fmt(p)),
        "paid_refundable": lambda **p: _(
            "The fee of %(amount)s is paid. Cancel before %(cancel_deadline)s and you get it "
            "back in full.",
            **_fmt(p),
        ),
        "refunded_card": lambda **p: _(
            "%(amount)s is refunded to the card you paid with; it usually shows on your "
            "account within 5–10 banking days.",
            **_fmt(p),
        ),
        "credited": lambda **p: _(
            "The invoice of %(fee)s is cancelled with a credit note, so nothing is owed. "
            "If it had been paid, the amount is paid back.",
            **_fmt(p),
        ),
        "not_refunded": lambda **p: _(
            "The fee of %(amount)s is not refunded: the registration was cancelled after "
            "the cancellation deadline.",
            **_fmt(p),
        ),
        "not_refunded_invoice": lambda **p: _(
            "The invoice of %(fee)s must still be paid: the registration was cancelled "
            "after the cancellation deadline.",
            **_fmt(p),
        ),
        # Before cancelling.
        "cancel_seat_to_next": lambda **p: _(
            "Your place goes to the next person on the waiting list. If you register "
            "again, you join the end of the waiting list.",
            **_fmt(p),
        ),
        "cancel_seat_free": lambda **p: _(
            "Your place becomes free. You can register again while places are free.", **_fmt(p)
        ),
        "cancel_seat_closed": lambda **p: _(
            "Your place becomes free. Registration is closed, so you cannot register again.",
            **_fmt(p),
        ),
        "cancel_pending": lambda **p: _(
            "You leave the queue for the places given out at %(deadline)s. If you "
            "register again, you come after everybody who registered before you do.",
            **_fmt(p),
        ),
        "cancel_waitlisted": lambda **p: _(
            "You leave the waiting list, where you are number %(position)d. If you "
            "register again, you join the end of it.",
            **_fmt(p),
        ),
        "cancel_nothing_owed": lambda **p: _(
            "You have not paid yet, so there is nothing to refund and nothing to pay.", **_fmt(p)
        ),
        "cancel_card_refund": lambda **p: _(
            "You get the full %(amount)s back to the card you paid with; it usually shows "
            "on your account within 5–10 banking days.",
            **_fmt(p),
        ),
        "cancel_invoice_credited": lambda **p: _(
            "The invoice of %(fee)s is cancelled with a credit note, so there is nothing to pay.",
            **_fmt(p),
        ),
        "cancel_paid_invoice_credited": lambda **p: _(
            "You get a credit note for the full %(amount)s, and the amount paid is paid back.",
            **_fmt(p),
        ),
        "cancel_no_refund": lambda **p: _(
            "The cancellation deadline (%(cancel_deadline)s) has passed, so the "
            "%(amount)s paid is not refunded. You can hand your place to a colleague "
            "instead.",
            **_fmt(p),
        ),
        "cancel_no_refund_invoice": lambda **p: _(
            "The cancellation deadline (%(cancel_deadline)s) has passed, so the invoice "
            "of %(fee)s must still be paid. You can hand your place to a colleague "
            "instead.",
            **_fmt(p),
        ),
        # The register button.
        "button_register": _l("Register"),
        "button_waitlist": _l("Put me on the waiting list"),
    }
)
