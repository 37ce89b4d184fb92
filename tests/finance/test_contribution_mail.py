"""Contribution invoices and their reminders reach the owner's invoice inbox with the
PDF and the EHF attached; an owner without an invoice address is named, not skipped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lxml import etree
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.finance import operations
from eventsys.finance.models import Contribution
from eventsys.organisations import operations as org_ops
from eventsys.organisations.models import Organisation
from eventsys.payments.models import Invoice

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@pytest.fixture
def owners(app, make_org):
    """UiB with an invoice address and a reference, HVL without any address."""
    uib = make_org("Universitetet i Bergen", ["uib.no"], org_number="974767880",
                   periods=[("owner", date(2026, 1, 1), date(2027, 12, 31), "2000+")])  # fmt: skip
    hvl = make_org("Høgskulen på Vestlandet", ["hvl.no"], org_number="917641404",
                   periods=[("owner", date(2027, 1, 1), date(2028, 12, 31), "1001-2000")])  # fmt: skip
    with app.app_context():
        org_ops.set_invoice_address(
            db.session.get(Organisation, uib),
            " faktura@UIB.no",
            "Postboks 7800",
            "5020",
            "Bergen",
            "Innkjøp 4711 / Kari Hansen",
        )
        database.commit()
    return uib, hvl


def _attachments(message) -> dict[str, bytes]:
    return {p.get_filename(): p.get_content() for p in message.iter_attachments()}


def _ehf(data: bytes):
    root = etree.fromstring(data)

    def text(path):
        return root.findtext(path, namespaces=NS)

    return root, text


def test_invoice_owners_mails_each_new_invoice_once_with_pdf_and_ehf(app, runner, smtp, owners):
    result = runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert "2 contribution invoices made for 2027" in result.output
    assert "sent invoice" in result.output and "faktura@uib.no" in result.output
    # HVL has no invoice address: named as cannot be sent, not silently left out.
    assert "cannot be sent" in result.output and "Høgskulen på Vestlandet" in result.output
    assert "1 sent, 1 cannot be sent" in result.output

    [message] = smtp.to("faktura@uib.no")
    assert len(smtp.messages) == 1
    files = _attachments(message)
    with app.app_context():
        invoice = db.session.scalar(
            select(Invoice).where(Invoice.organisation_name == "Universitetet i Bergen")
        )
        number, kid = invoice.number, invoice.kid
    assert files[f"faktura-{number}.pdf"].startswith(b"%PDF")
    _root, text = _ehf(files[f"faktura-{number}.xml"])
    assert text("cbc:BuyerReference") == "Innkjøp 4711 / Kari Hansen"
    assert text("cac:PaymentMeans/cbc:PaymentID") == kid
    assert text("cac:LegalMonetaryTotal/cbc:PayableAmount") == "150000.00"
    party = "cac:AccountingCustomerParty/cac:Party/"
    assert text(party + "cbc:EndpointID") == "974767880"
    assert text(party + "cac:PostalAddress/cbc:PostalZone") == "5020"
    assert text(party + "cac:PostalAddress/cbc:CityName") == "Bergen"
    assert kid in smtp.body(message) and "Innkjøp 4711" in smtp.body(message)

    # A second run sends nothing twice and still names the owner it cannot reach.
    again = runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    assert "0 sent, 1 cannot be sent" in again.output
    assert len(smtp.messages) == 1

    # Finance adds HVL's address (and its own PEPPOL id): the next run sends only HVL's.
    with app.app_context():
        hvl = db.session.get(Organisation, owners[1])
        org_ops.set_invoice_address(
            hvl, "faktura@hvl.no", "Postboks 7030", "5020", "Bergen", "", "0192:917641404"
        )
        database.commit()
    third = runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    assert "1 sent, 0 cannot be sent" in third.output
    assert len(smtp.messages) == 2
    hvl_mail = smtp.last_to("faktura@hvl.no")
    files = _attachments(hvl_mail)
    [xml] = [data for name, data in files.items() if name.endswith(".xml")]
    _root, text = _ehf(xml)
    assert text("cbc:BuyerReference") == "Eierbidrag 2027"  # no reference of its own
    assert text("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:StreetName") == (
        "Postboks 7030"
    )
    with app.app_context():
        sent = {c.organisation.name: c.sent_to for c in db.session.scalars(select(Contribution))}
    assert sent == {"Universitetet i Bergen": "faktura@uib.no",
                    "Høgskulen på Vestlandet": "faktura@hvl.no"}  # fmt: skip


def test_a_reminder_goes_to_the_invoice_address_with_the_documents(
    app, runner, smtp, owners, make_user
):
    runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    user_id = make_user("okonomi@nettverket.no", role="finance")
    with app.app_context():
        from eventsys.auth.models import User

        # UiB moved its invoice inbox after the invoice went out: the reminder follows.
        org_ops.set_invoice_address(
            db.session.get(Organisation, owners[0]), "eiendom.faktura@uib.no", "Postboks 7800",
            "5020", "Bergen", "Innkjøp 4711 / Kari Hansen",
        )  # fmt: skip
        invoice = db.session.scalar(
            select(Invoice).where(Invoice.organisation_name == "Universitetet i Bergen")
        )
        later = database.utcnow() + timedelta(days=45)
        operations.send_reminder(invoice.id, 1, db.session.get(User, user_id), now=later)
        database.commit()
        kid = invoice.kid
    reminder = smtp.last_to("eiendom.faktura@uib.no")
    assert reminder["Subject"].startswith("Purring 1: faktura")
    files = _attachments(reminder)
    [pdf] = [data for name, data in files.items() if name.endswith(".pdf")]
    [xml] = [data for name, data in files.items() if name.endswith(".xml")]
    assert pdf.startswith(b"%PDF")
    _root, text = _ehf(xml)
    assert text("cac:PaymentMeans/cbc:PaymentID") == kid
    assert text("cbc:BuyerReference") == "Innkjøp 4711 / Kari Hansen"


def test_the_contributions_page_names_the_owner_that_cannot_be_sent(
    app, client, submit, smtp, owners, make_user, login
):
    make_user("okonomi@nettverket.no", role="finance")
    login("okonomi@nettverket.no")
    response = submit(
        "/finance/contributions/invoice", {"year": "2027"}, page="/finance/contributions?year=2027"
    )
    assert response.status_code == 302
    page = client.get("/finance/contributions?year=2027").get_data(as_text=True)
    assert "Kan ikke sendes" in page and "faktura@uib.no" in page
    assert f"/admin/organisations/{owners[1]}#invoice-heading" in page
    assert len(smtp.to("faktura@uib.no")) == 1


def test_ehf_export_writes_files_for_the_access_point(app, runner, owners, tmp_path):
    """eventsys does not reach the PEPPOL network itself: finance exports the EHF
    files, with a manifest naming each receiver, for their access point."""
    import csv

    with app.app_context():
        hvl = db.session.get(Organisation, owners[1])
        org_ops.set_invoice_address(
            hvl, "faktura@hvl.no", "Postboks 7030", "5020", "Bergen", "", "0088:7080000000001"
        )
        database.commit()
    runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    out = tmp_path / "ehf"
    result = runner.invoke(
        args=["eventsys", "ehf-export", "--since", "2000-01-01", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 EHF documents" in result.output
    with (out / "ehf-manifest.csv").open(encoding="utf-8") as manifest:
        rows = {row["buyer"]: row for row in csv.DictReader(manifest)}
    assert rows["Universitetet i Bergen"]["peppol_participant"] == "0192:974767880"
    assert rows["Høgskulen på Vestlandet"]["peppol_participant"] == "0088:7080000000001"
    for row in rows.values():
        root, text = _ehf((out / row["file"]).read_bytes())
        scheme, _, identifier = row["peppol_participant"].partition(":")
        endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
        assert (endpoint.get("schemeID"), endpoint.text) == (scheme, identifier)
        assert text("cbc:ID") == row["number"]
