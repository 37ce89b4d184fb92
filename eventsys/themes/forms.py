from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


class ThemeChoices(SelectMultipleField):
    """Checkboxes, one per theme (events, resources, …)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def set_themes(self, themes, locale: str) -> None:
        self.choices = [(t.code, t.name(locale)) for t in themes]


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
