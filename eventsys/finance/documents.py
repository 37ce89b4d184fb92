"""An invoice as documents for the payer: EHF (PEPPOL BIS Billing 3.0, UBL 2.1)
written with lxml, a PDF drawn by WeasyPrint from the same HTML as the web page, and a
signed link that opens it without an account."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from lxml import etree

from eventsys.payments.models import Invoice, InvoiceKind

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {
    "invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "credit_note": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# WeasyPrint and fontTools report every step at INFO: not news for our log.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)

ORG_NUMBER_SCHEME = "0192"  # Enhetsregisteret, Brønnøysund
VAT_EXEMPTION_REASONS = {"O": "Not subject to VAT", "E": "Exempt from VAT"}


@dataclass(frozen=True)
class Seller:
    name: str
    street: str
    postcode: str
    city: str
    org_number: str
    bank_account: str
    email: str
    vat_category: str

    @property
    def complete(self) -> bool:
        return all((self.name, self.street, self.postcode, self.org_number, self.bank_account))


def split_address(text: str) -> tuple[str, str, str]:
    """'Street 1\\n5020 Bergen' → ('Street 1', '5020', 'Bergen'): the last line is the
    postcode and place, as Norwegian addresses are written."""
    lines = [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]
    if not lines:
        return "", "", ""
    last = lines[-1]
    postcode, _, city = last.partition(" ")
    if postcode.isdigit() and len(postcode) == 4:
        return ", ".join(lines[:-1]), postcode, city.strip()
    return ", ".join(lines), "", ""


def seller() -> Seller:
    config = current_app.config
    street, postcode, city = split_address(config.get("SELLER_ADDRESS", ""))
    return Seller(
        name=config.get("SELLER_NAME", ""),
        street=street,
        postcode=postcode,
        city=city,
        org_number=config.get("SELLER_ORG_NUMBER", ""),
        bank_account=config.get("SELLER_BANK_ACCOUNT", ""),
        email=config.get("SELLER_EMAIL", ""),
        vat_category=config.get("SELLER_VAT_CATEGORY", "O"),
    )


def format_account(number: str) -> str:
    """'12345678903' → '1234.56.78903', as Norwegian account numbers are written."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) != 11:
        return number
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"


# --- the signed link -------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="eventsys-invoice-link")


def token(invoice: Invoice) -> str:
    # Bound to the number too: a reused row id never opens another invoice.
    return _serializer().dumps([invoice.id, invoice.number])


def invoice_for_token(value: str) -> Invoice | None:
    from eventsys.extensions import db

    try:
        invoice_id, number = _serializer().loads(value)
    except (BadSignature, ValueError, TypeError):
        return None
    invoice = db.session.get(Invoice, invoice_id) if isinstance(invoice_id, int) else None
    return invoice if invoice is not None and invoice.number == number else None


def signed_url(invoice: Invoice) -> str:
    from eventsys.links import absolute

    return absolute("documents.invoice", token=token(invoice))


# --- EHF -------------------------------------------------------------------------------------


def _money(ore: int) -> str:
    return f"{Decimal(abs(ore)) / 100:.2f}"


class _Writer:
    def __init__(self, root):
        self.root = root

    def el(self, parent, tag: str, text=None, **attrs):
        prefix, name = tag.split(":")
        node = etree.SubElement(
            parent, f"{{{NS[prefix]}}}{name}", {k: str(v) for k, v in attrs.items()}
        )
        if text is not None:
            node.text = str(text)
        return node


def _party(
    w: _Writer, parent, *, name, org_number, street, postcode, city, email=None, endpoint=""
):
    """A party; its EndpointID is the PEPPOL participant id `endpoint` ("scheme:id")
    when given, else 0192 and the organisation number."""
    party = w.el(parent, "cac:Party")
    scheme, _, identifier = (endpoint or "").partition(":")
    if identifier:
        w.el(party, "cbc:EndpointID", identifier, schemeID=scheme)
    elif org_number:
        w.el(party, "cbc:EndpointID", org_number, schemeID=ORG_NUMBER_SCHEME)
    w.el(w.el(party, "cac:PartyName"), "cbc:Name", name)
    address = w.el(party, "cac:PostalAddress")
    if street:
        w.el(address, "cbc:StreetName", street)
    if city:
        w.el(address, "cbc:CityName", city)
    if postcode:
        w.el(address, "cbc:PostalZone", postcode)
    w.el(w.el(address, "cac:Country"), "cbc:IdentificationCode", "NO")
    legal = w.el(party, "cac:PartyLegalEntity")
    w.el(legal, "cbc:RegistrationName", name)
    if org_number:
        w.el(legal, "cbc:CompanyID", org_number, schemeID=ORG_NUMBER_SCHEME)
    if email:
        w.el(w.el(party, "cac:Contact"), "cbc:ElectronicMail", email)
    return party


def _tax_category(w: _Writer, parent, tag: str, category: str):
    node = w.el(parent, tag)
    w.el(node, "cbc:ID", category)
    if category != "O":  # "not subject to VAT" carries no rate (BR-O-05)
        w.el(node, "cbc:Percent", "0")
    if tag == "cac:TaxCategory":
        w.el(node, "cbc:TaxExemptionReason", VAT_EXEMPTION_REASONS.get(category, "Exempt from VAT"))
    w.el(w.el(node, "cac:TaxScheme"), "cbc:ID", "VAT")
    return node


