"""`stripe-sync` and the dashboard CSV import: every page, idempotent, resumable."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import func, select

from eventsys import database
from eventsys.extensions import db
from eventsys.finance import stripe_import
from eventsys.finance.models import StripePayout, StripeSync, StripeTransaction
from eventsys.payments import gateway
from tests.together import run_together


def _rows(app):
    with app.app_context():
        rows = db.session.scalars(select(StripeTransaction).order_by(StripeTransaction.id)).all()
        return [
            (r.id, r.type, r.amount, r.fee, r.net, r.currency, r.source, r.payment_intent,
             r.registration_ref, r.payout_id)
            for r in rows
        ]  # fmt: skip


def _payouts(app):
    with app.app_context():
        return [(p.id, p.amount, p.currency) for p in db.session.scalars(select(StripePayout))]


def test_sync_imports_every_page_with_fees_and_payout(app, runner, paid_seats, fake_stripe):
    _, regs = paid_seats(3)
    fake_stripe.release_funds()
    payout = fake_stripe.create_payout()
    result = runner.invoke(args=["eventsys", "stripe-sync"])
    assert result.exit_code == 0, result.output
    rows = _rows(app)
    charges = [r for r in rows if r[1] == "charge"]
    assert len(charges) == 3 and len(rows) == 4
    assert all(
        r[2] == 75000 and r[3] == 75000 * 24 // 1000 + 200 and r[5] == "NOK" for r in charges
    )
    assert {r[8] for r in charges} == {str(i) for i in regs}  # metadata, for matching
    assert all(r[7].startswith("pi_") and r[9] == payout["id"] for r in charges)
    assert _payouts(app) == [(payout["id"], sum(r[4] for r in charges), "NOK")]
    # A second run changes nothing.
    assert runner.invoke(args=["eventsys", "stripe-sync", "--since", "2020-01-01"]).exit_code == 0
    assert _rows(app) == rows


def test_sync_pages_as_stripe_pages_and_continues_after_a_crash(
    app, paid_seats, fake_stripe, monkeypatch
):
    paid_seats(5)
    real = gateway.balance_transactions
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise gateway.GatewayError("stripe_error", "connection reset")
        return real(*args, **kwargs)

    monkeypatch.setattr(gateway, "balance_transactions", flaky)
    with app.app_context():
        with pytest.raises(gateway.GatewayError):
            stripe_import.sync(None, checkpoint=database.commit, page_size=2)
        database.commit()
        assert db.session.scalar(select(func.count()).select_from(StripeTransaction)) == 4
        cursor = db.session.scalar(select(StripeSync.cursor))
    monkeypatch.setattr(gateway, "balance_transactions", real)
    with app.app_context():
        run = stripe_import.sync(None, checkpoint=database.commit, page_size=2)
        database.commit()
        assert run.finished_at is not None
        assert db.session.scalar(select(func.count()).select_from(StripeSync)) == 1
    listed = [r for r in fake_stripe.requests if r.path == "/v1/balance_transactions"]
    # The resumed run asked for the page after the last one saved, not from the start.
    assert listed[-1].params.get("starting_after") == cursor
    assert [r.params.get("limit") for r in listed] == ["2"] * len(listed)
    assert len(_rows(app)) == 5


def test_dashboard_csv_gives_the_same_rows_as_the_api(app, runner, paid_seats, fake_stripe):
    from eventsys.payments import operations as pay_ops

    _, regs = paid_seats(3)
    with app.app_context():  # one refund
        reg_id = regs[0]
        from eventsys.payments.models import Payment

        payment = db.session.scalar(select(Payment).where(Payment.registration_id == reg_id))
        pay_ops._refund(payment, 75000, "test", payment.paid_at)
        database.commit()
    fake_stripe.release_funds()
    fake_stripe.create_payout()
    assert runner.invoke(args=["eventsys", "stripe-sync"]).exit_code == 0
    via_api, payouts = _rows(app), _payouts(app)
    with app.app_context():
        db.session.execute(db.delete(StripeTransaction))
        db.session.execute(db.delete(StripePayout))
        database.commit()
        result = stripe_import.import_csv(fake_stripe.export_balance_csv())
        database.commit()
    assert result.created == len(via_api) == 5
    assert _rows(app) == via_api and _payouts(app) == payouts
    with app.app_context():
        again = stripe_import.import_csv(fake_stripe.export_balance_csv())
        database.commit()
    assert again.created == 0 and _rows(app) == via_api


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a,b\n1,2\n", "missing_columns"),
        ("balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category\n"
         "txn_1,2027-01-01 10:00:00,nok,12.345,0,0,charge\n", "bad_amount"),
        ("balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category\n"
         "txn_1,yesterday,nok,1,0,1,charge\n", "bad_date"),
    ],
)  # fmt: skip
def test_a_broken_csv_is_refused_whole(app, text, code):
    with app.app_context():
        with pytest.raises(stripe_import.ImportError_) as info:
            stripe_import.import_csv(text)
        assert info.value.code == code


def test_two_syncs_at_once_import_every_row_once(app, paid_seats, fake_stripe):
    """Two hosts' cron (or a manual run during the nightly one) start `stripe-sync` at
    the same moment. Each run, with its own session, holds its first page uncommitted
    until the other has written the same page too (or a second has passed), so both
    insert the same Stripe ids: the second must update the first's rows, not fail."""
    paid_seats(3)
    fake_stripe.release_funds()
    fake_stripe.create_payout()
    gate = threading.Barrier(2)

    def one_sync():
        calls = 0

        def checkpoint():
            nonlocal calls
            calls += 1
            if calls == 2:  # after the first page of transactions, before its commit
                # When the other run waits on our rows, the wait breaks: commit.
                with contextlib.suppress(threading.BrokenBarrierError):
                    gate.wait(timeout=1)
            database.commit()

        stripe_import.sync(None, checkpoint=checkpoint, page_size=2)
        database.commit()

    assert run_together(app, one_sync) == []
    rows = _rows(app)
    assert len(rows) == 4 and len({r[0] for r in rows}) == 4  # 3 charges and the payout
    assert len(_payouts(app)) == 1
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(StripeSync).where(StripeSync.finished_at.is_(None))
            )
            == 0
        )
