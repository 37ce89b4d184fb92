"""Pure rules for seats, priority and the waiting list: no Flask, no database.

Every change of a registration's state is decided here, from plain facts. The
operations layer locks the event row, loads the event's registrations as `Reg` values,
calls one function and applies the `Change`s it returns. Nothing here mutates its input
or reads the clock: `now` is always an argument, so a call can be repeated (the tick
command may run on several hosts) and tested without an app.

The rules are those of DESIGN.md, "Registration and priority". Where DESIGN.md is
silent, this module decides as follows:

- The queue ("waiting list") holds `waitlisted` and `pending` registrations, ordered by
  tier, then by `queued_at` (the registration time, or an organiser's `sort_at`), then
  by id. A seat is only ever handed to the first eligible registration of that order.
- While the priority allocation has not run (`priority_deadline` set and
  `priority_closed` false), freed seats are offered to tier 1 only; everybody in tier 2
  waits for `close_priority_window`, even a few seconds after the deadline.
- At the deadline, pending registrations that get a seat are confirmed at once (they
  have already asked and were promised an answer then); waitlisted ones that are
  reached get an offer, like any freed seat.
- "A free seat is confirmed at once if nobody waits" (rule 3) is read as "nobody who
  comes before the newcomer in the queue waits": a late tier-1 registration therefore
  takes a free seat even while tier-2 registrations wait for the deadline allocation.
- An expired or declined offer cancels that registration. Putting it back in the queue
  would put it first again (by its registration time), so the offer would never pass
  on. The participant may register again and queue from the back.
- An offer is valid while `now < offer_expires_at`. No offer is made once the event
  has started (its deadline would already have passed); the seat stays free.
- An organiser's "move" sets `sort_at`, which replaces `registered_at` in the ordering.
  It never crosses tiers: that takes a change of tier (a confirmed affiliation).
- An organiser's override confirms regardless of the queue and of capacity; the
  decision says when it went beyond capacity so that it can be shown.
- Lowering capacity changes nobody; while more seats are held than there are, no new
  seat is handed out.

Refusals raise `RuleError` with a stable code: invalid_tier, already_active,
unknown_registration, not_active, not_offered, offer_expired, invalid_capacity,
priority_window_open.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


class State(enum.StrEnum):
    """The state of one registration; the values are stored in the database."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    OFFERED = "offered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Tier(enum.IntEnum):
    """Priority tier. `Reg.tier` is a plain int; these name the two values."""

    OWNER_STAFF = 1
    OTHER = 2


#: States that hold a seat.
SEAT_HOLDING = frozenset({State.CONFIRMED, State.OFFERED})
#: States that are in the queue for a seat.
WAITING = frozenset({State.PENDING, State.WAITLISTED})
#: States a person can hold only once per event, and that a participant can cancel.
ACTIVE = SEAT_HOLDING | WAITING
#: Who may follow the event online: a seat, or having attended.
SEES_ONLINE_LINK = frozenset({State.CONFIRMED, State.ATTENDED})


#: Check-in at the door opens this long before the event starts (people come early).
CHECKIN_OPENS_BEFORE = timedelta(hours=3)


def attendance_open(starts_at: datetime, now: datetime) -> bool:
    """Attendance can be recorded from a little before the start, and afterwards."""
    return now >= starts_at - CHECKIN_OPENS_BEFORE


