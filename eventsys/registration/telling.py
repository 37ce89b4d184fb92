"""The facts that registration/standing.py decides from, read from an event and a
registration, and its keys turned into sentences (registration/messages.py STEPS).
The event page, "My registrations", the cancel page, the flash after cancelling and
the cancellation e-mail all go through `tell`/`cancelling`, so they say the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventsys.events import rules as event_rules
from eventsys.events.models import Event
from eventsys.registration import rules, standing
from eventsys.registration.messages import STEPS
from eventsys.registration.models import Registration


def seats_of(event: Event, regs: list[rules.Reg], now: datetime) -> standing.Seats:
    waiting = rules.waiting_list(regs)
    return standing.Seats(
        capacity=event.capacity,
        held=rules.seats_held(regs),
        pending=sum(1 for r in waiting if r.state == rules.State.PENDING),
        waiting_tier1=sum(1 for r in waiting if r.state == rules.State.WAITLISTED and r.tier == 1),
        waiting_tier2=sum(1 for r in waiting if r.state == rules.State.WAITLISTED and r.tier != 1),
        priority_window=(
            event.priority_deadline is not None
            and event.priority_closed_at is None
            and now < event.priority_deadline
        ),
    )


def _payment(reg: Registration | None):
    # The payments package adds `Registration.payment` (a backref); registration
    # reads it without importing payments.
    return getattr(reg, "payment", None) if reg is not None else None


def _registration_window(event: Event, now: datetime) -> str:
    if now < event.registration_opens_at:
        return "upcoming"
    if event_rules.registration_is_open(
        event.registration_opens_at, event.registration_closes_at, now
    ):
        return "open"
    return "closed"


def standing_of(
    event: Event,
    reg: Registration | None,
    seats: standing.Seats,
    now: datetime,
    tier: int | None = None,
    fee: int | None = None,
) -> standing.Standing:
    """`tier` and `fee` are the person's (what they would get registering now) when
    they differ from the registration's own."""
    payment = _payment(reg)
    if tier is None:
        tier = reg.tier if reg is not None else 2
    if fee is None:
        fee = rules.fee_due(tier, event.fee, reg.fee_waived if reg is not None else False)
    return standing.Standing(
        seats=seats,
        event_status=event.status.value,
        registration=_registration_window(event, now),
        started=now >= event.starts_at,
        ended=now >= event.ends_at,
        tier=tier,
        fee=fee,
        state=reg.state if reg is not None else None,
        payment=payment.status.value if payment is not None else None,
        method=payment.method.value if payment is not None and payment.method else None,
        refund_open=rules.refund_allowed(now, event.cancellation_deadline, event.starts_at),
    )


def params_of(
    event: Event, reg: Registration | None, s: standing.Standing, position: int | None
) -> dict:
    """Every value a sentence may name, raw (STEPS formats them in the reader's
    language)."""
    payment = _payment(reg)
    return {
        "free": s.seats.free,
        "capacity": s.seats.capacity,
        "waiting": s.seats.waiting,
        "pending": s.seats.pending,
        "deadline": event.priority_deadline,
        "opens": event.registration_opens_at,
        "position": position or 0,
        "hours": event.offer_hours,
        "offer_deadline": reg.offer_expires_at if reg is not None else None,
        "fee": payment.amount if payment is not None else s.fee,
        "amount": (
            (payment.amount_refunded or payment.amount_paid or payment.amount)
            if payment is not None
            else s.fee
        ),
        "pay_deadline": payment.deadline if payment is not None else None,
        "cancel_deadline": event.cancellation_deadline or event.starts_at,
    }


def say(key: str | None, params: dict) -> str:
    return STEPS(key, **params) if key else ""


@dataclass(frozen=True)
class Told:
    """A person's standing in sentences, for a page or an e-mail."""

    step: standing.Step
    say: str
    money: str
    again: str
    button: str
    seats: str


def tell(
    event: Event,
    reg: Registration | None,
    regs: list[rules.Reg],
    now: datetime,
    tier: int | None = None,
    fee: int | None = None,
) -> Told:
    """What to tell the person about `reg` (their registration at `event`, or None):
    `regs` are the event's active registrations as the rules see them."""
    seats = seats_of(event, regs, now)
    s = standing_of(event, reg, seats, now, tier, fee)
    position = rules.positions(regs).get(reg.id) if reg is not None else None
    params = params_of(event, reg, s, position)
    step = standing.next_step(s)
    return Told(
        step=step,
        say=say(step.say, params),
        money=say(step.money, params),
        again=say(step.again, params),
        button=say(standing.register_button(step.action), params),
        seats=say(standing.seat_summary(seats), params),
    )


def cancelling(
    event: Event, reg: Registration, regs: list[rules.Reg], now: datetime
) -> tuple[str, str, str | None]:
    """(seat, money, money key): what cancelling `reg` now does, in sentences."""
    seats = seats_of(event, regs, now)
    s = standing_of(event, reg, seats, now)
    params = params_of(event, reg, s, rules.positions(regs).get(reg.id))
    seat, money = standing.on_cancel(s)
    return say(seat, params), say(money, params), money


def money_back(event: Event, reg: Registration, now: datetime) -> str:
    """After a cancellation: what happened to the fee (empty when nothing was paid)."""
    s = standing_of(event, reg, standing.Seats(capacity=event.capacity), now)
    return say(standing.money_after_cancel(s), params_of(event, reg, s, None))
