"""Pure forum rules: who waits for a moderator, the editing window, quoting, links
that become cards, and the digest periods. No Flask, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

EDIT_WINDOW = timedelta(minutes=30)


def needs_moderation(is_moderator: bool, has_published_post: bool) -> bool:
    """A person's first post waits for a moderator; moderators never wait."""
    return not is_moderator and not has_published_post


def may_edit(
    is_author: bool, written_at: datetime, now: datetime, window: timedelta = EDIT_WINDOW
) -> bool:
    """Authors edit their own post within the window after writing it."""
    return is_author and timedelta(0) <= now - written_at <= window


def quote(body: str, author: str) -> str:
    """The Markdown that opens a reply quoting `body` by `author`."""
    lines = body.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}".rstrip() for line in lines)
    return f"> **{author}:**\n>\n{quoted}\n\n"


@dataclass(frozen=True)
class Link:
    kind: str  # "event" or "resource"
    id: int


_PATHS = {"events": "event", "resources": "resource"}


def linked(body: str, base_url: str, limit: int = 5) -> list[Link]:
    """Events and resources of this site that a text links to, in order, each once.
    Absolute links on the site's base URL and relative /events/<id> links count."""
    base = re.escape(base_url.rstrip("/"))
    pattern = re.compile(
        rf"(?:^|(?<=[\s(<\[]))(?:{base})?/(events|resources)/(\d{{1,9}})"
        r"(?=[.,;:!?]?(?:$|[\s)>\]]))",
        re.MULTILINE,
    )
    found: list[Link] = []
    for match in pattern.finditer(body or ""):
        link = Link(_PATHS[match.group(1)], int(match.group(2)))
        if link not in found:
            found.append(link)
        if len(found) == limit:
            break
    return found


@dataclass(frozen=True)
class Period:
    key: str  # "2027-02-01" (daily) or "2027-W05" (weekly)
    first: date
    last: date  # inclusive


def last_complete_period(mode: str, today: date) -> Period:
    """The newest whole period before `today`: yesterday, or last ISO week (Mon–Sun)."""
    if mode == "daily":
        day = today - timedelta(days=1)
        return Period(day.isoformat(), day, day)
    if mode == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        year, week, _ = monday.isocalendar()
        return Period(f"{year}-W{week:02d}", monday, monday + timedelta(days=6))
    raise ValueError(f"no digest period for {mode!r}")
