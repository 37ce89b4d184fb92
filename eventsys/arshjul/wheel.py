"""The year wheel's geometry, as pure code: entries of one year in, shapes out.

The year runs clockwise from the top (1 January) with the months in an outer band and
one ring per category inside it. A one-day entry is a dot (an event a diamond), a
longer one an arc along its ring. The template (templates/arshjul/_wheel.svg.html) only
writes these numbers out, with presentation attributes rather than CSS, so the same
SVG works inline under the page's CSP and alone as /arshjul.svg.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from eventsys.arshjul.rules import Audience, Category

#: Rings from the centre outwards: the categories with most entries get the longest.
RING_ORDER = (
    Category.CONFERENCE,
    Category.NEWSLETTER,
    Category.ACTIVITY,
    Category.MEETING,
    Category.DEADLINE,
    Category.SEMINAR,
)

#: Category colours: each at least 4.5:1 against white (WCAG 1.4.11 asks 3:1).
COLORS = {
    Category.CONFERENCE: "#0b4f8a",
    Category.SEMINAR: "#1d6b35",
    Category.MEETING: "#6b3a8c",
    Category.NEWSLETTER: "#9a4d00",
    Category.DEADLINE: "#a4161a",
    Category.ACTIVITY: "#00666e",
}


def _tint(color: str, amount: float) -> str:
    """`color` mixed with white: `amount` of the colour (a ring's pale background)."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * amount):02x}" for c in (red, green, blue))


WIDTH = 760
CENTER = 380
HUB = 104  # radius of the centre disc with the year
RING_INNER = 108
RING_OUTER = 300
BAND_OUTER = 346  # the months' band runs from RING_OUTER to here
DOT = 7.5
DIAMOND = 9.5
LEGEND_TOP = 800
HEIGHT = 890


@dataclass(frozen=True)
class Entry:
    """Something on the wheel and in the list beside it: an occurrence of a cycle item
    or an event. All-day entries have dates with an exclusive `end`; timed ones aware
    datetimes in the network's time zone."""

    anchor: str  # the list entry's id on the page
    href: str  # where the wheel links to
    kind: str  # "item" or "event"
    category: Category
    title: str
    start: date | datetime
    end: date | datetime
    all_day: bool
    cancelled: bool = False
    description: str = ""
    link: str = ""
    audience: Audience = Audience.PUBLIC
    item_id: int | None = None
    event_id: int | None = None
    materials: str = ""  # path to last year's materials (event or the item's event)

    @property
    def first_day(self) -> date:
        return self.start if self.all_day else self.start.date()

    @property
    def last_day(self) -> date:
        """The last day it runs (inclusive)."""
        if self.all_day:
            return self.end - timedelta(days=1)
        end = self.end
        # An event ending at midnight ends the day before.
        if (end.hour, end.minute, end.second) == (0, 0, 0) and end.date() > self.start.date():
            return end.date() - timedelta(days=1)
        return end.date()

    @property
    def several_days(self) -> bool:
        return self.last_day > self.first_day


@dataclass(frozen=True)
class Ring:
    category: Category
    inner: float
    outer: float
    fill: str
    color: str
    label: str


@dataclass(frozen=True)
class Month:
    name: str
    x: float
    y: float
    line: tuple[float, float, float, float]  # the separator at its start


@dataclass(frozen=True)
class Shape:
    entry: Entry
    kind: str  # "dot", "diamond" or "arc"
    color: str
    path: str = ""  # arc and diamond
    cx: float = 0.0
    cy: float = 0.0
    r: float = 0.0


@dataclass(frozen=True)
class Today:
    day: date
    line: tuple[float, float, float, float]
    cx: float
    cy: float


@dataclass(frozen=True)
class LegendRow:
    category: Category
    label: str
    color: str
    x: float
    y: float


@dataclass
class Wheel:
    year: int
    rings: list[Ring]
    months: list[Month]
    shapes: list[Shape]
    today: Today | None
    legend: list[LegendRow] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    center: int = CENTER
    hub: int = HUB
    ring_inner: int = RING_INNER
    ring_outer: int = RING_OUTER
    band_outer: int = BAND_OUTER


def _days_in(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def fraction(year: int, day: date, offset: float = 0.0) -> float:
    """Where a day (plus `offset` of a day) lies in the year, 0 to 1."""
    return ((day - date(year, 1, 1)).days + offset) / _days_in(year)


def point(turn: float, radius: float) -> tuple[float, float]:
    """The point `radius` from the centre at `turn` of a full circle (0 = top,
    clockwise), rounded to 0.01 so the SVG stays short and stable."""
    angle = 2 * math.pi * turn
    return (
        round(CENTER + radius * math.sin(angle), 2),
        round(CENTER - radius * math.cos(angle), 2),
    )


def arc_path(start: float, end: float, inner: float, outer: float) -> str:
    """An annular sector from turn `start` to `end` (clockwise) between two radii."""
    end = min(end, start + 0.9999)  # a full circle is no arc
    large = 1 if end - start > 0.5 else 0
    x1, y1 = point(start, outer)
    x2, y2 = point(end, outer)
    x3, y3 = point(end, inner)
    x4, y4 = point(start, inner)
    return (
        f"M{x1} {y1}A{outer} {outer} 0 {large} 1 {x2} {y2}"
        f"L{x3} {y3}A{inner} {inner} 0 {large} 0 {x4} {y4}Z"
    )


def diamond_path(x: float, y: float, size: float) -> str:
    return f"M{x} {round(y - size, 2)}L{round(x + size, 2)} {y}L{x} {round(y + size, 2)}L{round(x - size, 2)} {y}Z"


def layout(
    year: int,
    entries: list[Entry],
    today: date | None,
    category_labels: dict[Category, str],
    month_names: list[str],
) -> Wheel:
    """The wheel of `year` with the entries given (others are ignored), today marked
    when it falls in the year."""
    width = (RING_OUTER - RING_INNER) / len(RING_ORDER)
    rings = [
        Ring(
            category=category,
            inner=round(RING_INNER + i * width, 2),
            outer=round(RING_INNER + (i + 1) * width, 2),
            fill=_tint(COLORS[category], 0.12 if i % 2 == 0 else 0.07),
            color=COLORS[category],
            label=category_labels[category],
        )
        for i, category in enumerate(RING_ORDER)
    ]
    ring_of = {ring.category: ring for ring in rings}

    months = []
    for month in range(1, 13):
        begins = fraction(year, date(year, month, 1))
        ends = fraction(year, date(year + month // 12, month % 12 + 1, 1))
        x, y = point((begins + ends) / 2, (RING_OUTER + BAND_OUTER) / 2)
        inner = point(begins, RING_INNER)
        outer = point(begins, BAND_OUTER)
        months.append(Month(month_names[month - 1], x, y, (*inner, *outer)))

    first, last = date(year, 1, 1), date(year, 12, 31)
    shapes: list[Shape] = []
    # Dots close to each other in a ring move to alternate lanes.
    placed: dict[Category, list[tuple[float, int]]] = {}
    for entry in entries:
        ring = ring_of.get(entry.category)
        if ring is None or entry.last_day < first or entry.first_day > last:
            continue
        color = COLORS[entry.category]
        mid = (ring.inner + ring.outer) / 2
        if entry.several_days and entry.kind == "item":
            start = fraction(year, max(entry.first_day, first))
            end = fraction(year, min(entry.last_day, last), 1.0)
            path = arc_path(start, end, ring.inner + 4, ring.outer - 4)
            shapes.append(Shape(entry, "arc", color, path=path))
            continue
        turn = fraction(year, entry.first_day, 0.5)
        lane = _lane(placed.setdefault(entry.category, []), turn, mid)
        radius = mid + lane * (ring.outer - ring.inner) / 4
        x, y = point(turn, radius)
        if entry.kind == "event":
            shapes.append(Shape(entry, "diamond", color, path=diamond_path(x, y, DIAMOND)))
        else:
            shapes.append(Shape(entry, "dot", color, cx=x, cy=y, r=DOT))

    marker = None
    if today is not None and today.year == year:
        turn = fraction(year, today, 0.5)
        x1, y1 = point(turn, HUB)
        x2, y2 = point(turn, BAND_OUTER + 10)
        marker = Today(today, (x1, y1, x2, y2), x2, y2)

    legend = [
        LegendRow(
            category=ring.category,
            label=ring.label,
            color=ring.color,
            x=40 + (i % 3) * 240,
            y=LEGEND_TOP + (i // 3) * 30,
        )
        for i, ring in enumerate(rings)
    ]
    return Wheel(year, rings, months, shapes, marker, legend)


def _lane(taken: list[tuple[float, int]], turn: float, radius: float) -> int:
    """0 (the ring's middle), -1 or +1: the first lane where a dot at `turn` does not
    overlap one placed before."""
    gap = (2 * DOT + 1) / (2 * math.pi * radius)  # in turns
    for lane in (0, -1, 1):
        if all(abs(turn - other) >= gap or used != lane for other, used in taken):
            taken.append((turn, lane))
            return lane
    taken.append((turn, 0))
    return 0
