"""Pure rules for the owners' yearly contribution: who pays for a year, and how much.

No pro-rating: an owner whose ownership covers any day of the year pays the year's
amount for its staff band; student welfare organisations pay their own flat rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

WELFARE = "welfare"
BANDS = ("0-500", "501-1000", "1001-2000", "2000+", WELFARE)

# DESIGN's table (the founding years 2020–2021), in øre: the default for any year
# finance has not set a table for.
DEFAULT_RATES: dict[str, int] = {
    "2000+": 150_000_00,
    "1001-2000": 90_000_00,
    "501-1000": 60_000_00,
    "0-500": 30_000_00,
    WELFARE: 20_000_00,
}


@dataclass(frozen=True)
class Period:
    role: str  # owner | observer
    valid_from: date
    valid_to: date
    staff_band: str | None


@dataclass(frozen=True)
class Owner:
    organisation_id: int
    welfare: bool
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class Due:
    organisation_id: int
    band: str
    amount: int


def contribution(owner: Owner, year: int, rates: Mapping[str, int]) -> Due | None:
    """What the owner pays for `year`, or None when no ownership touches it. The band
    is that of the latest owner period in the year (a band changed mid-year counts
    from the next year)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    periods = [
        p
        for p in owner.periods
        if p.role == "owner" and p.valid_from <= end and p.valid_to >= start
    ]
    if not periods:
        return None
    if owner.welfare:
        band = WELFARE
    else:
        band = max(periods, key=lambda p: p.valid_from).staff_band
        if band not in rates:
            return None  # an owner without a band cannot be invoiced: finance sees it
    return Due(owner.organisation_id, band, rates[band])


def to_invoice(
    owners: Iterable[Owner], year: int, rates: Mapping[str, int], invoiced: set[int]
) -> list[Due]:
    """Every owner of the year not yet invoiced for it: a second run finds nobody."""
    found = []
    for owner in owners:
        if owner.organisation_id in invoiced:
            continue
        due = contribution(owner, year, rates)
        if due is not None:
            found.append(due)
    return found
