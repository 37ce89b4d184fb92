"""Error codes and their messages in the reader's language (bokmål or English).

Every code is given its message once, in a `Catalogue`: the common codes here (bad
input, the API's token problems), each area's own codes in `eventsys/<area>/messages.py`
(falling back to these). Pages and the API look messages up in the same catalogues, so
a participant who is refused on a page and an API client refused for the same reason
read the same sentence. Which language: see `select_locale` in `eventsys/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# An entry is a lazy string, or a function of the message's parameters (for texts that
# name a value, e.g. the domain that is taken).
Entry = object | Callable[..., str]


class Catalogue:
    def __init__(self, entries: Mapping[str, Entry], parent: Catalogue | None = None):
        self.entries = dict(entries)
        self.parent = parent

    def __contains__(self, code: str) -> bool:
        return code in self.entries or (self.parent is not None and code in self.parent)

    def __call__(self, code: str, **params) -> str:
        """The message for `code` in the current language."""
        entry = self.entries.get(code)
        if entry is None:
            if self.parent is not None:
                return self.parent(code, **params)
            return _("That could not be done. Please try again.")
        return entry(**params) if callable(entry) else str(entry)


COMMON = Catalogue(
    {
        # A request's body or a field of it.
        "invalid_json": _l("The body must be a JSON object (Content-Type: application/json)."),
        "missing_field": _l("Fill in this field."),
        "invalid_type": _l("This value has the wrong type."),
        "invalid_choice": _l("Choose one of the options."),
        "invalid_value": _l("This value is not valid."),
        "too_long": _l("The text is too long."),
        "invalid_characters": _l("The text contains control characters."),
        "invalid_datetime": _l("Give a date and time like 2027-03-10T09:00:00+01:00."),
        "naive_datetime": _l("Give the time with its UTC offset, like 2027-03-10T09:00:00+01:00."),
        "invalid_date": _l("Give a date like 2027-01-01."),
        "out_of_range": _l("The number is out of range."),
        "invalid_email": _l("Enter a valid e-mail address."),
        "invalid_data": _l("The request contains a value that cannot be stored."),
        # Any request (pages and API alike).
        "bad_request": _l("The request could not be understood."),
        "forbidden": _l("You do not have access to this page."),
        "not_found": _l("The page was not found."),
        "method_not_allowed": _l("That method is not allowed here."),
        "conflict": _l("The request conflicts with the current state."),
        "concurrent_change": _l("Someone else changed this at the same time. Please try again."),
        "too_large": _l("The request is too large."),
        "rate_limited": _l("Too many attempts. Please wait a little."),
        "csrf_failed": _l(
            "The form had expired or was sent from elsewhere. Please reload the page and try again."
        ),
        "busy": _l("The service is busy. Please try again."),
        "internal": _l("Something went wrong on our side."),
        # API tokens.
        "no_token": _l("Send the header 'Authorization: Bearer <token>'."),
        "invalid_token": _l("The token is not valid or has been revoked."),
        "token_forbidden": _l("Your token does not give access to this."),
    }
)


def field_message(field: str, code: str, catalogue: Catalogue = COMMON) -> str:
    """A field's problem where no form shows the field: "capacity: …"."""
    return f"{field}: {catalogue(code)}"
