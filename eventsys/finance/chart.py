"""The year's income as a picture (pure geometry; the template draws the SVG): a
stacked bar per month for each source of income, the running total as a line, and
the budget spread over the year as a dashed line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 16, 40
COLOURS = {"contributions": "#1f5f99", "fees_card": "#b35900", "fees_invoice": "#2e7d32"}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    source: str
    month: int
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bottom_y: float
    right_x: float
    bars: list[Bar]
    months: list[tuple[float, int]]  # label x, month number
    ticks: list[Tick]
    cumulative: str  # polyline points
    budget: str


def _nice_step(top: int) -> int:
    """A round step for about five gridlines (1, 2 or 5 times a power of ten)."""
    raw = max(top, 1) / 5
    power = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def year_chart(rows: Sequence) -> Chart:
    """`rows`: twelve month rows with contributions, fees_card, fees_invoice,
    cumulative and budget_cumulative (øre)."""
    top = max([r.cumulative for r in rows] + [r.budget_cumulative for r in rows] + [1])
    step = _nice_step(top)
    top = ((top + step - 1) // step) * step
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h
    slot = plot_w / 12
    bar_w = slot * 0.6

    def y(value: int) -> float:
        return round(bottom - plot_h * value / top, 1)

    bars, months, line, budget = [], [], [], []
    for index, row in enumerate(rows):
        x = LEFT + slot * index + (slot - bar_w) / 2
        base = 0
        for source in COLOURS:
            value = getattr(row, source)
            if value > 0:
                bars.append(
                    Bar(
                        round(x, 1),
                        y(base + value),
                        round(bar_w, 1),
                        round(y(base) - y(base + value), 1),
                        COLOURS[source],
                        source,
                        row.month,
                        value,
                    )  # fmt: skip
                )
                base += value
        centre = round(LEFT + slot * index + slot / 2, 1)
        months.append((centre, row.month))
        line.append(f"{centre},{y(row.cumulative)}")
        budget.append(f"{centre},{y(row.budget_cumulative)}")
    ticks = [Tick(y(v), v) for v in range(0, top + 1, step)]
    return Chart(WIDTH, HEIGHT, LEFT, bottom, WIDTH - RIGHT, bars, months, ticks,
                 " ".join(line), " ".join(budget))  # fmt: skip
