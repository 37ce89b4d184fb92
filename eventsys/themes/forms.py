from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ThemeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[Length(max=50)],
        description=_l(
            "Lower-case letters, digits and _; used in links and the API. Cannot be changed later."
        ),
    )
    name_nb = StringField(_l("Name in Norwegian"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)])