class RuleError(Exception):
    """A request the rules refuse; `code` is stable, the text is English for logs."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class EventFacts:
    """What the rules need to know about an event. All datetimes timezone-aware.

    `priority_closed` says that `close_priority_window` has already run (the operations
    layer stores it with the event after applying that call's changes).
    """

    capacity: int
    priority_deadline: datetime | None
    starts_at: datetime
    offer_hours: int = 48
    priority_closed: bool = False


@dataclass(frozen=True)
class Reg:
    """One registration as the rules see it.

    `sort_at`, when set, replaces `registered_at` in the queue order: an organiser moves
    someone by giving them the time of the place they should have (e.g. one microsecond
    before the person they should precede). It only orders within a tier.
    """

    id: int
    tier: int
    state: State
    registered_at: datetime
    offer_expires_at: datetime | None = None
    sort_at: datetime | None = None
    person_id: int | None = None

    @property
    def queued_at(self) -> datetime:
        """The time that places this registration in its tier's queue."""
        return self.sort_at if self.sort_at is not None else self.registered_at


@dataclass(frozen=True)
class NewRequest:
    """Somebody asks for a seat at time `at`. `person_id` guards against a second
    active registration of the same person when given."""

    id: int
    tier: int
    at: datetime
    person_id: int | None = None


@dataclass(frozen=True)
class Change:
    """Set registration `reg_id` to `new_state`; `offer_expires_at` is set for offers
    and None (to be cleared) for every other state."""

    reg_id: int
    new_state: State
    offer_expires_at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """The answer to `register`: the newcomer's state and what else changes."""

    state: State
    offer_expires_at: datetime | None = None
    changes: tuple[Change, ...] = ()
    #: True when an organiser's override put more seats in use than the capacity.
    exceeds_capacity: bool = False


@dataclass(frozen=True)
class CapacityResult:
    """The answer to `change_capacity`; `over_by` > 0 is shown as a warning."""

    changes: tuple[Change, ...]
    over_by: int


# --- reading the state ---------------------------------------------------------------


def queue_key(reg: Reg) -> tuple[int, datetime, int]:
    """Order of the waiting list: tier, then time in the queue, then id."""
    return (reg.tier, reg.queued_at, reg.id)


def waiting_list(regs: Iterable[Reg]) -> list[Reg]:
    """The registrations waiting for a seat (waitlisted and pending), first first."""
    return sorted((r for r in regs if r.state in WAITING), key=queue_key)


def positions(regs: Iterable[Reg]) -> dict[int, int]:
    """1-based place in the waiting list by registration id (pending included: during
    the priority window it tells a tier-2 participant where they stand)."""
    return {reg.id: place for place, reg in enumerate(waiting_list(regs), start=1)}


def seats_held(regs: Iterable[Reg]) -> int:
    """How many seats are in use (confirmed and offered registrations)."""
    return sum(1 for r in regs if r.state in SEAT_HOLDING)


def free_seats(event: EventFacts, regs: Iterable[Reg]) -> int:
    """Seats that may be handed out; 0 when capacity is reached or exceeded."""
    return max(0, event.capacity - seats_held(regs))


def offer_deadline(event: EventFacts, now: datetime) -> datetime | None:
    """When an offer made now must be answered, or None if no offer can be made."""
    deadline = min(now + timedelta(hours=event.offer_hours), event.starts_at)
    return deadline if deadline > now else None


def priority_allocation_pending(event: EventFacts) -> bool:
    """True until the allocation at the priority deadline has run."""
    return event.priority_deadline is not None and not event.priority_closed


def apply_changes(regs: Iterable[Reg], changes: Iterable[Change]) -> list[Reg]:
    """The registrations after `changes`, in the same order (for callers and tests)."""
    by_id = {c.reg_id: c for c in changes}
    return [
        replace(r, state=by_id[r.id].new_state, offer_expires_at=by_id[r.id].offer_expires_at)
        if r.id in by_id
        else r
        for r in regs
    ]


# --- deciding changes ----------------------------------------------------------------


class _Plan:
    """A working copy of the registrations that records what was changed, in order."""

    def __init__(self, regs: Iterable[Reg]):
        self.original: dict[int, Reg] = {}
        for reg in regs:
            if reg.id in self.original:
                raise ValueError(f"registration {reg.id} is given twice")
            self.original[reg.id] = reg
        self.current = dict(self.original)
        self._touched: dict[int, None] = {}

    def regs(self) -> list[Reg]:
        return list(self.current.values())

    def get(self, reg_id: int) -> Reg:
        try:
            return self.current[reg_id]
        except KeyError:
            raise RuleError(
                "unknown_registration", f"No registration {reg_id} for this event."
            ) from None

    def add(self, reg: Reg) -> None:
        self.current[reg.id] = reg

    def set(self, reg_id: int, state: State, offer_expires_at: datetime | None = None) -> None:
        self.current[reg_id] = replace(
            self.current[reg_id], state=state, offer_expires_at=offer_expires_at
        )
        self._touched[reg_id] = None

    def changes(self) -> list[Change]:
        # Only what differs from the input: a registration touched twice in one call
        # appears once, with its final state.
        result = []
        for reg_id in self._touched:
            before, after = self.original.get(reg_id), self.current[reg_id]
            if before is None:
                continue
            if (before.state, before.offer_expires_at) != (after.state, after.offer_expires_at):
                result.append(Change(reg_id, after.state, after.offer_expires_at))
        return result


def _fill(plan: _Plan, event: EventFacts, now: datetime, held_outside: int = 0) -> None:
    """Offer free seats down the plan's waiting list; `held_outside` counts seats held
    by registrations the plan does not hold (see `admit`)."""
    deadline = offer_deadline(event, now)
    if deadline is None:
        return
    free = event.capacity - held_outside - seats_held(plan.regs())
    for reg in waiting_list(plan.regs()):
        if free <= 0:
            break
        if reg.tier != Tier.OWNER_STAFF and priority_allocation_pending(event):
            # Tier 2 gets its seats at the deadline allocation, in registration order;
            # everyone after this one is tier 2 as well, so stop here.
            break
        plan.set(reg.id, State.OFFERED, deadline)
        free -= 1


def fill_free_seats(event: EventFacts, regs: Iterable[Reg], now: datetime) -> list[Change]:
    """Rule 5: offer free seats to the first on the waiting list, one seat each.

    The offer must be answered by `now + offer_hours`, never later than the event's
    start; once the event has started no offer is made. While the priority allocation is
    pending only tier 1 gets offers. Call it after anything that may free or unlock a
    seat (the other functions here already do).
    """
    plan = _Plan(regs)
    _fill(plan, event, now)
    return plan.changes()


def register(
    event: EventFacts, regs: Iterable[Reg], new: NewRequest, *, override: bool = False
) -> Decision:
    """Rules 1 and 3: the state of a new registration made at `new.at`, given all the
    event's active registrations (`admit` decides it from fewer facts).

    Raises RuleError "invalid_tier" or "already_active" (the id, or `person_id` when
    given, already has an active registration). A cancelled registration with the same
    id is replaced: the newcomer queues from `new.at`.
    """
    regs = list(regs)
    for reg in regs:
        same_person = new.person_id is not None and reg.person_id == new.person_id
        if reg.state in ACTIVE and (reg.id == new.id or same_person):
            raise RuleError("already_active", "This person is already registered.")
    others = [r for r in regs if r.id != new.id]
    return admit(event, seats_held(others), waiting_list(others), new, override=override)


def queue_head_size(event: EventFacts, held: int) -> int:
    """How much of the waiting list `admit` needs: one more than the free seats."""
    return max(0, event.capacity - held) + 1


def admit(
    event: EventFacts, held: int, head: Iterable[Reg], new: NewRequest, *, override: bool = False
) -> Decision:
    """Rules 1 and 3 from what they need, so that a registration's work does not grow
    with the waiting list: `held` seats in use and the `head` of the waiting list, in
    queue order, at least `queue_head_size(event, held)` long (or all of it).

    Before the priority deadline tier 1 is confirmed while a seat is free, tier 2 is
    pending. Otherwise a free seat is confirmed at once unless somebody who comes
    before the newcomer in the queue waits; else the newcomer is waitlisted. With
    `override` an organiser confirms regardless of queue and capacity.

    Raises RuleError "invalid_tier". The caller sees to one active registration per
    person (`register` checks it; the database's unique index does in operations).
    """
    if new.tier not in (Tier.OWNER_STAFF, Tier.OTHER):
        raise RuleError("invalid_tier", f"Unknown priority tier {new.tier}.")
    plan = _Plan(head)
    newcomer = Reg(new.id, new.tier, State.WAITLISTED, new.at, person_id=new.person_id)
    deadline = event.priority_deadline
    in_window = deadline is not None and not event.priority_closed and new.at < deadline
    if override:
        state = State.CONFIRMED
    elif in_window and new.tier != Tier.OWNER_STAFF:
        state = State.PENDING
    else:
        someone_before = any(queue_key(w) < queue_key(newcomer) for w in waiting_list(plan.regs()))
        has_seat = event.capacity - held > 0
        state = State.CONFIRMED if has_seat and not someone_before else State.WAITLISTED
    plan.add(replace(newcomer, state=state))
    # A free seat and a waiting list together should not exist, but if they do
    # (e.g. the newcomer queued behind someone no offer reached), hand them out now.
    _fill(plan, event, new.at, held_outside=held)

    final = plan.current[new.id]
    return Decision(
        state=final.state,
        offer_expires_at=final.offer_expires_at,
        changes=tuple(plan.changes()),
        exceeds_capacity=override and held + seats_held(plan.regs()) > event.capacity,
    )


def close_priority_window(event: EventFacts, regs: Iterable[Reg], now: datetime) -> list[Change]:
    """Rule 2: the allocation at the priority deadline.

    Free seats go down the queue: tier 1 first (an offer, as for any freed seat; it can
    only wait here if no seat was free), then pending tier-2 registrations in the order
    they registered, which are confirmed. The pending ones left over are waitlisted.
    Returns [] when there is no deadline or the allocation has run already; afterwards
    the caller stores `priority_closed=True`. Raises RuleError "priority_window_open"
    before the deadline.
    """
    if event.priority_deadline is None or event.priority_closed:
        return []
    if now < event.priority_deadline:
        raise RuleError("priority_window_open", "The priority deadline has not passed yet.")
    plan = _Plan(regs)
    free = event.capacity - seats_held(plan.regs())
    deadline = offer_deadline(event, now)
    queue = waiting_list(plan.regs())
    for reg in queue:
        if free <= 0:
            break
        if reg.state is State.PENDING:
            plan.set(reg.id, State.CONFIRMED)
        elif deadline is not None:
            plan.set(reg.id, State.OFFERED, deadline)
        else:
            # No offer can be made after the start; skipping this one would let someone
            # later in the queue pass them.
            break
        free -= 1
    for reg in queue:
        if plan.current[reg.id].state is State.PENDING:
            plan.set(reg.id, State.WAITLISTED)
    return plan.changes()


def cancel(event: EventFacts, regs: Iterable[Reg], reg_id: int, now: datetime) -> list[Change]:
    """The participant (or an organiser for them) cancels; a freed seat is offered on.

    Raises RuleError "unknown_registration" or "not_active" (already cancelled, or the
    event is over).
    """
    plan = _Plan(regs)
    if plan.get(reg_id).state not in ACTIVE:
        raise RuleError("not_active", "This registration is not active.")
    plan.set(reg_id, State.CANCELLED)
    _fill(plan, event, now)
    return plan.changes()


def change_capacity(
    event: EventFacts, regs: Iterable[Reg], new_capacity: int, now: datetime
) -> CapacityResult:
    """Rule 6: a new capacity. New seats are offered down the waiting list; a capacity
    below the seats held cancels nobody and is reported as `over_by`.

    Raises RuleError "invalid_capacity" for a negative capacity.
    """
    if new_capacity < 0:
        raise RuleError("invalid_capacity", "Capacity cannot be negative.")
    changed = replace(event, capacity=new_capacity)
    plan = _Plan(regs)
    _fill(plan, changed, now)
    over_by = max(0, seats_held(plan.regs()) - new_capacity)
    return CapacityResult(changes=tuple(plan.changes()), over_by=over_by)


def expire_offers(event: EventFacts, regs: Iterable[Reg], now: datetime) -> list[Change]:
    """Rule 5: offers not answered by their deadline (`offer_expires_at <= now`) are
    cancelled and their seats offered to the next on the waiting list."""
    plan = _Plan(regs)
    for reg in plan.regs():
        if (
            reg.state is State.OFFERED
            and reg.offer_expires_at is not None
            and reg.offer_expires_at <= now
        ):
            plan.set(reg.id, State.CANCELLED)
    _fill(plan, event, now)
    return plan.changes()


def accept_offer(
    event: EventFacts, regs: Iterable[Reg], reg_id: int, now: datetime
) -> list[Change]:
    """The participant accepts an offer in time: the registration is confirmed.

    Raises RuleError "unknown_registration", "not_offered", or "offer_expired" (also
    when the tick has not yet cancelled it; an offer without a deadline ends at the
    event's start).
    """
    plan = _Plan(regs)
    reg = plan.get(reg_id)
    if reg.state is not State.OFFERED:
        raise RuleError("not_offered", "There is no open offer for this registration.")
    expires = reg.offer_expires_at if reg.offer_expires_at is not None else event.starts_at
    if now >= expires:
        raise RuleError("offer_expired", "The offer has expired.")
    plan.set(reg_id, State.CONFIRMED)
    return plan.changes()


def decline_offer(
    event: EventFacts, regs: Iterable[Reg], reg_id: int, now: datetime
) -> list[Change]:
    """The participant declines an offer: the registration is cancelled and the seat
    offered to the next. Raises RuleError "unknown_registration" or "not_offered"."""
    plan = _Plan(regs)
    if plan.get(reg_id).state is not State.OFFERED:
        raise RuleError("not_offered", "There is no open offer for this registration.")
    plan.set(reg_id, State.CANCELLED)
    _fill(plan, event, now)
    return plan.changes()


# --- what an organiser may do with one registration ------------------------------------


def row_actions(state: State, tier: int, fee: int, fee_waived: bool) -> frozenset[str]:
    """The organiser's actions on a registration in this state (the participant list
    offers exactly these; the operations refuse the rest): "cancel",
    "confirm_affiliation" (priority for someone without it), "waive_fee" (a fee still
    owed) and "move" (in the waiting list). Attendance is decided by time, not here."""
    if state not in ACTIVE:
        return frozenset()
    actions = {"cancel"}
    if tier == 2:
        actions.add("confirm_affiliation")
        if fee > 0 and not fee_waived:
            actions.add("waive_fee")
    if state in WAITING:
        actions.add("move")
    return frozenset(actions)


def no_shows(states: Iterable[tuple[int, State]], ends_at: datetime, now: datetime) -> list[int]:
    """After an event where attendance was taken at the door (somebody attended), the
    confirmed who never checked in are no-shows; before its end, or where nobody was
    checked in (nobody knows who came), nobody is."""
    states = list(states)
    if now < ends_at or not any(state == State.ATTENDED for _id, state in states):
        return []
    return [reg_id for reg_id, state in states if state == State.CONFIRMED]


def fee_due(tier: int, fee: int, waived: bool) -> int:
    """Tier 1 (owner staff) attends free; tier 2 pays the fee unless it is waived."""
    if tier == 1 or waived:
        return 0
    return max(0, fee)


def needs_editable(state: State, ends_at: datetime, now: datetime) -> bool:
    """A participant may change their dietary and accessibility needs while the
    registration is active and the event has not ended (afterwards the needs only wait
    to be deleted)."""
    return state in ACTIVE and now < ends_at


def refund_allowed(
    now: datetime, cancellation_deadline: datetime | None, starts_at: datetime
) -> bool:
    """A full refund before the cancellation deadline; with no deadline set, until the
    event starts. The organisers cancelling the event refunds regardless (caller)."""
    limit = cancellation_deadline or starts_at
    return now < limit


#: What an organiser sees in the participant list's payment column.
PAYMENT_STAGES = (
    "free",  # owner staff, or an event without a fee
    "waived",  # an organiser waived the fee (speakers, student helpers)
    "not_yet",  # owes the fee once they get a seat (waiting list, pending, offered)
    "unpaid",  # has a seat and has neither paid nor chosen invoice
    "invoiced",  # chose invoice; the invoice is not paid yet
    "paid_card",
    "paid_invoice",
    "refunded",
)


def payment_stage(tier: int, fee: int, waived: bool, status: str | None, method: str | None) -> str:
    """One of PAYMENT_STAGES, from the registration's tier and waiver and its payment
    row's status and method (None when there is no payment row)."""
    if status is None:
        if tier == 2 and fee > 0 and waived:
            return "waived"
        return "free" if fee_due(tier, fee, waived) == 0 else "not_yet"
    if status == "due":
        return "unpaid"
    if status == "invoiced":
        return "invoiced"
    if status == "paid":
        return "paid_invoice" if method == "invoice" else "paid_card"
    return "refunded"
