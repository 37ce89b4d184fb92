"""Keeping the theme vocabulary. Operations flush; the caller commits."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from eventsys.extensions import db
from eventsys.themes.models import Theme
from eventsys.themes.signals import theme_renamed

# The network's themes (DESIGN.md, "The network's web"), in the order pages list them.
SEED_THEMES: list[tuple[str, str, str]] = [
    ("completion", "Gjennomføring og frafall", "Completion and dropout"),
    ("learning_environment", "Læringsmiljø", "Learning environment"),
    ("mental_health", "Psykisk helse og trivsel", "Mental health and well-being"),
    ("student_engagement", "Studentengasjement", "Student engagement"),
    ("student_finances", "Studentøkonomi", "Student finances"),
    (
        "cooperation",
        "Samarbeid mellom lærested og samskipnad",
        "Cooperation between institution and welfare organisation",
    ),
    ("universal_design", "Universell utforming", "Universal design"),
    ("internationalisation", "Internasjonalisering", "Internationalisation"),
]

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")


class ThemeError(Exception):
    """A problem the admin can fix; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def all_themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))


def by_codes(codes: list[str]) -> list[Theme]:
    """The themes with these codes; ThemeError("unknown_theme") if any is not known."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not wanted:
        return []
    found = {t.code: t for t in db.session.scalars(select(Theme).where(Theme.code.in_(wanted)))}
    if len(found) != len(wanted):
        raise ThemeError("unknown_theme", "themes")
    return [found[c] for c in wanted]


def ensure_seed_themes() -> int:
    """Add the network's themes that are missing (by code); returns how many were added.
    Safe to run again: an admin's renaming is kept."""
    have = set(db.session.scalars(select(Theme.code)))
    added = 0
    for position, (code, name_nb, name_en) in enumerate(SEED_THEMES):
        if code not in have:
            db.session.add(Theme(code=code, name_nb=name_nb, name_en=name_en, position=position))
            added += 1
    db.session.flush()
    return added


def _check_names(name_nb: str, name_en: str) -> tuple[str, str]:
    name_nb, name_en = (name_nb or "").strip(), (name_en or "").strip()
    if not name_nb:
        raise ThemeError("name_nb_required", "name_nb")
    if not name_en:
        raise ThemeError("name_en_required", "name_en")
    return name_nb, name_en


def create_theme(code: str, name_nb: str, name_en: str) -> Theme:
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        raise ThemeError("code_invalid", "code")
    if db.session.scalar(select(Theme).where(Theme.code == code)) is not None:
        raise ThemeError("code_taken", "code")
    name_nb, name_en = _check_names(name_nb, name_en)
    position = (db.session.scalar(select(func.max(Theme.position))) or 0) + 1
    theme = Theme(code=code, name_nb=name_nb, name_en=name_en, position=position)
    db.session.add(theme)
    db.session.flush()
    return theme


def rename_theme(theme: Theme, name_nb: str, name_en: str) -> Theme:
    theme.name_nb, theme.name_en = _check_names(name_nb, name_en)
    db.session.flush()
    theme_renamed.send(theme)
    return theme


def set_themes(owner, codes: list[str]) -> list[Theme]:
    """Give an event (or anything with a `themes` relationship) these themes;
    ThemeError("unknown_theme") for a code that is not in the vocabulary."""
    owner.themes = by_codes(codes)
    db.session.flush()
    return owner.themes
