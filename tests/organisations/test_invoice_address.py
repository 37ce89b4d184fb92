"""An organisation's invoice address: checked, edited by admin and finance on the
organisation page, and carried in the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsys.extensions import db
from eventsys.organisations import rules
from eventsys.organisations.models import Organisation


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        (("faktura@", "", "", "", "", ""), "email_invalid", "invoice_email"),
        (("a@uib.no", "Postboks 1", "502", "Bergen", "", ""), "postcode_invalid", "invoice_postcode"),
        (("a@uib.no", "Postboks 1", "50201", "Bergen", "", ""), "postcode_invalid", "invoice_postcode"),
        (("a@uib.no", "Postboks 1", "", "Bergen", "", ""), "postcode_required", "invoice_postcode"),
        (("a@uib.no", "", "5020", "", "", ""), "city_required", "invoice_city"),
        (("a@uib.no", "1\n2\n3\n4\n5", "5020", "Bergen", "", ""), "address_too_many_lines",
         "invoice_address"),
        (("a@uib.no", "", "", "", "", "974767880"), "peppol_id_invalid", "peppol_id"),
    ],
)  # fmt: skip
def test_what_is_wrong_is_named(values, code, field):
    with pytest.raises(rules.InvoiceAddressError) as caught:
        rules.check_invoice_address(*values)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_an_address_is_tidied_and_peppol_defaults_to_the_org_number():
    address = rules.check_invoice_address(
        " faktura@UIB.no ", "Postboks 7800\n\n  Universitetet  i Bergen ", " 5020 ", "Bergen",
        " Kari   Hansen ", "",
    )  # fmt: skip
    assert address.email == "faktura@uib.no"
    assert address.postal == "Postboks 7800\nUniversitetet i Bergen\n5020 Bergen"
    assert address.reference == "Kari Hansen"
    assert rules.peppol_participant(address.peppol_id, "974767880") == "0192:974767880"
    assert rules.peppol_participant("0088:7080000000001", "974767880") == "0088:7080000000001"
    assert rules.peppol_participant("", None) is None
    assert rules.check_invoice_address("", "", "", "", "", "") == rules.InvoiceAddress()


def _org(app, org_id):
    with app.app_context():
        return db.session.get(Organisation, org_id).invoice_to


def test_finance_edits_the_invoice_address_and_nothing_else(
    app, client, submit, make_org, make_user, login
):
    org_id = make_org("Universitetet i Bergen", ["uib.no"], org_number="974767880")
    make_user("okonomi@nettverket.no", role="finance")
    login("okonomi@nettverket.no")
    page = client.get(f"/admin/organisations/{org_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Fakturaadresse" in html and "kan ikke sendes" in html and "0192:974767880" in html
    assert 'name="name"' not in html  # the organisation itself stays the admin's
    url = f"/admin/organisations/{org_id}/invoice-address"
    form = {"invoice-invoice_email": "faktura@uib.no", "invoice-invoice_address": "Postboks 7800",
            "invoice-invoice_postcode": "502", "invoice-invoice_city": "Bergen",
            "invoice-invoice_reference": "", "invoice-peppol_id": ""}  # fmt: skip
    bad = submit(url, form, page=f"/admin/organisations/{org_id}")
    assert bad.status_code == 422
    assert "Et norsk postnummer har 4 sifre" in bad.get_data(as_text=True)
    assert _org(app, org_id).email == ""  # nothing half-written
    good = submit(url, {**form, "invoice-invoice_postcode": "5020",
                        "invoice-invoice_reference": "Innkjøp 4711"},
                  page=f"/admin/organisations/{org_id}")  # fmt: skip
    assert good.status_code == 302
    saved = _org(app, org_id)
    assert (saved.email, saved.postal, saved.reference) == (
        "faktura@uib.no",
        "Postboks 7800\n5020 Bergen",
        "Innkjøp 4711",
    )
    # The organisation's own form stays the admin's.
    refused = submit(f"/admin/organisations/{org_id}", {"name": "Noe annet", "kind": "other"},
                     page=f"/admin/organisations/{org_id}")  # fmt: skip
    assert refused.status_code == 403
    assert client.get("/admin/organisations/new").status_code == 403


def test_an_organiser_cannot_edit_it(app, client, make_org, make_user, login):
    org_id = make_org()
    make_user("ola@uib.no", role="organiser")
    login("ola@uib.no")
    assert client.get(f"/admin/organisations/{org_id}").status_code == 403
    response = client.post(f"/admin/organisations/{org_id}/invoice-address", data={})
    assert response.status_code in (400, 403)
    with app.app_context():
        assert db.session.scalar(select(Organisation.invoice_email)) == ""


def test_the_api_takes_and_shows_the_invoice_address(app, api_request, api_document, api_token):
    admin = api_token("admin@nettverket.no", "admin")
    body = {"name": "Universitetet i Bergen", "kind": "institution", "org_number": "974767880",
            "invoice_address": {"email": "faktura@uib.no", "lines": ["Postboks 7800"],
                                "postcode": "5020", "city": "Bergen", "reference": "K. Hansen"}}  # fmt: skip
    wrong = dict(body, invoice_address={**body["invoice_address"], "postcode": "50"})
    refused = api_request("POST", "/organisations", admin, json=wrong)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "invoice_postcode_invalid"
    with app.app_context():
        assert db.session.scalar(select(Organisation.id)) is None
    made = api_request("POST", "/organisations", admin, json=body)
    assert made.status_code == 201, made.get_json()
    org = made.get_json()
    assert org["invoice_address"] == {"email": "faktura@uib.no", "lines": ["Postboks 7800"],
                                      "postcode": "5020", "city": "Bergen",
                                      "reference": "K. Hansen", "peppol_id": ""}  # fmt: skip
    assert org["peppol_participant"] == "0192:974767880"
    listed = api_request("GET", "/organisations", admin).get_json()["organisations"]
    assert listed[0]["invoice_address"]["email"] == "faktura@uib.no"
