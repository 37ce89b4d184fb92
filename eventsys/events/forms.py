"""Forms of the event pages: the organisers' event form and the public list's filter."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventsys.database import current_timezone
from eventsys.events import rules
from eventsys.themes.forms import ThemeChoices
from eventsys.validators import SingleLine

KIND_LABELS = {
    "seminar": _l("Seminar"),
    "workshop": _l("Workshop"),
    "course": _l("Course"),
    "webinar": _l("Webinar"),
    "conference": _l("Conference"),
    "gathering": _l("Resource-person gathering"),
    "meeting": _l("Steering-group meeting"),
}
FORMAT_LABELS = {
    "on_site": _l("On site"),
    "online": _l("Online"),
    "hybrid": _l("Hybrid (on site and online)"),
}
LANGUAGE_LABELS = {"nb": "Norsk bokmål", "en": "English"}

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read as the network's time zone (Europe/Oslo); `data`
    is an aware UTC datetime, so a 09:00 seminar is 08:00 UTC in winter, 07:00 in
    summer."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        kwargs.setdefault(
            "invalid_value_message", _l("Enter a date and time, like 10.03.2027 09:00.")
        )
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is None:
            return
        if not 1970 <= self.data.year <= 2999:  # year 1 or 9999 cannot be moved to UTC
            self.data = None
            raise ValueError(_("Enter a date and time, like 10.03.2027 09:00."))
        zone = current_timezone()
        local = self.data.replace(tzinfo=zone)
        moment = local.astimezone(UTC)
        # A time in the hour the clocks skip in spring does not exist in Oslo.
        if moment.astimezone(zone).replace(tzinfo=None) != self.data:
            self.data = None
            raise ValueError(_("This time does not exist in Norway (the clocks go forward)."))
        self.data = moment

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        return self.data.astimezone(current_timezone()).strftime(LOCAL_FORMAT)


_KRONER = re.compile(r"^(\d+)(?:[,.](\d{1,2}))?$")


def parse_kroner(text: str) -> int:
    """'750' -> 75000 øre, '750,50' -> 75050, '1 500' -> 150000; ValueError otherwise.
    Spaces (also non-breaking ones) group thousands; a comma or a point separates øre."""
    cleaned = text.strip().lower().removeprefix("kr").removeprefix("nok").removesuffix(",-")
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", cleaned)
    match = _KRONER.match(cleaned)
    if not match:
        raise ValueError(cleaned)
    kroner, ore = match.groups()
    return int(Decimal(kroner) * 100 + Decimal((ore or "0").ljust(2, "0")))


def format_kroner(ore: int) -> str:
    """75000 -> '750', 75050 -> '750,50' (what parse_kroner reads back)."""
    kroner, rest = divmod(ore, 100)
    return f"{kroner}" if rest == 0 else f"{kroner},{rest:02d}"


class KronerField(StringField):
    """An amount typed in kroner, held as whole øre in `data`."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_kroner(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(_("Write the amount in kroner, like 750 or 750,50.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_kroner(self.data)


def _whole_number(label, low, high, **kwargs):
    return IntegerField(
        label,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(
                min=low,
                max=high,
                message=_l("Enter a number from %(min)d to %(max)d.", min=low, max=high),
            ),
        ],
        invalid_value_message=_l("Enter a whole number."),
        render_kw={"inputmode": "numeric", "min": low, "max": high},
        **kwargs,
    )


def _optional_int(value):
    return None if value in (None, "", "None") else int(value)


