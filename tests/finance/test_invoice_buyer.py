"""Who an invoice is for: a private person without an organisation number, and an
organisation number checked against the name where eventsys knows the organisation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from eventsys.extensions import db
from eventsys.finance import documents
from eventsys.organisations.rules import same_name
from eventsys.payments.models import Invoice
from eventsys.registration import operations as reg_ops


@pytest.fixture
def seat_page(app, fee_event, make_user, login):
    from eventsys import database

    make_user("sara.ahmed@gmail.com", name="Sara Ahmed")
    login("sara.ahmed@gmail.com")
    event_id = fee_event()
    with app.app_context():
        reg = reg_ops.register(
            event_id,
            reg_ops.Person(email="sara.ahmed@gmail.com", name="Sara Ahmed", vouched=True),
            None,
        )
        database.commit()
        return reg.id


def test_a_private_person_chooses_invoice_with_name_and_address(
    app, client, submit, seat_page, smtp
):
    page = f"/registrations/{seat_page}/pay"
    missing = submit(f"{page}/invoice", {"private": "y", "recipient_email": "sara.ahmed@gmail.com"},
                     page=page)  # fmt: skip
    assert missing.status_code == 422 and "postadresse" in missing.get_data(as_text=True)
    done = submit(f"{page}/invoice", {"private": "y", "recipient_address": "Storgata 1\n0155 Oslo"},
                  page=page)  # fmt: skip
    assert done.status_code == 302
    with app.app_context():
        invoice = db.session.scalar(select(Invoice))
        assert invoice.org_number is None and invoice.organisation_name == "Sara Ahmed"
        assert invoice.kid and invoice.recipient_address.endswith("0155 Oslo")
        html = documents.html(invoice)
        assert "Sara Ahmed" in html and "Privatperson" not in html and "1234.56.78903" in html


@pytest.mark.parametrize(
    ("name", "ok"),
    [("Handelshøyskolen BI", True), ("handelshøyskolen bi, økonomi", True), ("NTNU", False)],
)
def test_the_org_number_must_belong_to_the_name_given(
    app, client, submit, seat_page, make_org, name, ok
):
    make_org("Handelshøyskolen BI", ["bi.no"], kind="other", org_number="971090510", periods=[])
    make_org("NTNU", ["ntnu.no"], org_number="974767880",
             periods=[("owner", date(2026, 1, 1), date(2030, 12, 31), "2000+")])  # fmt: skip
    page = f"/registrations/{seat_page}/pay"
    response = submit(f"{page}/invoice", {
        "organisation_name": name, "org_number": "971090510", "reference": "K-77",
        "recipient_email": "faktura@bi.no"}, page=page)  # fmt: skip
    assert (response.status_code == 302) is ok
    if not ok:
        assert "tilhører en annen organisasjon" in response.get_data(as_text=True)


def test_a_known_number_fills_in_the_name(app, client, submit, seat_page, make_org):
    make_org("Handelshøyskolen BI", ["bi.no"], kind="other", org_number="971090510", periods=[])
    page = f"/registrations/{seat_page}/pay"
    submit(f"{page}/invoice", {"org_number": "971090510", "reference": "K-77",
                               "recipient_email": "faktura@bi.no"}, page=page)  # fmt: skip
    with app.app_context():
        assert db.session.scalar(select(Invoice.organisation_name)) == "Handelshøyskolen BI"


@pytest.mark.parametrize(
    ("known", "typed", "same"),
    [
        ("Universitetet i Bergen", "universitetet i bergen", True),
        ("Universitetet i Bergen", "Universitetet i Bergen, Økonomiavdelingen", True),
        ("Sammen – Studentsamskipnaden på Vestlandet", "Sammen", True),
        ("Universitetet i Bergen", "Universitetet i Oslo", False),
        ("Universitetet i Bergen", "", False),
        ("DNB Bank ASA", "DNB Bank", True),
    ],
)
def test_same_name(known, typed, same):
    assert same_name(known, typed) is same
