"""The messages of the forum operations' error codes (pages and API)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsys.messages import COMMON, Catalogue

MESSAGES = Catalogue(
    {
        "title_required": _l("Enter a title."),
        "title_too_long": _l("The title is too long."),
        "body_required": _l("Write something first."),
        "body_too_long": _l("The text is too long."),
        "not_verified": _l("Confirm your e-mail address before you post in the forum."),
        "thread_locked": _l("This thread is locked: no new posts."),
        "not_allowed": _l("You do not have access to this thread."),
        "edit_window_over": _l("A post can only be changed in the first 30 minutes."),
        "reason_required": _l("Give a reason; it is logged."),
        "wrong_state": _l("The post or thread has already been changed by someone else."),
        "unknown_action": _l("Unknown action."),
        "unknown_mode": _l("Choose how you want to hear about new posts."),
    },
    parent=COMMON,
)
