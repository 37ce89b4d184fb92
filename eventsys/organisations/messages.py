"""The messages of the organisation operations' error codes (pages and API)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.messages import COMMON, Catalogue

MESSAGES = Catalogue(
    {
        "name_required": _l("Enter a name."),
        "name_taken": _l("An organisation with this name exists already."),
        "org_number_not_digits": _l("An organisation number has digits only."),
        "org_number_wrong_length": _l("An organisation number has exactly 9 digits."),
        "org_number_wrong_start": _l("A Norwegian organisation number starts with 8 or 9."),
        "org_number_check_digit": _l(
            "This is not a valid organisation number: the check digit does not match. "
            "Check the number for typos."
        ),
        "org_number_taken": _l("Another organisation has this organisation number."),
        "domain_invalid": lambda detail="", **_p: _(
            "“%(domain)s” is not an e-mail domain.", domain=detail
        ),
        "domain_taken": lambda detail="", **_p: _(
            "The domain %(domain)s belongs to another organisation.", domain=detail
        ),
        "period_order": _l("The end date must be after the start date."),
        "staff_band_required": _l("An owner institution needs a staff band."),
        "period_overlap": _l("The period overlaps another period of this organisation."),
        "invoice_email_invalid": _l("Enter a valid e-mail address, e.g. faktura@uib.no."),
        "invoice_too_long": _l("The text is too long."),
        "invoice_address_too_many_lines": _l("An address has at most 4 lines."),
        "invoice_postcode_invalid": _l("A Norwegian postcode has 4 digits, e.g. 5020."),
        "invoice_postcode_required": _l("Enter the postcode."),
        "invoice_city_required": _l("Enter the place (city)."),
        "invoice_peppol_id_invalid": _l(
            "Write a PEPPOL id as scheme:identifier, e.g. 0192:974767880."
        ),
    },
    parent=COMMON,
)
