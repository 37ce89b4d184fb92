"""Invoices (gapless numbers, KID), payment deadlines in tick, and handing a seat over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.payments import rules
from eventsys.payments.models import Invoice, Payment, PaymentStatus
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration, RegistrationLog
from eventsys.registration.rules import State


def _now():
    return datetime.now(UTC)


@pytest.fixture
def paying(app, make_event):
    """An event with `count` confirmed tier-2 registrations; returns (event_id, [reg ids])."""

    def make(count=1, capacity=None, **event_kw):
        event_id = make_event(
            capacity=capacity or count,
            starts_at=_now() + timedelta(days=20),
            ends_at=_now() + timedelta(days=20, hours=5),
            registration_opens_at=_now() - timedelta(days=1),
            registration_closes_at=_now() + timedelta(days=19),
            **event_kw,
        )
        ids = []
        with app.app_context():
            for i in range(count):
                person = reg_ops.Person(
                    email=f"deltaker{i}@gmail.com", name=f"Deltaker {i}", vouched=True
                )
                ids.append(reg_ops.register(event_id, person, None).id)
            database.commit()
        return event_id, ids

    return make


# --- KID ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base, digit",
    [
        ("7992739871", 3),  # the textbook Luhn example
        ("1234567", 4),
        ("0", 0),
        ("10000001", 7),
        ("987654321", 7),
    ],
)
def test_kid_mod10_check_digits_against_known_values(base, digit):
    assert rules.mod10_check_digit(base) == digit
    assert rules.kid_is_valid(base + str(digit))


def test_kid_layout():
    assert rules.make_kid(1, 42) == "100000421"
    assert rules.kid_is_valid("100000421") and not rules.kid_is_valid("100000422")


@given(st.from_regex(r"[0-9]{8}", fullmatch=True), st.integers(0, 7), st.integers(1, 9))
def test_kid_catches_every_single_digit_error(base, position, delta):
    kid = base + str(rules.mod10_check_digit(base))
    typo = kid[:position] + str((int(kid[position]) + delta) % 10) + kid[position + 1 :]
    assert not rules.kid_is_valid(typo)


# --- invoices ----------------------------------------------------------------------------


def test_choose_invoice_through_the_page(app, client, paying, make_user, login, submit, smtp):
    make_user("deltaker0@gmail.com", name="Deltaker 0")
    login("deltaker0@gmail.com")
    _, (reg_id,) = paying()
    page = f"/registrations/{reg_id}/pay"
    assert "kr 750,00" in client.get(page).get_data(as_text=True)

    bad = submit(
        f"/registrations/{reg_id}/pay/invoice",
        {
            "org_number": "974767881",
            "reference": "",
            "recipient_email": "",
            "recipient_address": "",
        },
        page=page,
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Skriv inn fakturareferansen" in text
    with app.app_context():
        assert db.session.scalar(select(Invoice)) is None

    response = submit(
        f"/registrations/{reg_id}/pay/invoice",
        {
            "organisation_name": "NTNU",
            "org_number": "974 767 880",
            "reference": "Prosjekt 4711",
            "recipient_email": "faktura@ntnu.no",
            "recipient_address": "",
        },
        page=page,
    )
    assert response.status_code == 302
    invoice_page = client.get(response.location).get_data(as_text=True)
    assert (
        "Faktura 1" in invoice_page
        and "100000017" in invoice_page
        and "Prosjekt 4711" in invoice_page
    )
    with app.app_context():
        payment = db.session.scalar(select(Payment))
        assert payment.status == PaymentStatus.invoiced and payment.method.value == "invoice"
        invoice = db.session.scalar(select(Invoice))
        assert (invoice.number, invoice.kid, invoice.org_number) == (1, "100000017", "974767880")
        assert invoice.due_on - invoice.issued_on == timedelta(days=14)
    assert smtp.last_to("faktura@ntnu.no")["Subject"].startswith("Faktura 1")
    assert "KID 100000017" in smtp.body(smtp.last_to("deltaker0@gmail.com"))


def test_invoice_numbers_have_no_gaps_under_concurrent_requests(app, database_url, paying):
    """Many invoice requests at once through gunicorn (several processes); some fail
    validation in the middle. The numbers are exactly 1..N."""
    from bench.registration_burst import Server, burst_requests
    from eventsys.auth import operations as accounts
    from eventsys.auth.models import Role

    count = 30
    _, reg_ids = paying(count=count)
    with app.app_context():
        organiser = accounts.create_user(
            "ola@nettverket.no", "passord-passord", role=Role.organiser, verified=True
        )
        token = accounts.issue_api_token(organiser)
        database.commit()

    def body(i):
        # Every fifth request has a wrong check digit and must take no number.
        number = "974767881" if i % 5 == 0 else "974767880"
        return {"org_number": number, "reference": f"Ref {i}", "recipient_email": "faktura@ntnu.no"}

    calls = [
        (f"/api/v1/registrations/{reg_id}/invoice", body(i)) for i, reg_id in enumerate(reg_ids)
    ]
    with Server(database_url, workers=3, threads=6) as server:
        results = burst_requests(server.base_url, token, calls, concurrency=count)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == count - count // 5
    assert statuses.count(400) == count // 5
    with app.app_context():
        numbers = sorted(db.session.scalars(select(Invoice.number)))
        kids = list(db.session.scalars(select(Invoice.kid)))
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(rules.kid_is_valid(kid) for kid in kids) and len(set(kids)) == len(kids)


def test_finance_marks_an_invoice_paid(app, client, paying, make_user, login, submit):
    from eventsys.payments import operations as pay_ops

    _, (reg_id,) = paying()
    with app.app_context():
        invoice = pay_ops.choose_invoice(reg_id, "974767880", "Ref", "faktura@ntnu.no", "")
        database.commit()
        invoice_id = invoice.id
    make_user("kari@nettverket.no", role="participant")
    login("kari@nettverket.no")
    assert client.get("/finance/invoices").status_code == 403
    client.delete_cookie("session")
    make_user("okonomi@nettverket.no", role="finance")
    login("okonomi@nettverket.no")
    response = submit(f"/finance/invoices/{invoice_id}/paid", {}, page="/finance/invoices")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Payment)).status == PaymentStatus.paid


# --- deadlines in tick ---------------------------------------------------------------------


def test_tick_reminds_then_releases_an_unpaid_seat_to_the_waiting_list(app, paying, smtp):
    from eventsys import ticking

    event_id, (reg_id,) = paying(payment_days=7)
    with app.app_context():
        waiting = reg_ops.register(
            event_id, reg_ops.Person(email="sara@gmail.com", vouched=True), None
        ).id
        database.commit()
        deadline = db.session.scalar(select(Payment.deadline))

    def tick(at):
        with app.app_context():
            return ticking.run(now=at)

    tick(deadline - timedelta(days=3))
    assert not [m for m in smtp.to("deltaker0@gmail.com") if "Påminnelse" in m["Subject"]]
    tick(deadline - timedelta(hours=47))
    tick(deadline - timedelta(hours=46))  # the reminder goes once
    reminders = [m for m in smtp.to("deltaker0@gmail.com") if "Påminnelse" in m["Subject"]]
    assert len(reminders) == 1 and f"/registrations/{reg_id}/pay" in smtp.body(reminders[0])

    tick(deadline - timedelta(minutes=1))
    with app.app_context():
        assert db.session.get(Registration, reg_id).state == State.CONFIRMED
    tick(deadline + timedelta(minutes=1))
    with app.app_context():
        assert db.session.get(Registration, reg_id).state == State.CANCELLED
        assert db.session.get(Registration, waiting).state == State.OFFERED
    assert "gitt videre" in smtp.last_to("deltaker0@gmail.com")["Subject"]
    assert "ledig for deg" in smtp.last_to("sara@gmail.com")["Subject"]


def test_an_invoiced_seat_is_never_released(app, paying):
    from eventsys import ticking
    from eventsys.payments import operations as pay_ops

    _, (reg_id,) = paying()
    with app.app_context():
        pay_ops.choose_invoice(reg_id, "974767880", "Ref", "faktura@ntnu.no", "")
        database.commit()
        deadline = db.session.scalar(select(Payment.deadline))
    with app.app_context():
        ticking.run(now=deadline - timedelta(hours=47))
        ticking.run(now=deadline + timedelta(days=3))
        assert db.session.get(Registration, reg_id).state == State.CONFIRMED


def test_late_reminder_gives_a_day_before_release(app, paying):
    """If tick was down, the participant still gets a day after the reminder."""
    from eventsys import ticking

    _, (reg_id,) = paying()
    with app.app_context():
        deadline = db.session.scalar(select(Payment.deadline))
        ticking.run(now=deadline + timedelta(hours=1))  # reminds, too late to release
        assert db.session.get(Registration, reg_id).state == State.CONFIRMED
        ticking.run(now=deadline + timedelta(hours=20))
        assert db.session.get(Registration, reg_id).state == State.CONFIRMED
        ticking.run(now=deadline + timedelta(hours=26))
        assert db.session.get(Registration, reg_id).state == State.CANCELLED


def test_payment_deadline_is_never_after_the_start():
    confirmed = datetime(2027, 3, 1, 12, tzinfo=UTC)
    starts = datetime(2027, 3, 4, 9, tzinfo=UTC)
    assert rules.payment_deadline(confirmed, 7, starts) == starts
    assert rules.payment_deadline(confirmed, 1, starts) == confirmed + timedelta(days=1)


# --- handing the seat over -------------------------------------------------------------


def test_hand_the_seat_to_a_colleague_after_the_cancellation_deadline(
    app, client, paying, make_user, login, submit, smtp
):
    make_user("deltaker0@gmail.com")
    login("deltaker0@gmail.com")
    _, (reg_id,) = paying(cancellation_deadline=_now() + timedelta(hours=1))
    page = f"/registrations/{reg_id}/transfer"
    same = submit(page, {"name": "Meg", "email": "deltaker0@gmail.com"})
    assert same.status_code == 422
    response = submit(page, {"name": "Kollega Kari", "email": "Kari.Kollega@ntnu.no"})
    assert response.status_code == 302
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        assert (reg.email, reg.name, reg.state) == (
            "kari.kollega@ntnu.no",
            "Kollega Kari",
            State.CONFIRMED,
        )
        log = db.session.scalar(select(RegistrationLog).where(RegistrationLog.action == "transfer"))
        assert "deltaker0@gmail.com" in log.reason and "kari.kollega@ntnu.no" in log.reason
    assert "bekreftet" in smtp.last_to("kari.kollega@ntnu.no")["Subject"]
