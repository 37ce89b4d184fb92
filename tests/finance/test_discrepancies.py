"""Each kind of discrepancy, made through the real flow and the fake Stripe, is
reported on the page; finance resolves it with a note; a clean month shows none."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.finance import operations, rules
from eventsys.payments.models import Payment


def _sync(runner):
    result = runner.invoke(args=["eventsys", "stripe-sync"])
    assert result.exit_code == 0, result.output


def _open(app):
    with app.app_context():
        return operations.open_discrepancies()


def test_a_clean_month_reports_none(app, runner, client, paid_seats, fake_stripe, finance_user):
    paid_seats(4)
    fake_stripe.release_funds()
    fake_stripe.create_payout()
    _sync(runner)
    assert _open(app) == []
    finance_user()
    page = client.get("/finance/discrepancies").get_data(as_text=True)
    assert "Ingen åpne avvik" in page


def test_every_kind_is_reported(app, runner, paid_seats, fake_stripe):
    _, regs = paid_seats(3)
    fake_stripe.charge_directly(50000)  # a charge nobody knows
    fake_stripe.charge_directly(100, "usd", {"registration": str(regs[0])})
    fake_stripe.release_funds()
    fake_stripe.create_payout(currency="nok", amount=1)  # does not add up
    with app.app_context():
        # A registration marked paid by card that Stripe never charged.
        paid = db.session.scalar(select(Payment).where(Payment.registration_id == regs[1]))
        paid.stripe_payment_intent = "pi_never_made"
        # A refund eventsys recorded that Stripe never made.
        other = db.session.scalar(select(Payment).where(Payment.registration_id == regs[2]))
        other.amount_refunded = 10000
        database.commit()
    _sync(runner)
    found = {(d.kind, d.registration_id) for d in _open(app)}
    assert (rules.MONEY_WITHOUT_REGISTRATION, None) in found
    assert (rules.CURRENCY, regs[0]) in found
    assert (rules.PAYOUT_MISMATCH, None) in found
    assert (rules.PAID_WITHOUT_MONEY, regs[1]) in found
    assert (rules.REFUND_MISMATCH, regs[2]) in found


def test_amount_mismatch_is_reported(app, runner, paid_seats, fake_stripe):
    _, regs = paid_seats(1)
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == regs[0]))
        payment.amount = 90000  # the fee was raised after the card payment
        database.commit()
    _sync(runner)
    [d] = _open(app)
    assert (d.kind, d.registration_id, d.amount) == (rules.AMOUNT_MISMATCH, regs[0], -15000)


def test_finance_resolves_with_a_note_and_it_stays_in_the_log(
    app, runner, client, submit, paid_seats, fake_stripe, finance_user
):
    paid_seats(1)
    charge = fake_stripe.charge_directly(50000)
    _sync(runner)
    finance_user()
    page = client.get("/finance/discrepancies").get_data(as_text=True)
    assert charge["id"] in page and "Penger uten påmelding" in page
    csv_text = client.get("/finance/reports/discrepancies.csv").get_data(as_text=True)
    assert f"money_without_registration,500.00,NOK,,{charge['id']}," in csv_text
    [d] = _open(app)
    empty = submit(
        "/finance/discrepancies/resolve", {"key": d.key, "note": " "}, page="/finance/discrepancies"
    )
    assert empty.status_code == 422 and "Skriv en merknad" in empty.get_data(as_text=True)
    done = submit(
        "/finance/discrepancies/resolve",
        {"key": d.key, "note": "Betaling for kursmateriell, bokført manuelt"},
        page="/finance/discrepancies",
    )
    assert done.status_code == 302
    assert _open(app) == []
    page = client.get("/finance/discrepancies").get_data(as_text=True)
    assert "Betaling for kursmateriell, bokført manuelt" in page and "Økonomi" in page
    csv_text = client.get("/finance/reports/discrepancies.csv").get_data(as_text=True)
    assert csv_text.splitlines() == ["kind,amount,currency,registration_id,stripe_id,detail"]
    # Still resolved after another import.
    _sync(runner)
    assert _open(app) == []


def test_finance_pages_are_for_finance_only(client, make_user, login):
    make_user("ola@nettverket.no", role="organiser")
    login("ola@nettverket.no")
    for url in ("/finance", "/finance/discrepancies", "/finance/stripe"):
        assert client.get(url).status_code == 403


def test_csv_upload_through_the_page(app, client, submit, paid_seats, fake_stripe, finance_user):
    import io

    paid_seats(2)
    finance_user()
    from tests.conftest import csrf_token

    html = client.get("/finance/stripe").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        "file": (io.BytesIO(fake_stripe.export_balance_csv().encode()), "stripe.csv"),
    }
    response = client.post("/finance/stripe", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert len(operations.reconcile().matched) == 2
    bad = {"csrf_token": csrf_token(html), "file": (io.BytesIO(b"x,y\n1,2\n"), "x.csv")}
    response = client.post("/finance/stripe", data=bad, content_type="multipart/form-data")
    assert response.status_code == 422 and "Linje 1" in response.get_data(as_text=True)
    assert datetime.now(UTC)
