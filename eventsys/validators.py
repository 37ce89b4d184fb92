"""Form validators shared by every area's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from eventsys.text import has_line_break


class SingleLine:
    """Refuse line breaks in a one-line field (a title, a name): a browser's text input
    never sends one, so it comes from a crafted request, and it would break e-mail
    subjects, calendar files and exports."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_line_break(field.data):
            raise ValidationError(self.message or _l("This field must be on one line."))
