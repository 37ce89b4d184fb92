"""Plain-text rules every area shares: what counts as a line break, and how text that
must stay on one line (a title, a name, an e-mail header, an iCalendar property) is
made safe whatever it holds. Pure: no Flask, no database."""

from __future__ import annotations

import re

# Every character a reader may take as the end of a line: CR and LF, but also the
# vertical tab, form feed, the file/group/record separators, NEL and the Unicode line
# and paragraph separators (str.splitlines() splits on all of them).
LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Other control characters never belong in a single-line value.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")


def has_line_break(value: str) -> bool:
    return bool(LINE_BREAKS.search(value))


def one_line(value: str) -> str:
    """The text on one line: line breaks (and runs of white space around them) become
    one space, tabs a space, other control characters go."""
    value = _CONTROL.sub("", value.replace("\t", " "))
    parts = (part.strip() for part in LINE_BREAKS.split(value))
    return " ".join(part for part in parts if part)
