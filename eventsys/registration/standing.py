"""What happens next: one true sentence for every situation a person and an event can
be in. Pure rules (plain facts in, message keys out; no Flask, no database): the
event page, "My registrations", the cancel page, the flash after cancelling and the
cancellation e-mail all ask these functions, and `registration/messages.py` (STEPS)
holds the sentence of each key. Nothing else decides what a participant is told
about their standing.

The rules follow DESIGN.md ("Registration and priority", "Fees and payment") and
`registration/rules.py`:

- During the priority window (a deadline set, not yet passed, the allocation not yet
  run) owner staff (tier 1) get a free seat at once; everybody else is `pending` and
  told at the deadline. Free seats beside people "waiting" are therefore not a
  contradiction: those waiting are mostly pending tier-2 registrations, and the seats
  go to them at the deadline in the order they registered.
- A newcomer gets a seat at once only if a seat is free and nobody ahead of them in
  the queue waits (tier 1 before tier 2); otherwise they join the waiting list.
- A waiting person pays nothing unless they get a seat.
- Cancelling a seat gives it to the first on the waiting list when somebody waits;
  registering again then queues from the back. With nobody waiting the seat is simply
  free again.
- Money back on cancelling: in full before the cancellation deadline (no deadline:
  until the start); card payments go back to the card, invoices are credited with a
  credit note. After the deadline nothing goes back, but the seat can be handed to a
  colleague. An event the organisers cancel refunds everybody.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsys.registration.rules import SEAT_HOLDING, WAITING, State


@dataclass(frozen=True)
class Seats:
    """The event's seats as the public sees them."""

    capacity: int
    held: int = 0
    pending: int = 0  # tier 2, answered at the priority deadline
    waiting_tier1: int = 0
    waiting_tier2: int = 0  # waitlisted tier 2
    priority_window: bool = False  # before the priority deadline, allocation not yet run

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.held)

    @property
    def waiting(self) -> int:
        return self.pending + self.waiting_tier1 + self.waiting_tier2


@dataclass(frozen=True)
class Standing:
    """One person at one event. `state` is their registration's (the active one, else
    the latest), None when they have none. `payment` and `method` are the payment
    row's status and method (None without one). `fee` is what they pay or would pay
    (0: owner staff, waived or a free event)."""

    seats: Seats
    event_status: str = "published"  # published | cancelled | draft
    registration: str = "open"  # open | upcoming | closed
    started: bool = False
    ended: bool = False
    tier: int = 2
    fee: int = 0
    state: State | None = None
    payment: str | None = None  # due | invoiced | paid | refunded
    method: str | None = None  # card | invoice
    refund_open: bool = True  # before the cancellation deadline


@dataclass(frozen=True)
class Step:
    """What to tell the person (`say`), about money (`money`, or None), which button to
    offer (`action`: register, waitlist, pay, accept, or None) and, for a cancelled
    registration, what registering again would give (`again`)."""

    say: str
    money: str | None = None
    action: str | None = None
    again: str | None = None


# --- the event's seats -----------------------------------------------------------------


def seat_summary(seats: Seats) -> str:
    """The sentence beside the event's facts about its places."""
    if seats.priority_window:
        return "seats_priority_answers" if seats.pending else "seats_priority"
    if seats.free:
        return "seats_free_waiting" if seats.waiting else "seats_free"
    return "seats_full_waiting" if seats.waiting else "seats_full"


def joins(seats: Seats, tier: int) -> str:
    """What registering now gives: "seat", "pending" or "waitlist" (rules.register)."""
    if seats.priority_window:
        if tier != 1:
            return "pending"
        return "seat" if seats.free and not seats.waiting_tier1 else "waitlist"
    ahead = seats.waiting_tier1 + (0 if tier == 1 else seats.waiting_tier2 + seats.pending)
    return "seat" if seats.free and not ahead else "waitlist"


# --- the person ------------------------------------------------------------------------


def _money_if_seat(s: Standing) -> str | None:
    return "fee_if_seat" if s.fee else None


def next_step(s: Standing) -> Step:
    """The one thing to tell a person looking at the event (or their registration)."""
    if s.event_status == "cancelled":
        return Step("event_cancelled", money_after_cancel(s) if s.state else None)
    if s.state in (None, State.CANCELLED):
        step = _not_registered(s)
        if s.state == State.CANCELLED:
            return Step("cancelled", money_after_cancel(s), step.action, step.say)
        return step
    if s.state == State.ATTENDED:
        return Step("attended")
    if s.state == State.NO_SHOW:
        return Step("no_show")
    if s.ended:
        return Step("over")
    if s.state == State.PENDING:
        return Step("pending", _money_if_seat(s))
    if s.state == State.WAITLISTED:
        return Step("waitlisted", _money_if_seat(s))
    if s.state == State.OFFERED:
        return Step("offered", "fee_on_accept" if s.fee else None, "accept")
    # confirmed
    if not s.fee or s.payment is None:
        if s.fee:
            return Step("confirmed")
        return Step("confirmed", "free_owner" if s.tier == 1 else "free")
    if s.payment == "due":
        return Step("confirmed", "pay", "pay")
    if s.payment == "invoiced":
        return Step("confirmed", "invoiced")
    if s.payment == "paid":
        return Step("confirmed", "paid_refundable" if s.refund_open else "paid")
    return Step("confirmed")


def _not_registered(s: Standing) -> Step:
    if s.ended:
        return Step("over")
    if s.event_status != "published":
        return Step("not_open")
    if s.registration == "upcoming":
        return Step("opens_later")
    if s.registration == "closed":
        return Step("closed")
    how = joins(s.seats, s.tier)
    if how == "seat":
        return Step("join_seat", "fee_now" if s.fee else None, "register")
    if how == "pending":
        return Step("join_pending", _money_if_seat(s), "register")
    return Step("join_waitlist", _money_if_seat(s), "waitlist")


def register_button(action: str | None) -> str:
    """The register button's label key: joining the waiting list says so."""
    return "button_waitlist" if action == "waitlist" else "button_register"


# --- cancelling ------------------------------------------------------------------------


def on_cancel(s: Standing) -> tuple[str | None, str | None]:
    """(seat, money): what cancelling this active registration does, said before."""
    if s.state in SEAT_HOLDING:
        if s.seats.waiting:
            seat = "cancel_seat_to_next"
        else:
            seat = "cancel_seat_free" if s.registration == "open" else "cancel_seat_closed"
    elif s.state == State.PENDING:
        seat = "cancel_pending"
    elif s.state in WAITING:
        seat = "cancel_waitlisted"
    else:
        seat = None
    return seat, money_on_cancel(s)


def money_on_cancel(s: Standing) -> str | None:
    """What happens to the fee if the registration is cancelled now."""
    if not s.fee or s.payment is None:
        return None
    if s.payment == "due":
        return "cancel_nothing_owed"
    if s.payment == "refunded":
        return None
    if not s.refund_open:
        return "cancel_no_refund_invoice" if s.payment == "invoiced" else "cancel_no_refund"
    if s.payment == "invoiced":
        return "cancel_invoice_credited"
    if s.method == "invoice":
        return "cancel_paid_invoice_credited"
    return "cancel_card_refund"


def money_after_cancel(s: Standing) -> str | None:
    """What happened to the fee once the registration is cancelled (the payment row as
    it is after the cancellation)."""
    if s.payment is None or s.payment == "due":
        return None
    if s.payment == "refunded":
        return "credited" if s.method == "invoice" else "refunded_card"
    return "not_refunded_invoice" if s.payment == "invoiced" else "not_refunded"
