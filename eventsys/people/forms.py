from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def region_choices(empty):
    return [
        ("", empty),
        ("nord", _l("Northern Norway")),
        ("midt", _l("Central Norway")),
        ("vest", _l("Western Norway")),
        ("sor", _l("Southern Norway")),
        ("ost", _l("Eastern Norway")),
    ]


class DirectoryFilter(FlaskForm):
    class Meta:
        csrf = False

    theme = SelectField(_l("Theme"), choices=[], validate_choice=False)
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    region = SelectField(
        _l("Region"), choices=region_choices(_l("All regions")), validate_choice=False
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    title = StringField(_l("Job title"), validators=[Length(max=200)])
    region = SelectField(
        _l("Region"), choices=region_choices(_l("Not chosen")), validate_choice=False
    )
    themes = CheckboxesField(_l("Special fields"), validate_choice=False)
    bio = TextAreaField(
        _l("About you"),
        validators=[Length(max=5000)],
        description=_l("A few lines in Markdown: what you work with and can help others with."),
    )
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    contact_email = EmailField(_l("E-mail for contact"), validators=[Optional(), Length(max=320)])
    contact_consent = BooleanField(_l("Show my phone and e-mail in the directory"))


class AppointForm(FlaskForm):
    organisation = SelectField(_l("Owner"), choices=[], validate_choice=False)
    email = EmailField(
        _l("E-mail of the resource person"),
        validators=[DataRequired(), Length(max=320)],
        description=_l("The person must have an account."),
    )
    valid_from = DateField(
        _l("From"),
        validators=[Optional()],
        description=_l("Empty: today, in the ownership period."),
    )
    valid_to = DateField(
        _l("To"), validators=[Optional()], description=_l("Empty: the end of the ownership period.")
    )


class HostForm(FlaskForm):
    email = EmailField(
        _l("E-mail of the host"),
        validators=[DataRequired(), Length(max=320)],
        description=_l("The person must have an account. A host organises this event only."),
    )


class LimitForm(FlaskForm):
    limited = BooleanField(_l("Registration only for resource persons"))
