from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from eventsys.validators import SingleLine


def kind_choices():
    return [
        ("institution", _l("University or university college")),
        ("welfare_org", _l("Student welfare organisation")),
        ("other", _l("Other")),
    ]


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[SingleLine(), DataRequired(message=_l("Enter a name.")), Length(max=200)],
    )
    org_number = StringField(
        _l("Organisation number"),
        validators=[SingleLine(), Optional(), Length(max=20)],
        description=_l("9 digits from the Brønnøysund Register Centre, e.g. 974 767 880."),
    )
    kind = SelectField(_l("Kind"), choices=kind_choices)
    domains = TextAreaField(
        _l("E-mail domains"),
        description=_l("One per line, e.g. uib.no. Sub-domains such as student.uib.no count too."),
        render_kw={"rows": 3},
    )

    def domain_list(self) -> list[str]:
        raw = (self.domains.data or "").replace(",", "\n").split()
        return [d for d in raw if d.strip()]


class OwnershipForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=[("owner", _l("Owner (contributing)")), ("observer", _l("Observer"))]
    )
    valid_from = DateField(_l("From"), validators=[DataRequired(message=_l("Enter a start date."))])
    valid_to = DateField(
        _l("To"),
        validators=[Optional()],
        description=_l("Leave empty for the binding period: to the end of next year."),
    )
    staff_band = SelectField(
        _l("Staff band"),
        choices=[
            ("", _l("— not relevant —")),
            ("0-500", _l("Up to 500 employees")),
            ("501-1000", _l("501–1000 employees")),
            ("1001-2000", _l("1001–2000 employees")),
            ("2000+", _l("More than 2000 employees")),
        ],
    )


class InvoiceAddressForm(FlaskForm):
    """Where the organisation's invoices go; admin and finance edit it."""

    invoice_email = StringField(
        _l("Invoice e-mail address"),
        validators=[SingleLine(), Optional(), Length(max=320)],
        description=_l("The inbox of its accounts-payable office: invoices and reminders "
                       "go there with the PDF and the EHF attached."),
    )  # fmt: skip
    invoice_address = TextAreaField(
        _l("Postal address"),
        description=_l("Street or PO box, one line each (without postcode and place)."),
        render_kw={"rows": 2},
    )
    invoice_postcode = StringField(
        _l("Postcode"), validators=[SingleLine(), Optional(), Length(max=10)]
    )
    invoice_city = StringField(_l("Place"), validators=[SingleLine(), Optional(), Length(max=100)])
    invoice_reference = StringField(
        _l("Their reference"),
        validators=[SingleLine(), Optional(), Length(max=200)],
        description=_l("What their accounts-payable office wants on the invoice "
                       "(“deres referanse”), e.g. an order number or a person."),
    )  # fmt: skip
    peppol_id = StringField(
        _l("PEPPOL participant id"),
        validators=[SingleLine(), Optional(), Length(max=60)],
        description=_l("Only if the EHF goes elsewhere than 0192 and the organisation number."),
    )
