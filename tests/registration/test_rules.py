"""Seat allocation, priority and the waiting list (DESIGN.md "Registration and
priority"), without an app: readable examples for each rule, then property-based tests
that drive random sequences of actions and check the invariants of point 7."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from eventsys.registration import rules
from eventsys.registration.rules import (
    Change,
    EventFacts,
    NewRequest,
    Reg,
    RuleError,
    State,
)

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)

PENDING, CONFIRMED, OFFERED = State.PENDING, State.CONFIRMED, State.OFFERED
WAITLISTED, CANCELLED = State.WAITLISTED, State.CANCELLED


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def event(capacity=2, deadline: float | None = None, starts=24 * 30, **kwargs) -> EventFacts:
    """An event starting `starts` hours after T0, priority deadline `deadline` hours after."""
    return EventFacts(
        capacity=capacity,
        priority_deadline=None if deadline is None else at(deadline),
        starts_at=at(starts),
        **kwargs,
    )


def reg(id, tier, state, hours=0.0, **kwargs) -> Reg:
    return Reg(id=id, tier=tier, state=state, registered_at=at(hours), **kwargs)


def offer(id, tier, hours, expires, **kwargs) -> Reg:
    return reg(id, tier, OFFERED, hours, offer_expires_at=at(expires), **kwargs)


# --- rule 1: before the priority deadline ----------------------------------------------


@pytest.mark.parametrize(
    "tier, taken, expected",
    [
        (1, 0, CONFIRMED),  # owner staff: a seat at once
        (1, 2, WAITLISTED),  # owner staff, event full
        (2, 0, PENDING),  # everyone else waits for the deadline, even with seats free
        (2, 2, PENDING),
    ],
)
def test_before_the_deadline_tier_1_is_confirmed_and_tier_2_pending(tier, taken, expected):
    regs = [reg(i, 1, CONFIRMED) for i in range(1, taken + 1)]
    decision = rules.register(event(capacity=2, deadline=48), regs, NewRequest(10, tier, at(5)))
    assert decision.state is expected
    assert decision.changes == ()


def test_tier_1_waiting_before_the_deadline_keeps_its_turn():
    # One seat free but an earlier owner-staff registration waits for it (it should
    # have had an offer; the newcomer must not overtake it).
    regs = [reg(1, 1, CONFIRMED), reg(2, 1, WAITLISTED, 1)]
    decision = rules.register(event(capacity=2, deadline=48), regs, NewRequest(3, 1, at(2)))
    assert decision.state is WAITLISTED
    assert decision.changes == (Change(2, OFFERED, at(2 + 48)),)


# --- rule 2: at the priority deadline --------------------------------------------------


def test_at_the_deadline_free_seats_go_to_pending_in_registration_order():
    ev = event(capacity=3, deadline=48)
    regs = [
        reg(1, 1, CONFIRMED, 1),
        reg(2, 2, PENDING, 3),
        reg(3, 2, PENDING, 2),  # registered before id 2
        reg(4, 2, PENDING, 4),
    ]
    changes = rules.close_priority_window(ev, regs, at(48))
    assert changes == [
        Change(3, CONFIRMED),
        Change(2, CONFIRMED),
        Change(4, WAITLISTED),
    ]
    assert rules.positions(rules.apply_changes(regs, changes)) == {4: 1}


def test_at_the_deadline_waiting_tier_1_is_served_before_pending_tier_2():
    # Id 5 came after the deadline, before the allocation ran; the seat freed by id 1
    # is still unallocated. Tier 1 gets it (as an offer), not the pending tier 2.
    ev = event(capacity=2, deadline=48)
    regs = [
        reg(1, 1, CANCELLED, 1),
        reg(2, 1, CONFIRMED, 2),
        reg(3, 2, PENDING, 3),
        reg(5, 1, WAITLISTED, 50),
    ]
    changes = rules.close_priority_window(ev, regs, at(51))
    assert changes == [Change(5, OFFERED, at(51 + 48)), Change(3, WAITLISTED)]


def test_the_deadline_allocation_runs_once_and_not_early():
    ev = event(capacity=1, deadline=48)
    regs = [reg(1, 2, PENDING)]
    with pytest.raises(RuleError) as err:
        rules.close_priority_window(ev, regs, at(47.9))
    assert err.value.code == "priority_window_open"
    closed = replace(ev, priority_closed=True)
    assert rules.close_priority_window(closed, regs, at(49)) == []
    assert rules.close_priority_window(event(deadline=None), regs, at(49)) == []


# --- rule 3: after the deadline, or without one -----------------------------------------


@pytest.mark.parametrize("deadline", [None, 24])
def test_after_the_deadline_a_free_seat_is_confirmed_at_once(deadline):
    ev = event(capacity=2, deadline=deadline, priority_closed=deadline is not None)
    decision = rules.register(ev, [reg(1, 2, CONFIRMED)], NewRequest(2, 2, at(30)))
    assert decision.state is CONFIRMED


@pytest.mark.parametrize("tier", [1, 2])
def test_after_the_deadline_a_full_event_means_the_waiting_list(tier):
    regs = [reg(1, 2, CONFIRMED), reg(2, 2, OFFERED, offer_expires_at=at(40))]
    decision = rules.register(event(capacity=2), regs, NewRequest(3, tier, at(30)))
    assert decision.state is WAITLISTED


def test_a_newcomer_queues_behind_someone_waiting_even_with_a_seat_free():
    # The event has started, so the waiting person could not get an offer; the seat
    # stays free and the newcomer does not jump the queue for it.
    ev = event(capacity=2, starts=10)
    regs = [reg(1, 2, CONFIRMED), reg(2, 2, WAITLISTED, 1)]
    decision = rules.register(ev, regs, NewRequest(3, 2, at(11)))
    assert decision.state is WAITLISTED
    assert decision.changes == ()


def test_a_late_tier_1_takes_a_free_seat_while_tier_2_waits_for_the_allocation():
    # Deadline passed, allocation not yet run: pending tier 2 do not come before tier 1.
    ev = event(capacity=3, deadline=48)
    regs = [reg(1, 2, CONFIRMED, 50), reg(2, 2, PENDING, 3)]
    decision = rules.register(ev, regs, NewRequest(3, 1, at(49)))
    assert decision.state is CONFIRMED
    # ...but a late tier 2 does not pass the pending ones.
    decision = rules.register(ev, regs, NewRequest(4, 2, at(49)))
    assert decision.state is WAITLISTED


# --- rule 4: the order of the waiting list ---------------------------------------------


def test_a_late_tier_1_goes_before_every_waiting_tier_2():
    regs = [
        reg(1, 2, WAITLISTED, 1),
        reg(2, 2, WAITLISTED, 2),
        reg(3, 1, WAITLISTED, 9),
        reg(4, 1, WAITLISTED, 3),
        reg(5, 1, CONFIRMED, 0),  # not waiting: no position
    ]
    assert rules.positions(regs) == {4: 1, 3: 2, 1: 3, 2: 4}


def test_equal_times_are_ordered_by_id():
    regs = [reg(7, 2, WAITLISTED, 1), reg(3, 2, WAITLISTED, 1)]
    assert rules.positions(regs) == {3: 1, 7: 2}


def test_an_organiser_moves_someone_up_within_their_tier_only():
    regs = [
        reg(1, 1, WAITLISTED, 5),
        reg(2, 2, WAITLISTED, 1),
        reg(3, 2, WAITLISTED, 2),
        # Moved to just before id 2, and even earlier than the tier-1 registration:
        reg(4, 2, WAITLISTED, 8, sort_at=at(1) - timedelta(microseconds=1)),
    ]
    assert rules.positions(regs) == {1: 1, 4: 2, 2: 3, 3: 4}


# --- rule 5: freed seats become offers -------------------------------------------------


def test_a_cancelled_seat_is_offered_to_the_first_waiting():
    regs = [reg(1, 2, CONFIRMED), reg(2, 2, WAITLISTED, 2), reg(3, 2, WAITLISTED, 1)]
    changes = rules.cancel(event(capacity=1), regs, 1, at(10))
    assert changes == [Change(1, CANCELLED), Change(3, OFFERED, at(10 + 48))]


@pytest.mark.parametrize(
    "offer_hours, starts, now, expected",
    [
        (48, 24 * 30, 10, 58),  # the default 48 hours
        (24, 24 * 30, 10, 34),  # configured per event
        (48, 20, 10, 20),  # never later than the start
    ],
)
def test_the_offer_deadline(offer_hours, starts, now, expected):
    ev = event(capacity=1, starts=starts, offer_hours=offer_hours)
    assert rules.fill_free_seats(ev, [reg(1, 2, WAITLISTED)], at(now)) == [
        Change(1, OFFERED, at(expected))
    ]


@pytest.mark.parametrize("now", [20, 21])
def test_no_offer_is_made_once_the_event_has_started(now):
    ev = event(capacity=1, starts=20)
    assert rules.fill_free_seats(ev, [reg(1, 2, WAITLISTED)], at(now)) == []


def test_during_the_priority_window_only_tier_1_gets_offers():
    ev = event(capacity=3, deadline=48)
    regs = [reg(1, 1, CONFIRMED), reg(2, 1, WAITLISTED, 1), reg(3, 2, PENDING, 0.5)]
    assert rules.fill_free_seats(ev, regs, at(5)) == [Change(2, OFFERED, at(53))]


def test_tier_2_waits_for_the_allocation_even_just_after_the_deadline():
    ev = event(capacity=1, deadline=48)
    regs = [reg(1, 2, WAITLISTED, 49)]
    assert rules.fill_free_seats(ev, regs, at(49)) == []
    closed = replace(ev, priority_closed=True)
    assert rules.fill_free_seats(closed, regs, at(49)) == [Change(1, OFFERED, at(97))]


def test_raising_capacity_offers_the_new_seats_in_order():
    regs = [reg(1, 2, CONFIRMED), reg(2, 2, WAITLISTED, 3), reg(3, 1, WAITLISTED, 4)]
    result = rules.change_capacity(event(capacity=1), regs, 3, at(5))
    assert result.changes == (Change(3, OFFERED, at(53)), Change(2, OFFERED, at(53)))
    assert result.over_by == 0


def test_accepting_an_offer_confirms():
    regs = [offer(1, 2, 0, expires=50)]
    assert rules.accept_offer(event(capacity=1), regs, 1, at(49)) == [Change(1, CONFIRMED)]


@pytest.mark.parametrize(
    "state, expires, now, code",
    [
        (OFFERED, 50, 50, "offer_expired"),  # the deadline itself is too late
        (OFFERED, 50, 60, "offer_expired"),  # the tick has not cancelled it yet
        (OFFERED, None, 24 * 30, "offer_expired"),  # no deadline: ends at the start
        (WAITLISTED, None, 1, "not_offered"),
        (CONFIRMED, None, 1, "not_offered"),
    ],
)
def test_accepting_fails_when_there_is_no_open_offer(state, expires, now, code):
    regs = [reg(1, 2, state, offer_expires_at=None if expires is None else at(expires))]
    with pytest.raises(RuleError) as err:
        rules.accept_offer(event(capacity=1), regs, 1, at(now))
    assert err.value.code == code


def test_declining_passes_the_offer_on():
    regs = [offer(1, 2, 0, expires=50), reg(2, 2, WAITLISTED, 1)]
    changes = rules.decline_offer(event(capacity=1), regs, 1, at(20))
    assert changes == [Change(1, CANCELLED), Change(2, OFFERED, at(68))]
    with pytest.raises(RuleError) as err:
        rules.decline_offer(event(capacity=1), regs, 2, at(20))
    assert err.value.code == "not_offered"


def test_an_expired_offer_passes_to_the_next():
    regs = [
        offer(1, 2, 0, expires=50),
        offer(2, 2, 1, expires=51),  # not yet expired at 50
        reg(3, 2, WAITLISTED, 2),
        reg(4, 2, WAITLISTED, 3),
    ]
    changes = rules.expire_offers(event(capacity=2), regs, at(50))
    assert changes == [Change(1, CANCELLED), Change(3, OFFERED, at(98))]
    # Running it again at the same time changes nothing.
    assert rules.expire_offers(event(capacity=2), rules.apply_changes(regs, changes), at(50)) == []


# --- rule 6: nobody confirmed is ever bumped -------------------------------------------


def test_lowering_capacity_below_the_seats_held_only_warns():
    regs = [
        reg(1, 2, CONFIRMED),
        reg(2, 2, CONFIRMED),
        reg(3, 2, OFFERED, 1, offer_expires_at=at(9)),
    ]
    regs.append(reg(4, 2, WAITLISTED, 2))
    result = rules.change_capacity(event(capacity=3), regs, 1, at(5))
    assert result.changes == ()
    assert result.over_by == 2
    # While over capacity a cancellation frees no seat for the waiting list.
    ev = event(capacity=1)
    assert rules.cancel(ev, regs, 1, at(6)) == [Change(1, CANCELLED)]


def test_a_negative_capacity_is_refused():
    with pytest.raises(RuleError) as err:
        rules.change_capacity(event(), [], -1, at(0))
    assert err.value.code == "invalid_capacity"


# --- rule 7: override, one registration per person, errors -----------------------------


def test_an_organisers_override_may_exceed_capacity_and_says_so():
    regs = [reg(1, 2, CONFIRMED), reg(2, 2, WAITLISTED, 1)]
    decision = rules.register(event(capacity=1), regs, NewRequest(3, 2, at(2)), override=True)
    assert decision.state is CONFIRMED
    assert decision.exceeds_capacity
    assert decision.changes == ()
    # Within capacity the override is not flagged.
    decision = rules.register(event(capacity=5), regs, NewRequest(3, 2, at(2)), override=True)
    assert not decision.exceeds_capacity


@pytest.mark.parametrize("state", [PENDING, CONFIRMED, OFFERED, WAITLISTED])
def test_the_same_person_cannot_hold_two_active_registrations(state):
    regs = [reg(1, 2, state, person_id=42, offer_expires_at=at(9) if state is OFFERED else None)]
    with pytest.raises(RuleError) as err:
        rules.register(event(), regs, NewRequest(2, 2, at(1), person_id=42))
    assert err.value.code == "already_active"
    with pytest.raises(RuleError) as err:
        rules.register(event(), regs, NewRequest(1, 2, at(1)))
    assert err.value.code == "already_active"


def test_registering_again_after_cancelling_queues_from_the_new_time():
    regs = [reg(1, 2, CANCELLED, 0, person_id=42), reg(2, 2, CONFIRMED, 1)]
    decision = rules.register(event(capacity=2), regs, NewRequest(1, 2, at(5), person_id=42))
    assert decision.state is CONFIRMED


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda regs: rules.cancel(event(), regs, 99, at(1)), "unknown_registration"),
        (lambda regs: rules.cancel(event(), regs, 1, at(1)), "not_active"),
        (lambda regs: rules.cancel(event(), regs, 2, at(1)), "not_active"),
        (lambda regs: rules.accept_offer(event(), regs, 99, at(1)), "unknown_registration"),
        (
            lambda regs: rules.register(event(), regs, NewRequest(9, 3, at(1))),
            "invalid_tier",
        ),
    ],
)
def test_refusals_have_stable_codes(call, code):
    regs = [reg(1, 2, CANCELLED), reg(2, 2, State.ATTENDED)]
    with pytest.raises(RuleError) as err:
        call(regs)
    assert err.value.code == code


def test_the_input_is_never_changed():
    regs = [reg(1, 2, CONFIRMED), reg(2, 2, WAITLISTED, 1)]
    copy = list(regs)
    rules.cancel(event(capacity=1), regs, 1, at(2))
    assert regs == copy


# --- properties ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(0, 6),
    arrivals=st.lists(st.tuples(st.sampled_from([1, 2]), st.integers(0, 47 * 60)), max_size=12),
)
def test_with_no_cancellations_the_seats_go_to_the_first_in_queue_order(capacity, arrivals):
    """Registering everyone before the deadline and then allocating gives the seats to
    the first `capacity` in (tier, time) order, whatever the order of arrival."""
    ev = event(capacity=capacity, deadline=48)
    regs: list[Reg] = []
    # Ids are given in arrival order, as the database would.
    for id, (tier, minute) in enumerate(sorted(arrivals, key=lambda a: a[1]), start=1):
        decision = rules.register(ev, regs, NewRequest(id, tier, T0 + timedelta(minutes=minute)))
        assert decision.changes == ()
        regs.append(reg(id, tier, decision.state, minute / 60))
    regs = rules.apply_changes(regs, rules.close_priority_window(ev, regs, at(48)))

    in_order = sorted(regs, key=rules.queue_key)
    assert [r.id for r in in_order[:capacity]] == [r.id for r in in_order if r.state is CONFIRMED]
    assert all(r.state is WAITLISTED for r in in_order[capacity:])
    assert rules.positions(regs) == {r.id: i for i, r in enumerate(in_order[capacity:], 1)}


@settings(max_examples=300, deadline=None)
@given(
    capacity=st.integers(0, 6),
    deadline=st.sampled_from([None, 10, 48]),
    closed=st.booleans(),
    existing=st.lists(
        st.tuples(
            st.sampled_from([1, 2]),
            st.sampled_from([PENDING, WAITLISTED, CONFIRMED, OFFERED]),
            st.integers(0, 47 * 60),
            st.one_of(st.none(), st.integers(0, 47 * 60)),
        ),
        max_size=14,
    ),
    tier=st.sampled_from([1, 2]),
    minute=st.integers(0, 60),
    override=st.booleans(),
)
def test_admit_from_the_head_of_the_queue_decides_as_register_from_all(
    capacity, deadline, closed, existing, tier, minute, override
):
    """The registration hot path gives the rules only the seats held and the first
    `queue_head_size` of the waiting list: the decision is the one all would give."""
    ev = event(capacity=capacity, deadline=deadline, priority_closed=closed)
    regs = [
        reg(
            id,
            t,
            state,
            m / 60,
            sort_at=None if sort is None else T0 + timedelta(minutes=sort),
            offer_expires_at=at(200) if state is OFFERED else None,
        )
        for id, (t, state, m, sort) in enumerate(existing, start=1)
    ]
    last = max((r.registered_at for r in regs), default=T0)
    new = NewRequest(len(regs) + 1, tier, last + timedelta(minutes=minute))
    full = rules.register(ev, regs, new, override=override)
    held = rules.seats_held(regs)
    head = rules.waiting_list(regs)[: rules.queue_head_size(ev, held)]
    assert rules.admit(ev, held, head, new, override=override) == full


def _may_change(before: Reg, after: Reg, action: str, target: int | None, now: datetime) -> bool:
    """The state changes each action may make (everything else is a bug). Nobody is
    ever bumped: a confirmed registration only ends by its own cancellation."""
    own = before.id == target
    expired = before.offer_expires_at is not None and before.offer_expires_at <= now
    allowed = {
        (CONFIRMED, CANCELLED): action == "cancel" and own,
        (WAITLISTED, CANCELLED): action == "cancel" and own,
        (PENDING, CANCELLED): action == "cancel" and own,
        (OFFERED, CANCELLED): (action in ("cancel", "decline") and own)
        or (action == "expire" and expired),
        (OFFERED, CONFIRMED): action == "accept" and own,
        (PENDING, CONFIRMED): action == "close",
        (PENDING, WAITLISTED): action == "close",
        (WAITLISTED, OFFERED): True,  # a freed seat, after any action
        (PENDING, OFFERED): True,
    }
    return allowed.get((before.state, after.state), False)


class Allocation(RuleBasedStateMachine):
    """Random sequences of registrations, cancellations, capacity changes, passing
    time, the deadline allocation, expiring offers and answers to offers, as the
    operations layer would apply them one at a time under the event lock."""

    def __init__(self):
        super().__init__()
        self.regs: list[Reg] = []
        self.now = T0
        self.next_id = 1

    @initialize(
        capacity=st.integers(0, 4),
        deadline=st.none() | st.integers(0, 72),
        starts_after=st.integers(1, 24 * 7),
        offer_hours=st.sampled_from([1, 24, 48]),
    )
    def create_event(self, capacity, deadline, starts_after, offer_hours):
        starts = (deadline or 0) + starts_after
        self.event = event(capacity, deadline, starts, offer_hours=offer_hours)

    # -- actions --

    # Steps that cross the interesting boundaries (an hour's offer, a day, the default
    # 48 hours) as well as arbitrary ones. Without the tick, the deadline may have passed
    # before the allocation runs, and an offer may outlive its deadline for a while.
    @rule(
        minutes=st.sampled_from([1, 60, 6 * 60, 24 * 60, 49 * 60]) | st.integers(1, 3 * 24 * 60),
        tick=st.integers(0, 3).map(bool),
    )
    def time_passes(self, minutes, tick):
        self.now += timedelta(minutes=minutes)
        if tick:
            self.run_tick()

    def run_tick(self):
        """What `eventsys tick` does for an event: the deadline allocation when due,
        then expired offers."""
        ev = self.event
        if rules.priority_allocation_pending(ev) and self.now >= ev.priority_deadline:
            self._apply(rules.close_priority_window(ev, self.regs, self.now), "close")
            self.event = replace(ev, priority_closed=True)
            assert not any(r.state is PENDING for r in self.regs)
            # The tick may run on several hosts at once: a second run does nothing.
            assert rules.close_priority_window(self.event, self.regs, self.now) == []
        self._apply(rules.expire_offers(self.event, self.regs, self.now), "expire")
        assert rules.expire_offers(self.event, self.regs, self.now) == []

    @rule(tier=st.sampled_from([1, 2]), override=st.integers(0, 9).map(lambda n: n == 0))
    def register(self, tier, override):
        new = NewRequest(self.next_id, tier, self.now)
        self.next_id += 1
        decision = rules.register(self.event, self.regs, new, override=override)
        newcomer = Reg(new.id, tier, decision.state, self.now, decision.offer_expires_at)
        self._apply(list(decision.changes), "register", newcomer=newcomer, override=override)
        if override:
            assert decision.state is CONFIRMED
        if decision.exceeds_capacity:
            assert override
            assert rules.seats_held(self.regs) > self.event.capacity

    @rule(capacity=st.integers(0, 5))
    def change_capacity(self, capacity):
        result = rules.change_capacity(self.event, self.regs, capacity, self.now)
        self.event = replace(self.event, capacity=capacity)
        self._apply(list(result.changes), "capacity")
        assert result.over_by == max(0, rules.seats_held(self.regs) - capacity)

    @precondition(lambda self: any(r.state in rules.ACTIVE for r in self.regs))
    @rule(pick=st.integers(0, 1000))
    def cancel(self, pick):
        target = self._pick(rules.ACTIVE, pick)
        self._apply(rules.cancel(self.event, self.regs, target.id, self.now), "cancel", target.id)

    @precondition(lambda self: any(r.state is OFFERED for r in self.regs))
    @rule(pick=st.integers(0, 1000), accept=st.booleans())
    def answer_offer(self, pick, accept):
        target = self._pick({OFFERED}, pick)
        if not accept:
            changes = rules.decline_offer(self.event, self.regs, target.id, self.now)
            self._apply(changes, "decline", target.id)
        elif self.now >= target.offer_expires_at:
            with pytest.raises(RuleError, match="expired"):
                rules.accept_offer(self.event, self.regs, target.id, self.now)
        else:
            changes = rules.accept_offer(self.event, self.regs, target.id, self.now)
            self._apply(changes, "accept", target.id)

    @precondition(lambda self: any(r.state in rules.WAITING for r in self.regs))
    @rule(pick=st.integers(0, 1000), minute=st.integers(-600, 10 * 24 * 60))
    def organiser_moves(self, pick, minute):
        # A move changes the order only; it frees no seat, so it needs no allocation.
        target = self._pick(rules.WAITING, pick)
        moved = replace(target, sort_at=T0 + timedelta(minutes=minute))
        self.regs = [moved if r.id == target.id else r for r in self.regs]

    # -- checks --

    def _pick(self, states, pick: int) -> Reg:
        candidates = [r for r in self.regs if r.state in states]
        return candidates[pick % len(candidates)]

    def _apply(self, changes, action, target=None, newcomer=None, override=False):
        before = {r.id: r for r in self.regs}
        ids = [c.reg_id for c in changes]
        assert len(ids) == len(set(ids)), "a registration changed twice in one answer"
        assert set(ids) <= set(before), "a change for an unknown registration"
        after_list = rules.apply_changes(self.regs, changes)
        if newcomer is not None:
            after_list.append(newcomer)
        after = {r.id: r for r in after_list}

        for c in changes:
            assert _may_change(before[c.reg_id], after[c.reg_id], action, target, self.now), (
                f"{action}: {before[c.reg_id].state} -> {c.new_state}"
            )
        if newcomer is not None:
            assert newcomer.state in rules.ACTIVE
            in_window = (
                rules.priority_allocation_pending(self.event)
                and self.now < self.event.priority_deadline
            )
            if in_window and newcomer.tier == 2 and not override:
                assert newcomer.state is PENDING

        granted = [
            r
            for r in after.values()
            if r.state in rules.SEAT_HOLDING
            and (r.id not in before or before[r.id].state not in rules.SEAT_HOLDING)
            and not (override and r.id == newcomer.id)
        ]
        still_waiting = rules.waiting_list(after.values())
        held_before, held_after = rules.seats_held(before.values()), rules.seats_held(after_list)
        for g in granted:
            # First come, first served within a tier, and tier 1 before tier 2: nobody
            # still waiting comes before anybody who just got a seat.
            for w in still_waiting:
                assert rules.queue_key(w) > rules.queue_key(g), f"{g} passed {w}"
            if g.tier == 2:
                assert all(w.tier == 2 for w in still_waiting)
        if granted:
            assert held_after <= self.event.capacity, "a seat handed out beyond capacity"
        if not override:
            assert held_after <= max(self.event.capacity, held_before)
        self.regs = after_list

    @invariant()
    def offers_have_a_deadline_before_the_start(self):
        for r in self.regs:
            if r.state is OFFERED:
                assert r.offer_expires_at is not None
                assert r.offer_expires_at <= self.event.starts_at
            else:
                assert r.offer_expires_at is None

    @invariant()
    def pending_only_until_the_deadline_allocation(self):
        if not rules.priority_allocation_pending(self.event):
            assert not any(r.state is PENDING for r in self.regs)

    @invariant()
    def positions_number_the_waiting_list(self):
        places = rules.positions(self.regs)
        assert sorted(places.values()) == list(range(1, len(places) + 1))
        assert set(places) == {r.id for r in self.regs if r.state in rules.WAITING}

    @invariant()
    def no_seat_stays_free_while_someone_could_have_it(self):
        free = rules.free_seats(self.event, self.regs)
        can_offer = rules.offer_deadline(self.event, self.now) is not None
        eligible = [
            r
            for r in self.regs
            if r.state in rules.WAITING
            and (r.tier == 1 or not rules.priority_allocation_pending(self.event))
        ]
        assert not (free and can_offer and eligible)
        assert rules.fill_free_seats(self.event, self.regs, self.now) == []


Allocation.TestCase.settings = settings(max_examples=300, stateful_step_count=50, deadline=None)
TestAllocation = Allocation.TestCase


@pytest.mark.parametrize(
    ("state", "tier", "fee", "waived", "expected"),
    [
        (State.CONFIRMED, 2, 75000, False, {"cancel", "confirm_affiliation", "waive_fee"}),
        (State.CONFIRMED, 2, 75000, True, {"cancel", "confirm_affiliation"}),
        (State.CONFIRMED, 2, 0, False, {"cancel", "confirm_affiliation"}),
        (State.CONFIRMED, 1, 75000, False, {"cancel"}),
        (State.WAITLISTED, 1, 0, False, {"cancel", "move"}),
        (State.PENDING, 2, 100, False, {"cancel", "confirm_affiliation", "waive_fee", "move"}),
        (State.OFFERED, 1, 0, False, {"cancel"}),
        (State.CANCELLED, 2, 75000, False, set()),
        (State.ATTENDED, 2, 75000, False, set()),
    ],
)
def test_row_actions_follow_state_tier_and_fee(state, tier, fee, waived, expected):
    assert rules.row_actions(state, tier, fee, waived) == expected


@pytest.mark.parametrize(
    ("states", "minutes_after_end", "absent"),
    [
        # Attendance taken: the confirmed who never came are no-shows, nobody else.
        (
            {1: State.ATTENDED, 2: State.CONFIRMED, 3: State.CANCELLED, 4: State.CONFIRMED},
            1,
            [2, 4],
        ),
        # Before the end nobody is one yet.
        ({1: State.ATTENDED, 2: State.CONFIRMED}, -1, []),
        # Nobody was checked in: nobody knows who came.
        ({1: State.CONFIRMED, 2: State.CONFIRMED, 3: State.NO_SHOW}, 60, []),
    ],
)
def test_no_shows_after_an_event_with_a_door_list(states, minutes_after_end, absent):
    ends = T0 + timedelta(hours=6)
    now = ends + timedelta(minutes=minutes_after_end)
    assert rules.no_shows(states.items(), ends, now) == absent
