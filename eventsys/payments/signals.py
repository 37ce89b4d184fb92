"""Domain signals of payments; listeners live in the packages that care (finance)."""

from blinker import Namespace

_signals = Namespace()

# An invoice for a participant's fee was issued: sender is the Invoice, `registration`
# the registration. Finance sends it to the payer's invoice inbox (PDF, EHF, link).
invoice_issued = _signals.signal("invoice-issued")
