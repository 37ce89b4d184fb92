"""Words, stems and snippets for the full-text search. Pure: no Flask, no database.

Documents and queries are stemmed with the Snowball stemmers for Norwegian and English
(the same algorithms PostgreSQL's `norwegian` and `english` text search configurations
use), so "studentenes frafall" finds "frafall blant studenter" and "dropouts" finds
"dropout".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 12
OPEN, CLOSE = "\x02", "\x03"

# The commonest function words of both languages (from the Snowball stop lists that
# PostgreSQL's `norwegian` and `english` configurations use): left out of queries,
# so "frafall i høyere utdanning" means the same on SQLite as on PostgreSQL, which
# drops them itself.
STOPWORDS = frozenset(
    """
    og i jeg det at en et den til er som på de med han av ikke der så var meg seg men
    ett har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man
    kan hans hvor eller hva skal selv sjøl her alle vil bli ble blitt kunne inn når
    være kom noen noe ville dere deres kun ja etter ned skulle denne for deg si sine
    sitt mot å meget hvorfor dette disse uten hvordan ingen din ditt blir samme hvilken
    hvilke sånn inni mellom vår hver hvem vors hvis både bare enn fordi før mange også
    slik vært båe begge siden dykk dykkar dei deira deires deim di då eg ein eit eitt
    elles honom hjå ho hoe henne hennar hennes hoss hossen ikkje ingi inkje korleis
    korso kva kvar kvarhelst kven kvi kvifor me medan mi mine mykje no nokon noka
    nokor noko nokre si sia sidan so somt somme um upp vere vore verte vort varte vart
    a about above after again against all am an and any are as at be because been
    before being below between both but by could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his
    how if in into is it its itself me more most my myself no nor not of off on once
    only or other ought our ours ourselves out over own same she should so some such
    than that the their theirs them themselves then there these they this those through
    to too under until up very was we were what when where which while who whom why
    with would you your yours yourself yourselves
    """.split()  # noqa: SIM905  (a word list reads better as text)
)

_norwegian = snowballstemmer.stemmer("norwegian")
_english = snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text or "") if not w.isdigit() or len(w) == 4]


@lru_cache(maxsize=100_000)
def stems(word: str) -> tuple[str, ...]:
    """The word's Norwegian and English stems (one when they agree)."""
    word = word.lower()
    found = dict.fromkeys([_norwegian.stemWord(word), _english.stemWord(word)])
    return tuple(s for s in found if s)


def index_terms(text: str) -> str:
    """The text as space-separated stems, both languages (for the SQLite index)."""
    return " ".join(s for w in words(text) for s in stems(w))


@dataclass(frozen=True)
class Query:
    """A search query: its words, each matched by any of its stems; all words must
    match (AND), as people expect from a search box."""

    words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str | None) -> Query:
        found = [w for w in dict.fromkeys(words(text or "")) if w not in STOPWORDS]
        return cls(tuple(found[:MAX_QUERY_WORDS]))

    def __bool__(self) -> bool:
        return bool(self.words)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: ("stem1" OR "stem1b") AND ("stem2")."""
        groups = []
        for word in self.words:
            alternatives = " OR ".join(f'"{s}"' for s in stems(word))
            groups.append(f"({alternatives})")
        return " AND ".join(groups)

    def stem_set(self) -> frozenset[str]:
        return frozenset(s for w in self.words for s in stems(w))


@lru_cache(maxsize=1024)
def _prefixes(wanted: frozenset[str]) -> tuple[str, ...]:
    return tuple({s[:3] for s in wanted})


def matches(word: str, wanted: frozenset[str]) -> bool:
    """Whether the word is a form of a wanted stem. Snowball only strips endings, so
    a word whose start differs from every stem's start is not stemmed at all (the
    stemmers are pure Python; this keeps snippets cheap)."""
    if not wanted or not word.lower().startswith(_prefixes(wanted)):
        return False
    return any(s in wanted for s in stems(word))


def highlight(text: str, query: Query, width: int = 30) -> Markup:
    """A window of about `width` words around the first match, matches in <mark>,
    everything else escaped. Without a match: the start of the text."""
    tokens = re.split(r"(\w+)", text or "")
    wanted = query.stem_set()
    # tokens alternates: separator, word, separator, word, ...
    word_positions = list(range(1, len(tokens), 2))
    if not word_positions:
        return Markup("")
    first = next((i for i, pos in enumerate(word_positions) if matches(tokens[pos], wanted)), None)
    start_word = 0 if first is None else max(0, first - width // 3)
    end_word = min(len(word_positions), start_word + width)
    start, end = word_positions[start_word], word_positions[end_word - 1]
    if end_word == len(word_positions):
        end = len(tokens) - 1  # the text's own ending (a full stop, say)
    # Plain text with the matches between two control characters (which no stored
    # text holds), escaped once, then the marks put in: one escape per snippet, not
    # one per word.
    parts = ["… "] if start_word > 0 else []
    for index in range(start, end + 1):
        piece = tokens[index].replace(OPEN, "").replace(CLOSE, "")
        if index % 2 == 1 and wanted and matches(piece, wanted):
            parts.append(OPEN + piece + CLOSE)
        else:
            parts.append(re.sub(r"\s+", " ", piece))
    if end_word < len(word_positions):
        parts.append(" …")
    escaped = str(escape("".join(parts)))
    return Markup(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def mark_all(text: str, query: Query) -> Markup:
    """The whole (short) text with every match in <mark> (titles)."""
    return highlight(text, query, width=10_000)
