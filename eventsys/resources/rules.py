"""What makes a resource record valid, and who may move it along the publication flow.
Pure: plain values in, problems or the next state out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

KINDS = (
    "literature",
    "report",
    "best_practice",
    "method",
    "presentation",
    "video",
    "conference",
    "link",
)
LANGUAGES = ("nb", "nn", "en", "sv", "da")
STATUSES = ("draft", "submitted", "published", "withdrawn")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
MAX_TITLE = 300
MAX_AUTHORS = 50


@dataclass
class Fields:
    kind: str
    title: str
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    language: str = "nb"
    url: str = ""
    doi: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    location: str = ""
    deadline: date | None = None


def normalise_doi(raw: str | None) -> str | None:
    """'https://doi.org/10.1000/x', 'doi:10.1000/x' and '10.1000/x' are one DOI."""
    if raw is None:
        return None
    value = raw.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :].strip()
    return value or None


def link_ok(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def problems(fields: Fields, this_year: int) -> list[tuple[str, str]]:
    """(field, code) for everything wrong with a record; empty when it is fine."""
    found: list[tuple[str, str]] = []
    if fields.kind not in KINDS:
        found.append(("kind", "invalid_choice"))
    if not fields.title.strip():
        found.append(("title", "required"))
    elif len(fields.title) > MAX_TITLE:
        found.append(("title", "too_long"))
    if fields.language not in LANGUAGES:
        found.append(("language", "invalid_choice"))
    if fields.year is not None and not 1900 <= fields.year <= this_year + 2:
        found.append(("year", "year_range"))
    if len(fields.authors) > MAX_AUTHORS or any(len(a) > 200 for a in fields.authors):
        found.append(("authors", "too_long"))
    if fields.url and not link_ok(fields.url):
        found.append(("url", "url_invalid"))
    if fields.doi is not None and not DOI_RE.match(fields.doi):
        found.append(("doi", "doi_invalid"))
    if fields.kind == "conference":
        if fields.starts_on is None:
            found.append(("starts_on", "required_for_conference"))
        elif fields.ends_on is not None and fields.ends_on < fields.starts_on:
            found.append(("ends_on", "ends_before_start"))
        if fields.deadline is not None and fields.starts_on and fields.deadline > fields.starts_on:
            found.append(("deadline", "deadline_after_start"))
    return found


# action: (states it may start from, the state it leads to, organisers only)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "submit": (("draft",), "submitted", False),
    "publish": (("draft", "submitted", "withdrawn"), "published", True),
    "send_back": (("submitted",), "draft", True),
    "withdraw": (("published", "submitted"), "withdrawn", True),
}


class TransitionError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def next_status(status: str, action: str, *, organiser: bool, contributor: bool) -> str:
    """The state after `action`, or TransitionError: `not_allowed` (who) or
    `wrong_state` (when)."""
    if action not in TRANSITIONS:
        raise TransitionError("unknown_action")
    sources, target, organisers_only = TRANSITIONS[action]
    if organisers_only and not organiser:
        raise TransitionError("not_allowed")
    if not organisers_only and not (organiser or contributor):
        raise TransitionError("not_allowed")
    if status not in sources:
        raise TransitionError("wrong_state")
    return target


def may_edit(status: str, *, organiser: bool, contributor: bool) -> bool:
    """Organisers edit any record; a contributor their own until it is published."""
    return organiser or (contributor and status in ("draft", "submitted"))


def changes(before: dict, after: dict) -> dict[str, list]:
    """{field: [old, new]} for the fields whose value differs (the edit history)."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
