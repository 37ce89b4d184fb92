"""The messages of the people operations' error codes (pages and API)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsys.messages import COMMON, Catalogue

MESSAGES = Catalogue(
    {
        "unknown_user": _l("Nobody has an account with this e-mail address."),
        "not_an_owner": _l("The organisation is not an owner on that date. Give the period."),
        "period_order": _l("The period ends before it begins."),
        "overlap": _l(
            "Another resource person's period begins inside this one. Choose a later start."
        ),
        "unknown_region": _l("Choose a region from the list."),
        "unknown_theme": _l("Unknown theme."),
        "forbidden": _l("You do not have access to this page."),
    },
    parent=COMMON,
)
