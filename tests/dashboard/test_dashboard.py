"""Staff land on a dashboard after logging in: the next events with seats, waiting
lists and unpaid fees, and what needs doing. Participants still land on their page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import upcoming

from eventsys import database
from eventsys.payments import operations as pay_ops
from eventsys.registration import operations as reg_ops

PASSWORD = "riktig-passord-1"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def staff(make_user):
    make_user("ola@nettverket.no", password=PASSWORD, role="organiser", name="Ola")
    make_user("okonomi@nettverket.no", password=PASSWORD, role="finance", name="Økonomi")
    make_user("jonas@bi.no", password=PASSWORD, name="Jonas")


@pytest.mark.parametrize(
    ("email", "landing"),
    [
        ("ola@nettverket.no", "/dashboard"),
        ("okonomi@nettverket.no", "/dashboard"),
        ("jonas@bi.no", "/account"),
    ],
)
def test_staff_land_on_the_dashboard_participants_on_their_page(submit, staff, email, landing):
    response = submit("/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == landing


def test_participants_have_no_dashboard(client, login, staff):
    login("jonas@bi.no", PASSWORD)
    assert client.get("/dashboard").status_code == 403


@pytest.fixture
def busy_event(app, network, make_event):
    """Starts in five days: two seats, one unpaid fee, an offer running out tonight, an
    owner's address not yet verified and somebody waiting."""
    now = datetime.now(UTC)
    event_id = make_event(
        title="Seminar om frafall", capacity=2, fee=75000, offer_hours=6, **upcoming(days=5)
    )
    with app.app_context():
        first = reg_ops.register(
            event_id, reg_ops.Person(email="sara@gmail.com", name="Sara", vouched=True), None
        )
        second = reg_ops.register(
            event_id, reg_ops.Person(email="per@gmail.com", name="Per", vouched=True), None
        )
        reg_ops.register(event_id, reg_ops.Person(email="kari@uib.no", name="Kari"), None)
        reg_ops.register(
            event_id, reg_ops.Person(email="ulf@gmail.com", name="Ulf", vouched=True), None
        )
        # Per pays by invoice; Kari (unverified owner address) gets Sara's seat offered.
        pay_ops.choose_invoice(second.id, "974767880", "Ref", "faktura@ntnu.no", "")
        reg_ops.cancel(first.id, None, now=now)
        database.commit()
    return event_id


def test_the_organiser_sees_the_next_events_and_what_needs_doing(client, login, staff, busy_event):
    login("ola@nettverket.no", PASSWORD)
    page = _text(client.get("/dashboard").get_data(as_text=True))
    assert "Seminar om frafall" in page
    assert "Plasser i bruk 2 / 2" in page and "Venter 1" in page and "Åpne tilbud 1" in page
    assert "Må gjøres" in page
    assert "1 med adresse hos en eier som ikke er bekreftet ennå" in page
    assert "1 tilbud går ut innen" in page
    assert "deltakerlisten er ikke lastet ned" in page

    client.get(f"/organiser/events/{busy_event}/participants.csv")
    page = _text(client.get("/dashboard").get_data(as_text=True))
    assert "deltakerlisten er ikke lastet ned" not in page


def test_unpaid_fees_are_counted_per_event(app, client, login, staff, network, make_event):
    event_id = make_event(title="Kurs", capacity=5, fee=50000, **upcoming(days=40))
    with app.app_context():
        reg_ops.register(
            event_id, reg_ops.Person(email="a@gmail.com", name="A", vouched=True), None
        )
        reg_ops.register(event_id, reg_ops.Person(email="b@uib.no", name="B", vouched=True), None)
        database.commit()
    login("ola@nettverket.no", PASSWORD)
    page = _text(client.get("/dashboard").get_data(as_text=True))
    assert "Ubetalte avgifter 1 (kr 500,00)" in page
    assert "Ingenting haster." in page


def test_finance_sees_overdue_invoices(app, client, login, staff, network, make_event):
    event_id = make_event(title="Kurs", capacity=5, fee=50000, **upcoming(days=40))
    with app.app_context():
        reg = reg_ops.register(
            event_id, reg_ops.Person(email="a@gmail.com", name="A", vouched=True), None
        )
        invoice = pay_ops.choose_invoice(
            reg.id,
            "974767880",
            "Ref",
            "faktura@ntnu.no",
            "",
            organisation_name="NTNU",
            now=datetime.now(UTC) - timedelta(days=30),
        )
        number = invoice.number
        database.commit()
    login("okonomi@nettverket.no", PASSWORD)
    page = _text(client.get("/dashboard").get_data(as_text=True))
    assert "Forfalte fakturaer 1 (kr 500,00)" in page
    assert f"Faktura {number} – NTNU, kr 500,00" in page
    assert "Neste arrangementer" not in page  # finance does not organise events


def test_an_event_at_the_door_shows_who_has_arrived(app, client, login, staff, event_with_people):
    event_id, ids = event_with_people(3, title="Frokostmøte", capacity=10)
    with app.app_context():
        reg_ops.mark_attendance(ids[0], True, None)
        database.commit()
    login("ola@nettverket.no", PASSWORD)
    html = client.get("/dashboard").get_data(as_text=True)
    page = _text(html)
    assert "Kommet 1 / 3" in page and "Plasser i bruk 3 / 10" in page
    assert f'href="/organiser/events/{event_id}/checkin" class="button"' in html
