"""The owners' yearly contribution: who is invoiced for a year, how much, once."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.finance import contributions as c
from eventsys.finance import operations
from eventsys.payments.models import Invoice


def _owner(*periods, welfare=False):
    return c.Owner(1, welfare, tuple(c.Period(*p) for p in periods))


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ([("owner", date(2026, 1, 1), date(2027, 12, 31), "2000+")], ("2000+", 150_000_00)),
        ([("owner", date(2027, 12, 31), date(2028, 12, 31), "0-500")], ("0-500", 30_000_00)),
        ([("owner", date(2025, 1, 1), date(2027, 1, 1), "501-1000")], ("501-1000", 60_000_00)),
        ([("observer", date(2027, 1, 1), date(2027, 12, 31), "2000+")], None),
        ([("owner", date(2025, 1, 1), date(2026, 12, 31), "2000+")], None),
        (
            [
                ("owner", date(2026, 1, 1), date(2027, 6, 30), "1001-2000"),
                ("owner", date(2027, 7, 1), date(2028, 12, 31), "2000+"),
            ],
            ("2000+", 150_000_00),
        ),
    ],
)
def test_who_pays_for_2027_and_how_much(periods, expected):
    due = c.contribution(_owner(*periods), 2027, c.DEFAULT_RATES)
    assert (due and (due.band, due.amount)) == (expected or None)


def test_welfare_organisations_pay_their_own_rate():
    owner = _owner(("owner", date(2027, 1, 1), date(2028, 12, 31), None), welfare=True)
    assert c.contribution(owner, 2027, c.DEFAULT_RATES).amount == 20_000_00


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 1500), st.integers(2020, 2030)
)
def test_any_day_of_the_year_counts_and_no_pro_rating(start, days, year):
    from datetime import timedelta

    owner = _owner(("owner", start, start + timedelta(days=days), "0-500"))
    due = c.contribution(owner, year, c.DEFAULT_RATES)
    overlaps = start <= date(year, 12, 31) and start + timedelta(days=days) >= date(year, 1, 1)
    assert (due is not None) == overlaps
    assert due is None or due.amount == 30_000_00


@pytest.fixture
def owners_2027(make_org):
    make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        org_number="974767880",
        periods=[("owner", date(2026, 1, 1), date(2027, 12, 31), "2000+")],
    )
    make_org(
        "Høgskulen på Vestlandet",
        ["hvl.no"],
        org_number="917641404",
        periods=[("owner", date(2027, 3, 1), date(2028, 12, 31), "1001-2000")],
    )
    make_org(
        "Sammen",
        ["sammen.no"],
        kind="welfare_org",
        org_number="971573252",
        periods=[("owner", date(2027, 1, 1), date(2028, 12, 31), None)],
    )
    make_org("Handelshøyskolen BI", ["bi.no"], kind="other", periods=[])
    make_org("NTNU", ["ntnu.no"],
             periods=[("observer", date(2027, 1, 1), date(2027, 12, 31), "2000+")])  # fmt: skip


def _invoices(app):
    with app.app_context():
        return [
            (i.organisation_name, i.amount, i.kid[0], i.purpose)
            for i in db.session.scalars(select(Invoice).order_by(Invoice.number))
        ]


def test_invoice_owners_once_per_owner_and_year(app, runner, owners_2027, make_org):
    result = runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert sorted(_invoices(app)) == [
        ("Høgskulen på Vestlandet", 90_000_00, "2", "contribution"),
        ("Sammen", 20_000_00, "2", "contribution"),
        ("Universitetet i Bergen", 150_000_00, "2", "contribution"),
    ]
    again = runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    assert "0 contribution invoices" in again.output and len(_invoices(app)) == 3
    make_org("Universitetet i Agder", ["uia.no"], org_number="970546200",
             periods=[("owner", date(2027, 9, 1), date(2029, 8, 31), "0-500")])  # fmt: skip
    runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"])
    assert _invoices(app)[-1][:2] == ("Universitetet i Agder", 30_000_00)
    assert len(_invoices(app)) == 4
    with app.app_context():
        numbers = sorted(db.session.scalars(select(Invoice.number)))
    assert numbers == list(range(1, 5))  # no gaps


def test_a_new_years_table(app, runner, owners_2027, make_user, make_org):
    make_org("Universitetet i Oslo", ["uio.no"], org_number="971035854",
             periods=[("owner", date(2028, 1, 1), date(2029, 12, 31), "2000+")])  # fmt: skip
    user = make_user("okonomi@nettverket.no", role="finance")
    with app.app_context():
        from eventsys.auth.models import User

        actor = db.session.get(User, user)
        rates = dict(c.DEFAULT_RATES, **{"2000+": 160_000_00})
        operations.set_contribution_rates(2028, rates, actor)
        database.commit()
    runner.invoke(args=["eventsys", "invoice-owners", "--year", "2028"])
    amounts = {name: amount for name, amount, *_ in _invoices(app)}
    assert amounts["Universitetet i Oslo"] == 160_000_00
    assert amounts["Høgskulen på Vestlandet"] == 90_000_00
    with app.app_context():
        assert operations.contribution_rates(2028)["2000+"] == 160_000_00
        assert operations.contribution_rates(2029) == c.DEFAULT_RATES


def test_the_page_shows_band_amount_invoice_and_payment(
    app, client, submit, owners_2027, make_user, login
):
    make_user("okonomi@nettverket.no", role="finance")
    login("okonomi@nettverket.no")
    page = client.get("/finance/contributions?year=2027").get_data(as_text=True)
    assert "Ikke fakturert ennå" in page and "kr 150\xa0000,00" in page
    response = submit(
        "/finance/contributions/invoice", {"year": "2027"}, page="/finance/contributions?year=2027"
    )
    assert response.status_code == 302
    assert len(_invoices(app)) == 3
    page = client.get("/finance/contributions?year=2027").get_data(as_text=True)
    assert "Ikke fakturert ennå" not in page and "Sammen" in page
    bad = submit(
        "/finance/contributions/rates",
        {"year": "2028", "band_0_500": "-5"},
        page="/finance/contributions?year=2028",
    )
    assert bad.status_code == 422
    ok = submit("/finance/contributions/rates",
                {"year": "2028", "band_0_500": "31000", "band_501_1000": "61000",
                 "band_1001_2000": "91000", "band_2000": "151000", "welfare": "21000"},
                page="/finance/contributions?year=2028")  # fmt: skip
    assert ok.status_code == 302
    with app.app_context():
        assert operations.contribution_rates(2028)["welfare"] == 21_000_00
