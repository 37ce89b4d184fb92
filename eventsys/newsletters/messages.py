"""The messages of the newsletters operations' error codes (pages and API)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsys.messages import COMMON, Catalogue

MESSAGES = Catalogue(
    {
        "bad_email": _l("Enter a valid e-mail address."),
        "bad_language": _l("Choose a language."),
        "unknown_theme": _l("Unknown theme."),
        "not_verified": _l("Confirm your e-mail address first."),
        "bad_link": _l("This link is not valid."),
        "link_expired": _l("This link has expired. Subscribe again to get a new one."),
        "title_required": _l("Enter a title."),
        "title_too_long": _l("The title is too long."),
        "body_too_long": _l("The text is too long."),
        "body_required": _l("Write the text of the issue before you schedule it."),
        "already_sent": _l(
            "This issue is being sent or has been sent; it can no longer be changed."
        ),
        "send_at_required": _l("Choose a time, or an årshjul item with a coming date."),
        "send_at_past": _l("The time has passed. Choose a time in the future."),
    },
    parent=COMMON,
)
