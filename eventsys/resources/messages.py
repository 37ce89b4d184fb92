"""The messages of the resource bank's problem codes, for its pages and the API."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.messages import COMMON, Catalogue


def upload_mb() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)


MESSAGES = Catalogue(
    {
        "required": _l("Enter a title."),
        "too_long": _l("The text is too long."),
        "invalid_choice": _l("Choose one of the options."),
        "year_range": _l("The year must be from 1900 to two years from now."),
        "url_invalid": _l("The link must start with https:// or http://."),
        "doi_invalid": _l("A DOI looks like 10.1234/something."),
        "required_for_conference": _l("A conference needs the day it starts."),
        "ends_before_start": _l("The conference must end after it starts."),
        "deadline_after_start": _l(
            "The deadline for submissions must be before the conference starts."
        ),
        "unknown_theme": _l("Unknown theme."),
        "unknown_event": _l("Unknown event."),
        "unknown_organisation": _l("Unknown organisation."),
        "not_allowed": _l("You may not do that with this resource."),
        "publish_organisers_only": _l(
            "Only organisers publish directly; send it to the organisers instead."
        ),
        "wrong_state": _l("The resource is not in a state where that can be done."),
        "comment_required": _l("Tell the contributor what to change."),
        "invalid_file": _l("The file could not be read (send its content in base64)."),
        "file_empty": _l("The file is empty."),
        "file_too_large": lambda **_p: _(
            "The file is too large: at most %(mb)d MB.", mb=upload_mb()
        ),
        "file_unknown_type": _l(
            "This kind of file is not accepted. Upload a PDF, Word, PowerPoint, Excel or "
            "OpenDocument file, or an image (PNG, JPEG, GIF, WebP)."
        ),
        "file_mismatch": lambda detail="", **_p: _(
            "The file's name does not match its content (it is really a %(kind)s file).",
            kind=detail.upper(),
        ),
        "no_materials": _l("The event has no published materials yet."),
        "already_notified": _l("The participants have already been told."),
        "resource_not_found": _l("No such resource."),
    },
    parent=COMMON,
)