def ehf_xml(invoice: Invoice) -> bytes:
    """The invoice or credit note as a PEPPOL BIS Billing 3.0 UBL 2.1 document."""
    credit = invoice.kind == InvoiceKind.credit_note
    kind = "credit_note" if credit else "invoice"
    root = etree.Element(
        f"{{{NS[kind]}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: NS[kind], "cac": NS["cac"], "cbc": NS["cbc"]},
    )
    w = _Writer(root)
    s = seller()
    amount = _money(invoice.amount)
    w.el(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    w.el(root, "cbc:ProfileID", PROFILE_ID)
    w.el(root, "cbc:ID", invoice.number)
    w.el(root, "cbc:IssueDate", invoice.issued_on.isoformat())
    if not credit:
        w.el(root, "cbc:DueDate", invoice.due_on.isoformat())
    w.el(
        root,
        "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode",
        "381" if credit else "380",
    )
    w.el(root, "cbc:DocumentCurrencyCode", invoice.currency)
    w.el(root, "cbc:BuyerReference", invoice.reference or "-")
    if credit and invoice.credit_for is not None:
        reference = w.el(w.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.el(reference, "cbc:ID", invoice.credit_for.number)
        w.el(reference, "cbc:IssueDate", invoice.credit_for.issued_on.isoformat())
    _party(
        w, w.el(root, "cac:AccountingSupplierParty"), name=s.name, org_number=s.org_number,
        street=s.street, postcode=s.postcode, city=s.city, email=s.email or None,
    )  # fmt: skip
    street, postcode, city = split_address(invoice.recipient_address)
    _party(
        w, w.el(root, "cac:AccountingCustomerParty"),
        name=invoice.organisation_name or invoice.recipient_email or "-",
        org_number=invoice.org_number, street=street, postcode=postcode, city=city,
        email=invoice.recipient_email or None, endpoint=invoice.buyer_endpoint,
    )  # fmt: skip
    if not credit:
        means = w.el(root, "cac:PaymentMeans")
        w.el(means, "cbc:PaymentMeansCode", "30")  # credit transfer
        if invoice.kid:
            w.el(means, "cbc:PaymentID", invoice.kid)
        w.el(w.el(means, "cac:PayeeFinancialAccount"), "cbc:ID", s.bank_account)
        w.el(
            w.el(root, "cac:PaymentTerms"),
            "cbc:Note",
            f"Forfall {invoice.due_on.isoformat()}, KID {invoice.kid}",
        )
    tax = w.el(root, "cac:TaxTotal")
    w.el(tax, "cbc:TaxAmount", "0.00", currencyID=invoice.currency)
    subtotal = w.el(tax, "cac:TaxSubtotal")
    w.el(subtotal, "cbc:TaxableAmount", amount, currencyID=invoice.currency)
    w.el(subtotal, "cbc:TaxAmount", "0.00", currencyID=invoice.currency)
    _tax_category(w, subtotal, "cac:TaxCategory", s.vat_category)
    totals = w.el(root, "cac:LegalMonetaryTotal")
    for tag in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount"):
        w.el(totals, f"cbc:{tag}", amount, currencyID=invoice.currency)
    line = w.el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    w.el(line, "cbc:ID", "1")
    w.el(line, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", "1", unitCode="C62")
    w.el(line, "cbc:LineExtensionAmount", amount, currencyID=invoice.currency)
    item = w.el(line, "cac:Item")
    w.el(item, "cbc:Name", invoice.description[:200])
    _tax_category(w, item, "cac:ClassifiedTaxCategory", s.vat_category)
    w.el(w.el(line, "cac:Price"), "cbc:PriceAmount", amount, currencyID=invoice.currency)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- PDF -------------------------------------------------------------------------------------


def html(invoice: Invoice) -> str:
    from flask_babel import force_locale

    with force_locale("nb"):  # invoices go to Norwegian accounts-payable offices
        return render_template(
            "finance/invoice_document.html", invoice=invoice, seller=seller(),
            account=format_account(seller().bank_account),
        )  # fmt: skip


def pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF; fonts and styles are local (no network)."""
    from weasyprint import HTML

    return HTML(string=html(invoice), base_url=None).write_pdf()


def filename(invoice: Invoice, ext: str) -> str:
    word = "kreditnota" if invoice.kind == InvoiceKind.credit_note else "faktura"
    return f"{word}-{invoice.number}.{ext}"


def attachments(invoice: Invoice) -> list[tuple[str, str, bytes]]:
    """PDF for people, EHF for accounts-payable systems (when the buyer has an
    organisation number to receive it)."""
    found = [(filename(invoice, "pdf"), "application/pdf", pdf(invoice))]
    if invoice.org_number:
        found.append((filename(invoice, "xml"), "application/xml", ehf_xml(invoice)))
    return found


def url_for_document(invoice: Invoice, ext: str) -> str:
    return url_for("documents.invoice_file", token=token(invoice), ext=ext)
