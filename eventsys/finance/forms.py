from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class ResolveForm(FlaskForm):
    key = HiddenField(validators=[DataRequired()])
    note = TextAreaField(
        _l("Why is this in order?"),
        validators=[DataRequired(message=_l("Write a note saying why.")), Length(max=2000)],
    )


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])


class YearForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(message=_l("Enter a year.")), NumberRange(2000, 2100)],
    )


class RatesForm(FlaskForm):
    """A year's staff-band table in whole kroner."""

    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(message=_l("Enter a year.")), NumberRange(2000, 2100)],
    )
    band_0_500 = IntegerField(
        _l("Up to 500 employees (NOK)"), validators=[InputRequired(), NumberRange(0, 10_000_000)]
    )
    band_501_1000 = IntegerField(
        _l("501–1000 employees (NOK)"), validators=[InputRequired(), NumberRange(0, 10_000_000)]
    )
    band_1001_2000 = IntegerField(
        _l("1001–2000 employees (NOK)"), validators=[InputRequired(), NumberRange(0, 10_000_000)]
    )
    band_2000 = IntegerField(
        _l("More than 2000 employees (NOK)"),
        validators=[InputRequired(), NumberRange(0, 10_000_000)],
    )
    welfare = IntegerField(
        _l("Student welfare organisations (NOK)"),
        validators=[InputRequired(), NumberRange(0, 10_000_000)],
    )

    FIELDS = {
        "0-500": "band_0_500",
        "501-1000": "band_501_1000",
        "1001-2000": "band_1001_2000",
        "2000+": "band_2000",
        "welfare": "welfare",
    }


class ReminderForm(FlaskForm):
    """Which reminder to send: a second click for the same number sends nothing."""

    number = IntegerField(validators=[DataRequired(), NumberRange(1, 99)])


class BudgetForm(FlaskForm):
    """A year's budget lines in whole kroner (the founding document's eight)."""

    year = IntegerField(
        _l("Year"),
        validators=[DataRequired(message=_l("Enter a year.")), NumberRange(2000, 2100)],
    )
    secretariat = IntegerField(
        _l("Secretariat salaries (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
    student_helpers = IntegerField(
        _l("Student helpers (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
    gathering = IntegerField(
        _l("Yearly gathering (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
    conference = IntegerField(
        _l("Conference (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
    steering_group = IntegerField(
        _l("Steering group (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
    seminars = IntegerField(
        _l("Seminars (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
    technical = IntegerField(
        _l("Technical (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
    other = IntegerField(
        _l("Other (NOK)"), validators=[InputRequired(), NumberRange(0, 100_000_000)]
    )
