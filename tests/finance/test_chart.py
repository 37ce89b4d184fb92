from hypothesis import given
from hypothesis import strategies as st

from eventsys.finance.chart import HEIGHT, year_chart
from eventsys.finance.reports import MonthRow


def _rows(values, budget):
    rows, running = [], 0
    for month, (a, b, c) in enumerate(values, start=1):
        running += a + b + c
        rows.append(MonthRow(month, a, b, c, a + b + c, running, round(budget * month / 12)))
    return rows


money = st.integers(0, 50_000_000)


@given(st.lists(st.tuples(money, money, money), min_size=12, max_size=12), money)
def test_the_picture_stays_inside_and_every_bar_is_proportional(values, budget):
    chart = year_chart(_rows(values, budget))
    assert all(b.y >= 0 and b.y + b.height <= HEIGHT for b in chart.bars)
    top = chart.ticks[-1].value
    plot = chart.bottom_y - chart.ticks[-1].y
    for bar in chart.bars:
        assert abs(bar.height - plot * bar.value / top) <= 0.2
    assert len(chart.months) == 12 and chart.ticks[0].value == 0


def test_an_empty_year_draws_axes_only():
    chart = year_chart(_rows([(0, 0, 0)] * 12, 0))
    assert chart.bars == [] and len(chart.ticks) >= 1
