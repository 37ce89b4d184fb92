"""Forms of the resource pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from eventsys.themes.forms import ThemeChoices

KIND_LABELS = {
    "literature": _l("Literature"),
    "report": _l("Report"),
    "best_practice": _l("Best practice"),
    "method": _l("Method or tool"),
    "presentation": _l("Presentation"),
    "video": _l("Video"),
    "conference": _l("Conference"),
    "link": _l("Link"),
}
LANGUAGE_LABELS = {
    "nb": "Norsk bokmål",
    "nn": "Norsk nynorsk",
    "en": "English",
    "sv": "Svenska",
    "da": "Dansk",
}


class ResourceForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    title = StringField(_l("Title"), validators=[Length(max=300)])
    summary = TextAreaField(
        _l("Summary"),
        description=_l("Markdown: *italic*, **bold**, [link](https://…), lists with -."),
    )
    authors = TextAreaField(
        _l("Authors"), description=_l("One per line, like “Hansen, Kari”."), render_kw={"rows": 3}
    )
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1900, max=2100)])
    language = SelectField(_l("Language"), choices=list(LANGUAGE_LABELS.items()))
    themes = ThemeChoices(_l("Themes"), choices=[])
    url = StringField(_l("Link"), description=_l("Starts with https:// or http://."))
    doi = StringField(_l("DOI"), description=_l("Like 10.1080/03075079.2021.1953023."))
    event_id = SelectField(_l("Presented at the event"), choices=[], validate_choice=False)
    organisation_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    file = FileField(
        _l("File"),
        description=_l("PDF, Word, PowerPoint, Excel, OpenDocument or an image."),
    )
    starts_on = DateField(_l("Conference starts"), validators=[Optional()])
    ends_on = DateField(_l("Conference ends"), validators=[Optional()])
    location = StringField(_l("Place"), validators=[Length(max=300)])
    deadline = DateField(_l("Deadline for submissions"), validators=[Optional()])

    def set_choices(self, themes, events, organisations, locale: str) -> None:
        self.themes.set_themes(themes, locale)
        self.event_id.choices = [("", _l("— none —"))] + [
            (str(e.id), f"{e.title} ({e.starts_at:%Y})") for e in events
        ]
        self.organisation_id.choices = [("", _l("— none —"))] + [
            (str(o.id), o.name) for o in organisations
        ]

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "title": self.title.data or "",
            "summary": self.summary.data or "",
            "authors": self.authors.data or "",
            "year": self.year.data,
            "language": self.language.data,
            "url": self.url.data or "",
            "doi": self.doi.data or None,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "location": self.location.data or "",
            "deadline": self.deadline.data,
        }


class SearchForm(FlaskForm):
    """The search on /resources: a GET form, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search words"), validators=[Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    theme = SelectField(_l("Theme"), choices=[], validate_choice=False)
    year = SelectField(_l("Year"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)


class MoveForm(FlaskForm):
    comment = TextAreaField(_l("Comment to the contributor"), validators=[Length(max=2000)])


class ImportForm(FlaskForm):
    file = FileField(_l("BibTeX file (.bib)"))


class ConfirmForm(FlaskForm):
    """A button with a CSRF token."""
