from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    RadioField,
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


def language_choices():
    return [("nb", _l("Norwegian (bokmål)")), ("en", _l("English"))]


class SubscribeForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)])
    themes = CheckboxesField(
        _l("Themes"), description=_l("Choose none to get everything."), validate_choice=False
    )
    language = RadioField(_l("Language"), choices=language_choices(), default="nb")


class AccountSubscriptionForm(FlaskForm):
    subscribed = BooleanField(_l("Send me the newsletter"))
    themes = CheckboxesField(
        _l("Themes"), description=_l("Choose none to get everything."), validate_choice=False
    )
    language = RadioField(_l("Language"), choices=language_choices(), default="nb")


class IssueForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Text"),
        validators=[Length(max=100_000)],
        description=_l("Markdown. Links to events and resources are kept as links."),
    )
    language = RadioField(_l("Language"), choices=language_choices(), default="nb")
    themes = CheckboxesField(
        _l("Themes"),
        description=_l("Subscribers who chose one of these get it; none chosen: everyone."),
        validate_choice=False,
    )


class ScheduleForm(FlaskForm):
    send_at = DateTimeLocalField(_l("Send at"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    cycle_item = SelectField(
        _l("Or on the next date of an årshjul item"), choices=[], validate_choice=False
    )