class EventForm(FlaskForm):
    themes = ThemeChoices(_l("Themes"), choices=[])
    title = StringField(
        _l("Title"),
        validators=[SingleLine(), DataRequired(message=_l("Enter a title.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Programme, target group and what participants should prepare."),
        render_kw={"rows": 8},
    )
    kind = SelectField(_l("Kind of event"), choices=list(KIND_LABELS.items()))
    format = SelectField(_l("Format"), choices=list(FORMAT_LABELS.items()))
    language = SelectField(_l("Language"), choices=list(LANGUAGE_LABELS.items()))
    host_organisation_id = SelectField(
        _l("Host organisation"), coerce=_optional_int, validate_choice=True
    )
    starts_at = LocalDateTimeField(
        _l("Starts"),
        validators=[InputRequired(message=_l("Enter when the event starts."))],
        description=_l("Norwegian time."),
    )
    ends_at = LocalDateTimeField(
        _l("Ends"),
        validators=[InputRequired(message=_l("Enter when the event ends."))],
        description=_l("Norwegian time."),
    )
    venue = StringField(
        _l("Venue"),
        validators=[SingleLine(), Optional(), Length(max=300)],
        description=_l("Address and room. Needed for events on site and hybrid events."),
    )
    online_url = URLField(
        _l("Link for online participation"),
        validators=[SingleLine(), Optional(), Length(max=500)],
        description=_l(
            "Starts with https://. Needed for online and hybrid events; shown only to "
            "participants with a confirmed place."
        ),
    )
    capacity = _whole_number(
        _l("Capacity"),
        0,
        rules.MAX_CAPACITY,
        description=_l("Number of places. Seminars usually have 20–40."),
    )
    registration_opens_at = LocalDateTimeField(
        _l("Registration opens"),
        validators=[InputRequired(message=_l("Enter when registration opens."))],
    )
    registration_closes_at = LocalDateTimeField(
        _l("Registration closes"),
        validators=[InputRequired(message=_l("Enter when registration closes."))],
    )
    priority_deadline = LocalDateTimeField(
        _l("Priority deadline (optional)"),
        validators=[Optional()],
        description=_l(
            "Until then staff of the owners are confirmed at once and others wait; at "
            "the deadline the free places go to the others in the order they registered."
        ),
    )
    offer_hours = _whole_number(
        _l("Hours to answer an offer"),
        1,
        14 * 24,
        description=_l("When a place becomes free, the next on the waiting list has this long."),
    )
    fee = KronerField(
        _l("Participant fee for non-owners (NOK)"),
        validators=[InputRequired(message=_l("Enter the fee in kroner, 0 if it is free."))],
        description=_l("In kroner, like 750 or 750,50. Staff of the owners attend free."),
        render_kw={"inputmode": "decimal"},
    )
    payment_days = _whole_number(
        _l("Days to pay"),
        1,
        60,
        description=_l("Never later than the start of the event."),
    )
    cancellation_deadline = LocalDateTimeField(
        _l("Cancellation deadline (optional)"),
        validators=[Optional()],
        description=_l("Cancelling before it gives a full refund."),
    )

    def set_organisations(self, organisations) -> None:
        self.host_organisation_id.choices = [("", _("— none —"))] + [
            (org.id, org.name) for org in organisations
        ]

    def values(self) -> dict:
        """The fields as the event operations take them."""
        return {
            "title": self.title.data.strip(),
            "description": (self.description.data or "").strip(),
            "kind": self.kind.data,
            "format": self.format.data,
            "language": self.language.data,
            "host_organisation_id": self.host_organisation_id.data,
            "starts_at": self.starts_at.data,
            "ends_at": self.ends_at.data,
            "venue": (self.venue.data or "").strip(),
            "online_url": (self.online_url.data or "").strip(),
            "capacity": self.capacity.data,
            "registration_opens_at": self.registration_opens_at.data,
            "registration_closes_at": self.registration_closes_at.data,
            "priority_deadline": self.priority_deadline.data,
            "offer_hours": self.offer_hours.data,
            "fee": self.fee.data,
            "payment_days": self.payment_days.data,
            "cancellation_deadline": self.cancellation_deadline.data,
        }

    def changes_to(self, event) -> dict:
        """Only the fields that differ from the event. The form shows whole minutes, so
        a stored time with seconds (e.g. from the API) is not changed by saving."""
        changes = {}
        for name, value in self.values().items():
            current = getattr(event, name)
            if (
                isinstance(current, datetime)
                and isinstance(value, datetime)
                and current.replace(second=0, microsecond=0) == value
            ):
                continue
            if current != value:
                changes[name] = value
        return changes


def default_event_form(organisations) -> EventForm:
    form = EventForm(capacity=30, payment_days=7, offer_hours=48, fee=0, language="nb")
    form.set_organisations(organisations)
    return form


class EventFilterForm(FlaskForm):
    """The public list's filter (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of event"), choices=[], validate_choice=False)
    format = SelectField(_l("Format"), choices=[], validate_choice=False)
    month = SelectField(_l("Month"), choices=[], validate_choice=False)
    theme = SelectField(_l("Theme"), choices=[], validate_choice=False)

    def set_choices(self, months: list[tuple[str, str]], themes=(), locale: str = "nb") -> None:
        self.theme.choices = [("", _("All themes"))] + [(t.code, t.name(locale)) for t in themes]
        self.kind.choices = [("", _("All kinds"))] + list(KIND_LABELS.items())
        self.format.choices = [("", _("All formats"))] + list(FORMAT_LABELS.items())
        self.month.choices = [("", _("All months"))] + months
