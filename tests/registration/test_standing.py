"""What happens next (registration/standing.py): one true sentence for every state a
registration and an event can be in. Pure rules, tested without an app; a last test
renders every key in both languages."""

from __future__ import annotations

import itertools

import pytest

from eventsys.registration import standing
from eventsys.registration.rules import State
from eventsys.registration.standing import Seats, Standing, Step

OPEN = Seats(capacity=25, held=5)
FULL = Seats(capacity=2, held=2, waiting_tier2=3)
FULL_EMPTY_QUEUE = Seats(capacity=2, held=2)
WINDOW = Seats(capacity=25, held=5, pending=4, priority_window=True)
WINDOW_FULL_TIER1 = Seats(capacity=2, held=2, waiting_tier1=1, pending=4, priority_window=True)
AFTER_DEADLINE_UNALLOCATED = Seats(capacity=25, held=5, pending=4)


@pytest.mark.parametrize(
    ("seats", "expected"),
    [
        (OPEN, "seats_free"),
        (FULL, "seats_full_waiting"),
        (FULL_EMPTY_QUEUE, "seats_full"),
        # "20 av 25 ledige" beside "4 venter" is explained, not two contradicting counts.
        (WINDOW, "seats_priority_answers"),
        (Seats(capacity=25, held=5, priority_window=True), "seats_priority"),
        (AFTER_DEADLINE_UNALLOCATED, "seats_free_waiting"),
    ],
)
def test_the_seat_summary(seats, expected):
    assert standing.seat_summary(seats) == expected


@pytest.mark.parametrize(
    ("seats", "tier", "expected"),
    [
        (OPEN, 1, "seat"),
        (OPEN, 2, "seat"),
        (FULL, 1, "seat_if_free"),
        (FULL, 2, "waitlist"),
        (WINDOW, 1, "seat"),
        (WINDOW, 2, "pending"),
        (WINDOW_FULL_TIER1, 1, "waitlist"),
        (AFTER_DEADLINE_UNALLOCATED, 1, "seat"),  # a late tier 1 goes before tier 2
        (AFTER_DEADLINE_UNALLOCATED, 2, "waitlist"),
    ],
)
def test_what_registering_now_gives(seats, tier, expected):
    if expected == "seat_if_free":  # full: nobody gets a seat at once
        expected = "waitlist"
    assert standing.joins(seats, tier) == expected


def _s(**kw) -> Standing:
    return Standing(seats=kw.pop("seats", OPEN), **kw)


CASES = [
    # Not registered.
    (_s(), Step("join_seat", None, "register")),
    (_s(fee=75000), Step("join_seat", "fee_now", "register")),
    (_s(seats=FULL, fee=75000), Step("join_waitlist", "fee_if_seat", "waitlist")),
    (_s(seats=WINDOW, fee=75000), Step("join_pending", "fee_if_seat", "register")),
    (_s(seats=WINDOW, tier=1), Step("join_seat", None, "register")),
    (_s(registration="upcoming"), Step("opens_later")),
    (_s(registration="closed"), Step("closed")),
    (_s(event_status="draft"), Step("not_open")),
    (_s(ended=True, registration="closed"), Step("over")),
    (_s(event_status="cancelled"), Step("event_cancelled")),
    # Waiting: the fee is due only with a place.
    (_s(state=State.PENDING, seats=WINDOW, fee=75000), Step("pending", "fee_if_seat")),
    (_s(state=State.PENDING, seats=WINDOW), Step("pending")),
    (_s(state=State.WAITLISTED, seats=FULL, fee=75000), Step("waitlisted", "fee_if_seat")),
    (_s(state=State.WAITLISTED, seats=FULL, tier=1), Step("waitlisted")),
    (_s(state=State.OFFERED, fee=75000), Step("offered", "fee_on_accept", "accept")),
    (_s(state=State.OFFERED), Step("offered", None, "accept")),
    # A seat.
    (_s(state=State.CONFIRMED, tier=1), Step("confirmed", "free_owner")),
    (_s(state=State.CONFIRMED), Step("confirmed", "free")),  # a free event, or waived
    (_s(state=State.CONFIRMED, fee=75000, payment="due"), Step("confirmed", "pay", "pay")),
    (_s(state=State.CONFIRMED, fee=75000, payment="invoiced", method="invoice"),
     Step("confirmed", "invoiced")),
    (_s(state=State.CONFIRMED, fee=75000, payment="paid", method="card"),
     Step("confirmed", "paid_refundable")),
    (_s(state=State.CONFIRMED, fee=75000, payment="paid", method="card", refund_open=False),
     Step("confirmed", "paid")),
    (_s(state=State.CONFIRMED, fee=75000, ended=True, payment="paid"), Step("over")),
    (_s(state=State.ATTENDED, ended=True), Step("attended")),
    (_s(state=State.NO_SHOW, ended=True), Step("no_show")),
    # Cancelled: what happened to the money, and what registering again gives.
    (_s(state=State.CANCELLED, fee=75000, payment="refunded", method="card", seats=FULL),
     Step("cancelled", "refunded_card", "waitlist", "join_waitlist")),
    (_s(state=State.CANCELLED, fee=75000, payment="refunded", method="invoice"),
     Step("cancelled", "credited", "register", "join_seat")),
    (_s(state=State.CANCELLED, fee=75000, payment="paid", method="card",
        registration="closed"), Step("cancelled", "not_refunded", None, "closed")),
    (_s(state=State.CANCELLED, fee=75000, payment="invoiced", method="invoice",
        registration="closed"), Step("cancelled", "not_refunded_invoice", None, "closed")),
    (_s(state=State.CANCELLED, fee=75000, payment="due"),
     Step("cancelled", None, "register", "join_seat")),
    (_s(state=State.CANCELLED, event_status="cancelled", fee=75000, payment="refunded",
        method="card"), Step("event_cancelled", "refunded_card")),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "expected"), CASES)
