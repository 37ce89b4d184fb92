"""Forms of the registration pages: a participant's own registration and the
organisers' actions on the participant list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import Select, html_params

from eventsys.validators import SingleLine

STATE_LABELS = {
    "pending": _l("Waiting for the priority deadline"),
    "confirmed": _l("Confirmed"),
    "offered": _l("Offered a place"),
    "waitlisted": _l("On the waiting list"),
    "cancelled": _l("Registration cancelled"),
    "attended": _l("Attended"),
    "no_show": _l("Did not come"),
}
TIER_LABELS = {1: _l("Owner staff"), 2: _l("Other")}
TIER_REASON_LABELS = {
    "verified_domain": _l("verified address at an owner"),
    "confirmed": _l("confirmed by an organiser"),
    "unverified_email": _l("address at an owner, not verified"),
    "not_owner_on_date": _l("organisation not an owner on the date"),
    "unknown_domain": _l("address not at a member organisation"),
}

NEEDS_MAX = 2000


def _needs_fields():
    dietary = TextAreaField(
        _l("Dietary needs"),
        validators=[Optional(), Length(max=NEEDS_MAX)],
        description=_l(
            "For example vegetarian, allergies or intolerances. Only the organisers see "
            "this, and it is deleted after the event."
        ),
        render_kw={"rows": 3},
    )
    accessibility = TextAreaField(
        _l("Accessibility needs"),
        validators=[Optional(), Length(max=NEEDS_MAX)],
        description=_l(
            "For example step-free access, a hearing loop, a sign language interpreter or "
            "material in advance. Only the organisers see this."
        ),
        render_kw={"rows": 3},
    )
    return dietary, accessibility


class RegisterForm(FlaskForm):
    """A logged-in participant registers themselves."""

    dietary_needs, accessibility_needs = _needs_fields()


class NeedsForm(FlaskForm):
    """A participant changes the needs they gave when registering (same fields, same
    rules)."""

    dietary_needs, accessibility_needs = _needs_fields()


class BehalfForm(FlaskForm):
    """An organiser registers someone else; the organiser vouches for the address."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter the person's e-mail address.")),
            Email(
                message=_l("Enter a valid e-mail address, like navn@uib.no."),
                check_deliverability=False,
            ),
            Length(max=320),
        ],
        description=_l(
            "You vouch for this address: a work address at an owner gives priority and a "
            "free place."
        ),
    )
    name = StringField(
        _l("Full name"),
        validators=[
            SingleLine(),
            DataRequired(message=_l("Enter the person's name.")),
            Length(max=200),
        ],
    )
    dietary_needs, accessibility_needs = _needs_fields()
    locale = SelectField(
        _l("Language for the person's e-mails"),
        choices=[("nb", "Norsk bokmål"), ("en", "English")],
    )
    waive_fee = BooleanField(_l("Waive the participant fee (speakers, student helpers)"))
    override = BooleanField(
        _l(
            "Give a place even if the event is full: goes beyond the capacity, past the waiting list"
        )
    )


class MessageForm(FlaskForm):
    """An e-mail to every confirmed participant."""

    subject = StringField(
        _l("Subject"),
        validators=[SingleLine(), DataRequired(message=_l("Enter a subject.")), Length(max=200)],
    )
    message = TextAreaField(
        _l("Message"),
        validators=[DataRequired(message=_l("Write a message.")), Length(max=10000)],
        description=_l("Plain text. Each participant gets their own e-mail with a greeting."),
        render_kw={"rows": 8},
    )


class SharedOptions(Select):
    """A select whose <option>s are rendered once and reused by every select that is
    given the same instance. The participant list has a select per waiting person that
    offers the whole waiting list (and one per row that offers every owner): escaping
    each option anew made the page take seconds at a few hundred registrations.
    Renders what wtforms' Select renders for a plain list of (value, label) choices."""

    def __init__(self):
        super().__init__()
        self._options: dict[tuple, Markup] = {}

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for value, label in field.choices:
            key = (value, str(label), field.coerce(value) == field.data)
            option = self._options.get(key)
            if option is None:
                params = {"value": value, "selected": True} if key[2] else {"value": value}
                option = Markup(
                    f"<option {html_params(**params)}>{escape(label or value)}</option>"
                )
                self._options[key] = option
            html.append(option)
        html.append("</select>")
        return Markup("".join(html))


class RowForm(FlaskForm):
    """A form on one row of the participant list: prefixed with the registration id
    so that every input on the page has its own id and label. The page-wide CSRF
    protection (CSRFProtect) checks the token these forms send as `csrf_token`."""

    class Meta:
        csrf = False

    def __init__(self, reg_id: int, *args, **kwargs):
        super().__init__(*args, prefix=f"reg{reg_id}", **kwargs)


class AffiliationForm(RowForm):
    organisation = SelectField(
        _l("Owner organisation"),
        coerce=lambda v: None if v in (None, "", "None") else int(v),
        validators=[DataRequired(message=_l("Choose an organisation."))],
    )


class MoveForm(RowForm):
    before = SelectField(_l("Move before"))
    reason = StringField(
        _l("Reason"),
        validators=[
            SingleLine(),
            DataRequired(message=_l("Give a reason for the move.")),
            Length(max=500),
        ],
        description=_l("Kept in the registration's log."),
    )


class WaiveFeeForm(RowForm):
    reason = StringField(
        _l("Reason (optional)"),
        validators=[SingleLine(), Optional(), Length(max=500)],
    )
