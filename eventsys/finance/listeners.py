"""Finance's answers to other packages' signals."""

from __future__ import annotations

from eventsys import mail
from eventsys.payments import signals


@signals.invoice_issued.connect
def send_invoice_to_payer(invoice, registration=None, **_):
    """The payer's invoice inbox gets the invoice as PDF and EHF attachments and a
    signed link that opens it without an account (unless the payer is the
    participant, who has it on their page already)."""
    from eventsys.finance import operations

    if not invoice.recipient_email:
        return
    if registration is not None and invoice.recipient_email.lower() == registration.email:
        return
    operations.mail_invoice(invoice, registration)


@mail.attachment_maker("invoice_documents")
def invoice_documents(invoice_id: int) -> list[tuple[str, str, bytes]]:
    """The invoice's PDF (and EHF), drawn by the mail worker, outside any request."""
    from eventsys.extensions import db
    from eventsys.finance import documents
    from eventsys.payments.models import Invoice

    invoice = db.session.get(Invoice, invoice_id)
    return documents.attachments(invoice) if invoice is not None else []
