"""The reconciliation as a pure function: records in, matches and discrepancies out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsys.finance import rules
from eventsys.finance.rules import Fee, Payout, Txn, reconcile
from eventsys.payments.rules import session_pays_fee

T0 = datetime(2027, 3, 1, tzinfo=UTC)
COVERED = (T0 - timedelta(days=31), T0 + timedelta(days=31))
FEE = 75000


def _fee(reg, intent, status="paid", refunded=0, amount=FEE):
    return Fee(reg, amount, "NOK", status, "card", amount, refunded, intent, T0)


def _charge(n, intent, amount=FEE, currency="nok", ref=None, payout=None):
    fee = round(amount * 0.024) + 200
    return Txn(
        f"txn_c{n}",
        "charge",
        amount,
        fee,
        amount - fee,
        currency,
        f"ch_{n}",
        intent,
        ref,
        payout,
        T0,
    )


def _refund(n, intent, amount, payout=None):
    return Txn(
        f"txn_r{n}", "refund", -amount, 0, -amount, "nok", f"re_{n}", intent, None, payout, T0
    )


def _month(count=20):
    """A clean month: charges for every paid fee, two refunds, one payout of it all."""
    fees, txns = [], []
    for i in range(count):
        refunded = FEE if i % 10 == 3 else 0
        fees.append(_fee(i, f"pi_{i}", "refunded" if refunded else "paid", refunded))
        txns.append(_charge(i, f"pi_{i}", ref=str(i), payout="po_1"))
        if refunded:
            txns.append(_refund(i, f"pi_{i}", refunded, payout="po_1"))
    total = sum(t.net for t in txns)
    txns.append(Txn("txn_po1", "payout", -total, 0, -total, "nok", "po_1", None, None, "po_1", T0))
    fees.append(Fee(99, FEE, "NOK", "due", None))  # not paid yet: nothing to say
    fees.append(Fee(98, FEE, "NOK", "invoiced", "invoice"))  # the bank's business
    return fees, txns, [Payout("po_1", total, "nok")]


def _kinds(result):
    return sorted(d.kind for d in result.discrepancies)


def test_a_clean_month_reports_nothing_and_matches_every_charge_and_refund():
    fees, txns, payouts = _month()
    result = reconcile(txns, fees, payouts, COVERED)
    assert result.discrepancies == []
    assert result.matched["txn_c5"] == 5 and result.matched["txn_r3"] == 3
    assert "txn_po1" not in result.matched


def test_money_without_a_registration():
    fees, txns, payouts = _month(2)
    txns.append(_charge(50, "pi_nobody"))
    [d] = reconcile(txns, fees, payouts, COVERED).discrepancies
    assert (d.kind, d.amount, d.registration_id, d.stripe_id) == (
        rules.MONEY_WITHOUT_REGISTRATION,
        FEE,
        None,
        "ch_50",
    )


def test_a_registration_marked_paid_without_money():
    fees, txns, payouts = _month(2)
    fees.append(_fee(7, "pi_never_charged"))
    [d] = reconcile(txns, fees, payouts, COVERED).discrepancies
    assert (d.kind, d.registration_id, d.amount) == (rules.PAID_WITHOUT_MONEY, 7, FEE)


def test_paid_without_money_is_only_judged_inside_the_imported_period():
    fees, txns, payouts = _month(2)
    fees.append(_fee(7, "pi_never_charged"))
    later = (T0 + timedelta(days=40), T0 + timedelta(days=70))
    assert reconcile(txns, fees, payouts, later).discrepancies == []
    assert reconcile(txns, fees, payouts, None).discrepancies == []


def test_amount_mismatch():
    fees, txns, payouts = _month(2)
    fees.append(_fee(7, "pi_7"))
    txns.append(_charge(7, "pi_7", amount=50000))
    [d] = reconcile(txns, fees, payouts, COVERED).discrepancies
    assert (d.kind, d.registration_id, d.amount) == (rules.AMOUNT_MISMATCH, 7, -25000)


def test_refund_mismatch_both_ways():
    fees, txns, payouts = _month(2)
    fees += [_fee(7, "pi_7", "refunded", FEE), _fee(8, "pi_8")]
    txns += [_charge(7, "pi_7"), _charge(8, "pi_8"), _refund(8, "pi_8", 30000)]
    found = {
        (d.kind, d.registration_id, d.amount)
        for d in reconcile(txns, fees, payouts, COVERED).discrepancies
    }
    assert found == {(rules.REFUND_MISMATCH, 7, -FEE), (rules.REFUND_MISMATCH, 8, 30000)}


def test_payout_that_does_not_add_up():
    fees, txns, _ = _month(3)
    total = sum(t.net for t in txns if t.type != "payout")
    [d] = reconcile(txns, fees, [Payout("po_1", total + 100, "nok")], COVERED).discrepancies
    assert (d.kind, d.stripe_id, d.amount) == (rules.PAYOUT_MISMATCH, "po_1", 100)


def test_currency_other_than_nok():
    fees, txns, payouts = _month(2)
    txns.append(_charge(60, "pi_usd", amount=100, currency="usd", ref="1"))
    [d] = reconcile(txns, fees, payouts, COVERED).discrepancies
    assert (d.kind, d.currency, d.amount) == (rules.CURRENCY, "USD", 100)


def test_matched_through_metadata_when_the_intent_was_not_recorded():
    """A stray payment for a registration (not recorded as paid) is shown with it."""
    fees = [Fee(5, FEE, "NOK", "due", None)]
    result = reconcile([_charge(1, "pi_x", ref="5")], fees, [], COVERED)
    [d] = result.discrepancies
    assert d.kind == rules.MONEY_WITHOUT_REGISTRATION and d.registration_id == 5
    assert result.matched == {"txn_c1": 5}


def test_a_stray_payment_refunded_in_full_is_settled():
    """Paid twice: eventsys refunded the second payment, so no krone is unaccounted."""
    fees, txns, payouts = _month(2)
    txns += [_charge(70, "pi_dup", ref="0"), _refund(70, "pi_dup", FEE)]
    assert reconcile(txns, fees, [], COVERED).discrepancies == []


def test_discrepancy_keys_are_stable_and_resolved_ones_drop_out():
    fees, txns, payouts = _month(2)
    txns.append(_charge(50, "pi_nobody"))
    first = reconcile(txns, fees, payouts, COVERED).discrepancies
    again = reconcile(list(reversed(txns)), fees, payouts, COVERED).discrepancies
    assert [d.key for d in first] == [d.key for d in again]
    assert rules.unresolved(first, {first[0].key}) == []


def test_payout_breakdown():
    _, txns, _ = _month(10)
    lines = {line.type: line for line in rules.payout_breakdown(txns)}
    assert lines["charge"].count == 10 and lines["refund"].count == 1
    assert sum(line.net for line in lines.values()) == -next(
        t.net for t in txns if t.type == "payout"
    )


amounts = st.integers(min_value=300, max_value=500_000)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(amounts, st.booleans()), min_size=1, max_size=30))
def test_whatever_the_month_every_recorded_payment_matches_and_nothing_is_reported(rows):
    fees, txns = [], []
    for i, (amount, refunded) in enumerate(rows):
        fees.append(
            _fee(
                i, f"pi_{i}", "refunded" if refunded else "paid", amount if refunded else 0, amount
            )
        )
        txns.append(_charge(i, f"pi_{i}", amount=amount, payout="po"))
        if refunded:
            txns.append(_refund(i, f"pi_{i}", amount, payout="po"))
    payout = Payout("po", sum(t.net for t in txns), "nok")
    result = reconcile(txns, fees, [payout], COVERED)
    assert result.discrepancies == []
    assert len(result.matched) == len(txns)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(amounts, min_size=1, max_size=20),
    st.integers(min_value=0, max_value=19),
    st.integers(min_value=-1000, max_value=1000).filter(bool),
)
def test_no_krone_is_lost_a_changed_charge_is_always_reported(charges, which, delta):
    which %= len(charges)
    fees = [_fee(i, f"pi_{i}", amount=a) for i, a in enumerate(charges)]
    txns = [
        _charge(i, f"pi_{i}", amount=a + (delta if i == which else 0))
        for i, a in enumerate(charges)
    ]
    [d] = reconcile(txns, fees, [], COVERED).discrepancies
    assert d.kind == rules.AMOUNT_MISMATCH and d.registration_id == which and d.amount == delta


@pytest.mark.parametrize(
    ("known", "amount", "currency", "pays"),
    [
        (True, FEE, "nok", True),
        (True, FEE, "NOK", True),
        (False, FEE, "nok", False),  # a session eventsys did not make for this payment
        (True, 100, "nok", False),
        (True, FEE, "usd", False),
        (True, None, "nok", False),
        (True, FEE, None, False),
    ],
)
def test_a_checkout_session_pays_the_fee_only_when_everything_matches(
    known, amount, currency, pays
):
    assert session_pays_fee(known, FEE, "NOK", amount, currency) is pays
