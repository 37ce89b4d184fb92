"""Forms of the årshjul: the organisers' cycle item form and a person's follows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventsys.arshjul.rules import Audience, Category, RecurrenceKind
from eventsys.validators import SingleLine

CATEGORY_LABELS = {
    Category.CONFERENCE: _l("Conference"),
    Category.SEMINAR: _l("Seminar"),
    Category.MEETING: _l("Meeting"),
    Category.NEWSLETTER: _l("Newsletter"),
    Category.DEADLINE: _l("Deadline"),
    Category.ACTIVITY: _l("Activity"),
}
AUDIENCE_LABELS = {
    Audience.PUBLIC: _l("Everyone (public)"),
    Audience.OWNERS: _l("Staff of the owner institutions"),
    Audience.SECRETARIAT: _l("The secretariat (organisers)"),
}
RECURRENCE_LABELS = {
    RecurrenceKind.FIXED_DATE: _l("On the same date every year"),
    RecurrenceKind.NTH_WEEKDAY: _l("On a weekday of a month, e.g. the second Monday of September"),
    RecurrenceKind.PERIOD: _l("Over a period, e.g. 10 January to 15 February"),
    RecurrenceKind.RRULE: _l("By a custom rule (RRULE, for experts)"),
}
MONTH_NAMES = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
NTH_LABELS = (
    (1, _l("first")),
    (2, _l("second")),
    (3, _l("third")),
    (4, _l("fourth")),
    (-1, _l("last")),
)

# Which form field holds each recurrence value, by kind (the model has one column).
RECURRENCE_FORM_FIELDS = {
    RecurrenceKind.FIXED_DATE: {"month": "fixed_month", "day": "fixed_day"},
    RecurrenceKind.NTH_WEEKDAY: {"month": "nth_month", "weekday": "nth_weekday", "nth": "nth_n"},
    RecurrenceKind.PERIOD: {
        "month": "period_start_month",
        "day": "period_start_day",
        "end_month": "period_end_month",
        "end_day": "period_end_day",
    },
    RecurrenceKind.RRULE: {"rrule": "rrule", "rrule_start": "rrule_start"},
}


def _optional_int(value):
    return None if value in (None, "", "None") else int(value)


def _month_field(label):
    return SelectField(
        label,
        choices=[("", _l("— choose a month —"))] + [(i, MONTH_NAMES[i - 1]) for i in range(1, 13)],
        coerce=_optional_int,
        validators=[Optional()],
    )


def _day_field(label):
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=1, max=31, message=_l("Enter a number from %(min)d to %(max)d.")),
        ],
        invalid_value_message=_l("Enter a whole number."),
        render_kw={"inputmode": "numeric", "min": 1, "max": 31, "class": "short"},
    )


def _number_field(label, low, high, description=None):
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=low, max=high, message=_l("Enter a number from %(min)d to %(max)d.")),
        ],
        invalid_value_message=_l("Enter a whole number."),
        description=description,
        render_kw={"inputmode": "numeric", "min": low, "max": high, "class": "short"},
    )


class CycleItemForm(FlaskForm):
    title_nb = StringField(
        _l("Title in Norwegian"),
        validators=[
            SingleLine(),
            DataRequired(message=_l("Enter a Norwegian title.")),
            Length(max=200),
        ],
    )
    title_en = StringField(
        _l("Title in English"),
        validators=[SingleLine(), Optional(), Length(max=200)],
        description=_l(
            "Shown to people who use the English pages. Leave empty to use the Norwegian title."
        ),
    )
    description = TextAreaField(_l("Description"), render_kw={"rows": 4})
    category = SelectField(
        _l("Category"), choices=[(c.value, label) for c, label in CATEGORY_LABELS.items()]
    )
    audience = SelectField(
        _l("Who is it for"),
        choices=[(a.value, label) for a, label in AUDIENCE_LABELS.items()],
        description=_l(
            "Public items are in the public calendar. Items for owners or the secretariat are "
            "only shown to them, in their own calendar and reminders."
        ),
    )
    link = StringField(
        _l("Link"),
        validators=[SingleLine(), Optional(), Length(max=500)],
        description=_l("A page with more information, starting with https://."),
        render_kw={"inputmode": "url"},
    )

    recurrence_kind = RadioField(
        _l("How it repeats"),
        choices=[(k.value, label) for k, label in RECURRENCE_LABELS.items()],
        default=RecurrenceKind.FIXED_DATE.value,
        validators=[DataRequired(message=_l("Choose how the item repeats."))],
    )
    # Declared in the page's order (the day before its month), which is the order of
    # form.errors and so of the error summary.
    fixed_day = _day_field(_l("Day"))
    fixed_month = _month_field(_l("Month"))
    # Not sent at all when another recurrence is chosen; the operation checks them.
    nth_n = SelectField(
        _l("Which"),
        choices=[(n, label) for n, label in NTH_LABELS],
        coerce=_optional_int,
        validate_choice=False,
    )
    nth_weekday = SelectField(
        _l("Weekday"),
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=_optional_int,
        validate_choice=False,
    )
    nth_month = _month_field(_l("Month"))
    period_start_day = _day_field(_l("From day"))
    period_start_month = _month_field(_l("From month"))
    period_end_day = _day_field(_l("To day (inclusive)"))
    period_end_month = _month_field(_l("To month"))
    rrule = StringField(
        _l("Rule"),
        validators=[SingleLine(), Optional(), Length(max=500)],
        description=_l(
            "An RRULE as in RFC 5545, without DTSTART, e.g. FREQ=MONTHLY;BYDAY=1TU "
            "(the first Tuesday of every month)."
        ),
    )
    rrule_start = DateField(
        _l("Starting on"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date, like 2027-09-13."),
    )

    all_day = BooleanField(_l("All day"), default=True)
    start_time = TimeField(
        _l("Starts at"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a time, like 09:30."),
    )
    end_time = TimeField(
        _l("Ends at"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a time, like 09:30."),
    )
    reminder_days = _number_field(
        _l("Reminder, days before"),
        0,
        366,
        description=_l(
            "Followers get an e-mail this many days before (at 09:00 for all-day items). "
            "Leave empty for no reminder."
        ),
    )
    reminder_minutes = _number_field(
        _l("and minutes before"),
        0,
        24 * 60 - 1,
        description=_l("Only for items with a time, e.g. 90 for an hour and a half."),
    )
    first_year = _number_field(
        _l("First year"), 1900, 2200, description=_l("Leave empty for every year.")
    )
    last_year = _number_field(
        _l("Last year"), 1900, 2200, description=_l("Leave empty if it goes on.")
    )

    def values(self) -> dict:
        """The form as operation values (model column names)."""
        kind = self.recurrence_kind.data
        values = {
            name: getattr(self, name).data
            for name in (
                "title_nb",
                "title_en",
                "description",
                "category",
                "audience",
                "link",
                "all_day",
                "start_time",
                "end_time",
                "reminder_days",
                "reminder_minutes",
                "first_year",
                "last_year",
            )
        }
        values["recurrence_kind"] = kind
        try:
            fields = RECURRENCE_FORM_FIELDS[RecurrenceKind(kind)]
        except ValueError:
            fields = {}
        for column, field in fields.items():
            values[column] = getattr(self, field).data
        return values

    def load(self, item) -> None:
        """Fill the form from a stored item (for the edit page)."""
        for name in (
            "title_nb",
            "title_en",
            "description",
            "link",
            "all_day",
            "start_time",
            "end_time",
            "reminder_days",
            "reminder_minutes",
            "first_year",
            "last_year",
        ):
            getattr(self, name).data = getattr(item, name)
        self.category.data = item.category.value
        self.audience.data = item.audience.value
        self.recurrence_kind.data = item.recurrence_kind.value
        for column, field in RECURRENCE_FORM_FIELDS[item.recurrence_kind].items():
            getattr(self, field).data = getattr(item, column)

    def field_for(self, column: str):
        """The form field that shows an operation's problem with `column`."""
        try:
            kind = RecurrenceKind(self.recurrence_kind.data)
            name = RECURRENCE_FORM_FIELDS[kind].get(column, column)
        except ValueError:
            name = column
        return self._fields.get(name) if name != "csrf_token" else None


class FollowForm(FlaskForm):
    categories = SelectMultipleField(
        _l("Categories I follow"),
        choices=[(c.value, label) for c, label in CATEGORY_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ConfirmForm(FlaskForm):
    """A button with a CSRF token (delete, revoke, unsubscribe)."""