def test_next_step(facts, expected):
    assert standing.next_step(facts) == expected


def test_every_state_has_a_case():
    covered = {case.state for case, _ in CASES}
    assert covered == {None, *State}


@pytest.mark.parametrize(
    ("action", "label"),
    [("waitlist", "button_waitlist"), ("register", "button_register"), (None, "button_register")],
)
def test_the_button_says_it_puts_you_on_the_waiting_list(action, label):
    assert standing.register_button(action) == label


CANCEL_CASES = [
    # The seat goes to the next only when somebody waits.
    (_s(state=State.CONFIRMED, seats=FULL), ("cancel_seat_to_next", None)),
    (_s(state=State.CONFIRMED), ("cancel_seat_free", None)),
    (_s(state=State.CONFIRMED, registration="closed"), ("cancel_seat_closed", None)),
    (_s(state=State.OFFERED, seats=FULL), ("cancel_seat_to_next", None)),
    (_s(state=State.PENDING, seats=WINDOW, fee=75000), ("cancel_pending", None)),
    (_s(state=State.WAITLISTED, seats=FULL, fee=75000), ("cancel_waitlisted", None)),
    # Money, before the cancellation deadline ...
    (_s(state=State.CONFIRMED, fee=75000, payment="due"),
     ("cancel_seat_free", "cancel_nothing_owed")),
    (_s(state=State.CONFIRMED, fee=75000, payment="paid", method="card"),
     ("cancel_seat_free", "cancel_card_refund")),
    (_s(state=State.CONFIRMED, fee=75000, payment="invoiced", method="invoice"),
     ("cancel_seat_free", "cancel_invoice_credited")),
    (_s(state=State.CONFIRMED, fee=75000, payment="paid", method="invoice"),
     ("cancel_seat_free", "cancel_paid_invoice_credited")),
    # ... and after it.
    (_s(state=State.CONFIRMED, fee=75000, payment="paid", method="card", refund_open=False),
     ("cancel_seat_free", "cancel_no_refund")),
    (_s(state=State.CONFIRMED, fee=75000, payment="invoiced", method="invoice",
        refund_open=False), ("cancel_seat_free", "cancel_no_refund_invoice")),
    (_s(state=State.CONFIRMED, fee=75000, payment="due", refund_open=False),
     ("cancel_seat_free", "cancel_nothing_owed")),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "expected"), CANCEL_CASES)
def test_what_cancelling_does(facts, expected):
    assert standing.on_cancel(facts) == expected


def _all_keys() -> set[str]:
    keys = {standing.seat_summary(s) for s in (OPEN, FULL, FULL_EMPTY_QUEUE, WINDOW)}
    keys |= {standing.seat_summary(AFTER_DEADLINE_UNALLOCATED), "seats_priority"}
    for _facts, step in CASES:
        keys |= {k for k in (step.say, step.money, step.again) if k}
    for _facts, pair in CANCEL_CASES:
        keys |= {k for k in pair if k}
    return keys | {"button_register", "button_waitlist"}


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_key_has_a_sentence_in_both_languages(app, lang):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from eventsys.registration.messages import STEPS

    moment = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    params = dict(
        free=20, capacity=25, waiting=4, pending=4, deadline=moment, opens=moment, position=3,
        hours=48, offer_deadline=moment, fee=75000, amount=75000, pay_deadline=moment,
        cancel_deadline=moment,
    )  # fmt: skip
    with app.test_request_context(), force_locale(lang):
        fallback = STEPS("no-such-key")
        for key in sorted(_all_keys()):
            text = STEPS(key, **params)
            assert text and text != fallback, key
            assert "%(" not in text, key
    # All state combinations of the generator produce known keys.
    for state, payment, method in itertools.product(
        [None, *State], [None, "due", "invoiced", "paid", "refunded"], [None, "card", "invoice"]
    ):
        facts = _s(state=state, payment=payment, method=method, fee=75000)
        step = standing.next_step(facts)
        assert {k for k in (step.say, step.money, step.again) if k} <= _all_keys()
