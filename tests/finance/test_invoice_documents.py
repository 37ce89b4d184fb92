"""What an accounts-payable office receives: seller details, bank account, KID; a PDF
and an EHF (PEPPOL BIS Billing 3.0) document; a link that works without an account."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.finance import documents
from eventsys.payments.models import Invoice

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

# The elements PEPPOL BIS Billing 3.0 makes mandatory (plus the Norwegian KID and
# organisation numbers with scheme 0192), as paths under the root.
MANDATORY = [
    "cbc:CustomizationID", "cbc:ProfileID", "cbc:ID", "cbc:IssueDate", "{type}",
    "cbc:DocumentCurrencyCode", "cbc:BuyerReference",
    "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID",
    "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
    "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
    "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
    "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
    "cac:TaxTotal/cbc:TaxAmount",
    "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount",
    "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
    "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID",
    "cac:LegalMonetaryTotal/cbc:LineExtensionAmount",
    "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
    "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
    "cac:LegalMonetaryTotal/cbc:PayableAmount",
    "{line}/cbc:ID", "{line}/{qty}", "{line}/cbc:LineExtensionAmount",
    "{line}/cac:Item/cbc:Name", "{line}/cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
    "{line}/cac:Price/cbc:PriceAmount",
]  # fmt: skip


def _doc(app, invoice_id):
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        return etree.fromstring(documents.ehf_xml(invoice))


def _text(root, path):
    return root.findtext(path, namespaces=NS)


def test_ehf_invoice_has_every_mandatory_element_and_totals_agree(app, paying_invoice):
    root = _doc(app, paying_invoice())
    assert etree.QName(root).namespace == NS["inv"]
    for path in MANDATORY:
        path = path.format(
            type="cbc:InvoiceTypeCode", line="cac:InvoiceLine", qty="cbc:InvoicedQuantity"
        )
        assert root.find(path, NS) is not None and (root.find(path, NS).text or "").strip(), path
    assert _text(root, "cbc:CustomizationID") == documents.CUSTOMIZATION_ID
    assert _text(root, "cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert _text(root, "cbc:InvoiceTypeCode") == "380"
    assert _text(root, "cbc:BuyerReference") == "Prosjekt 4711"
    seller = root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (seller.text, seller.get("schemeID")) == ("999999999", "0192")
    assert (buyer.text, buyer.get("schemeID")) == ("974767880", "0192")
    assert (
        _text(root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:PostalZone")
        == "7491"
    )
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert _text(root, "cac:PaymentMeans/cbc:PaymentID") == "100000017"
    assert _text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "12345678903"
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert _text(category, "cbc:ID") == "O" and category.find("cbc:Percent", NS) is None
    lines = sum(
        Decimal(e.text) for e in root.findall("cac:InvoiceLine/cbc:LineExtensionAmount", NS)
    )
    totals = {t: Decimal(_text(root, f"cac:LegalMonetaryTotal/cbc:{t}")) for t in
              ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount")}  # fmt: skip
    tax = Decimal(_text(root, "cac:TaxTotal/cbc:TaxAmount"))
    assert (
        lines == totals["LineExtensionAmount"] == totals["TaxExclusiveAmount"] == Decimal("750.00")
    )
    assert (
        totals["TaxInclusiveAmount"]
        == totals["TaxExclusiveAmount"] + tax
        == totals["PayableAmount"]
    )
    amounts = root.findall(".//cbc:*[@currencyID]", NS)
    assert amounts and all(a.get("currencyID") == "NOK" for a in amounts)


def test_ehf_credit_note(app, paying_invoice):
    from eventsys.payments import operations as pay_ops

    invoice_id = paying_invoice()
    with app.app_context():
        note = pay_ops.credit_note(db.session.get(Invoice, invoice_id), datetime.now(UTC))
        database.commit()
        note_id = note.id
    root = _doc(app, note_id)
    assert etree.QName(root).localname == "CreditNote"
    for path in MANDATORY:
        path = path.format(
            type="cbc:CreditNoteTypeCode", line="cac:CreditNoteLine", qty="cbc:CreditedQuantity"
        )
        assert root.find(path, NS) is not None, path
    assert _text(root, "cbc:CreditNoteTypeCode") == "381"
    assert _text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "1"
    assert _text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "750.00"


def test_the_payer_gets_pdf_and_ehf_and_a_link_that_needs_no_login(
    app, client, smtp, paying_invoice
):
    invoice_id = paying_invoice()
    # The request only names the documents; the mail worker draws them, so no PDF is
    # drawn while the request holds the invoice series' lock.
    from eventsys.mail.models import OutboundMail

    with app.app_context():
        queued = db.session.scalars(
            db.select(OutboundMail).where(OutboundMail.recipient == "faktura@ntnu.no")
        ).one()
        made = [{"make": "invoice_documents", "args": {"invoice_id": invoice_id}}]
        assert queued.attachments == made
    message = smtp.last_to("faktura@ntnu.no")
    body = smtp.body(message)
    assert "1234.56.78903" in body and "100000017" in body and "999999999" in body
    parts = {p.get_filename(): p for p in message.iter_attachments()}
    assert parts["faktura-1.pdf"].get_content().startswith(b"%PDF")
    assert b"<cbc:PaymentID>100000017</cbc:PaymentID>" in parts["faktura-1.xml"].get_content()
    [link] = [u for u in smtp.links(message) if "/invoices/s/" in u]
    page = client.get(link.removeprefix("http://localhost"))  # not logged in
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1234.56.78903" in html and "999999999" in html and "Postboks 7800" in html
    pdf = client.get(link.removeprefix("http://localhost") + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get("/invoices/s/" + "x" * 20).status_code == 404
    assert client.get(link.removeprefix("http://localhost")[:-2] + "AA").status_code == 404


def test_the_pdf_carries_what_accounts_payable_needs(app, paying_invoice):
    pypdf = pytest.importorskip("pypdf")
    import io

    invoice_id = paying_invoice()
    with app.app_context():
        data = documents.pdf(db.session.get(Invoice, invoice_id))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    for expected in ("Faktura 1", "999999999", "1234.56.78903", "100000017", "Prosjekt 4711",
                     "974767880", "Postboks 7800", "5020 Bergen"):  # fmt: skip
        assert expected in text, expected


def test_contribution_invoices_are_documents_too(app, runner, make_org):
    make_org("Universitetet i Bergen", ["uib.no"], org_number="974767880",
             periods=[("owner", date(2027, 1, 1), date(2027, 12, 31), "2000+")])  # fmt: skip
    runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    with app.app_context():
        invoice_id = db.session.scalar(select(Invoice.id))
    root = _doc(app, invoice_id)
    assert _text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "150000.00"
    assert _text(root, "cac:PaymentMeans/cbc:PaymentID").startswith("2")
