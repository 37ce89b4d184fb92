from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange


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
