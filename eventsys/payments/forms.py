from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from eventsys.validators import SingleLine


class InvoiceForm(FlaskForm):
    private = BooleanField(
        _l("I pay myself, as a private person (no organisation number)"),
        description=_l("Then give your name and postal address; the reference may be empty."),
    )
    organisation_name = StringField(
        _l("Employer or organisation to invoice"),
        validators=[SingleLine(), Optional(), Length(max=200)],
    )
    org_number = StringField(
        _l("Organisation number"),
        validators=[SingleLine(), Length(max=30)],
        description=_l("9 digits, e.g. 974 767 880."),
    )
    reference = StringField(
        _l("Invoice reference"),
        validators=[SingleLine(), Length(max=200)],
        description=_l("The reference or order number your employer asks for on invoices."),
    )
    recipient_email = EmailField(
        _l("Send the invoice to (e-mail)"),
        validators=[
            Optional(),
            Email(
                message=_l("Enter a valid e-mail address, like navn@uib.no."),
                check_deliverability=False,
            ),
            Length(max=320),
        ],
        description=_l(
            "E.g. the invoice reception of your employer. Or give a postal address below."
        ),
    )
    recipient_address = TextAreaField(
        _l("Postal address for the invoice"),
        validators=[Optional(), Length(max=500)],
        render_kw={"rows": 3},
    )

    def validate_org_number(self, field):
        if not self.private.data and not (field.data or "").strip():
            raise ValidationError(_l("Enter the organisation number."))

    def validate_reference(self, field):
        if not self.private.data and not (field.data or "").strip():
            raise ValidationError(_l("Enter the invoice reference your employer needs."))


class TransferForm(FlaskForm):
    name = StringField(
        _l("Your colleague's full name"),
        validators=[
            SingleLine(),
            DataRequired(message=_l("Enter your colleague's name.")),
            Length(max=200),
        ],
    )
    email = EmailField(
        _l("Your colleague's e-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(
                message=_l("Enter a valid e-mail address, like navn@uib.no."),
                check_deliverability=False,
            ),
            Length(max=320),
        ],
    )
