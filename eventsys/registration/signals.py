"""Domain signals of registration (blinker, as Indico's `signals.event.*` and pretix's
`order_paid`). Registration sends them inside the transaction, with the event row
locked; the packages that care (payments, the årshjul) connect their listeners in
their own `listeners.py`, so registration never imports them.

Listeners run in the sender's transaction and must not talk to the outside world:
what has to reach Stripe or SMTP is written to an outbox and done after the commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

seat_taken = _signals.signal(
    "seat-taken",
    doc="""A registration got a seat (it is confirmed). Sender: the Registration;
    kwargs: `event`, `now`. Payments asks a tier-2 participant for the fee.""",
)

registration_cancelled = _signals.signal(
    "registration-cancelled",
    doc="""A registration was cancelled by the participant or an organiser. Sender: the
    Registration; kwargs: `event`, `now`. Payments refunds or credits what the rules say
    (or closes an open Checkout page).""",
)

event_cancelled = _signals.signal(
    "event-cancelled",
    doc="""The organisers cancelled the event; its registrations are cancelled already.
    Sender: the Event; kwargs: `registrations` (all of them, also those cancelled
    earlier), `now`. Payments gives everybody who paid their money back.""",
)

fee_changed = _signals.signal(
    "fee-changed",
    doc="""The fee a registration owes may have changed (fee waived, priority confirmed).
    Sender: the Registration. Payments drops a payment that is owed no more.""",
)

confirmation_attachments = _signals.signal(
    "confirmation-attachments",
    doc="""A confirmation e-mail is being written. Sender: the Registration. Receivers
    return a list of (filename, content type, bytes) to attach; the årshjul gives the
    event's calendar file.""",
)


def attachments_for(reg) -> list[tuple[str, str, bytes]]:
    """Every file the listeners want on `reg`'s confirmation e-mail."""
    found: list[tuple[str, str, bytes]] = []
    for _receiver, files in confirmation_attachments.send(reg):
        found.extend(files or [])
    return found
