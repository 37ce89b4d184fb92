"""Reports: the year's sums, per event, per month against the budget; CSV downloads;
the chart and its table show the same numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.finance import operations, reports
from eventsys.payments.models import Invoice


def _year():
    return datetime.now(ZoneInfo("Europe/Oslo")).year


def test_summary_card_fees_refunds_stripe_fees_and_net(app, runner, paid_seats, fake_stripe):
    from eventsys.payments import operations as pay_ops
    from eventsys.payments.models import Payment

    _, regs = paid_seats(3)
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.registration_id == regs[0]))
        pay_ops._refund(payment, 75000, "test", payment.paid_at)
        database.commit()
    assert runner.invoke(args=["eventsys", "stripe-sync"]).exit_code == 0
    with app.app_context():
        s = reports.summary(_year())
        fee = 75000 * 24 // 1000 + 200
        assert (s.fees_card, s.refunds, s.stripe_fees) == (225000, 75000, 3 * fee)
        assert s.net == 225000 - 75000 - 3 * fee
        [row] = reports.per_event(_year())
        assert (row["expected"], row["card"], row["refunded"], row["stripe_fees"]) == (
            225000,
            225000,
            75000,
            3 * fee,
        )
        assert row["net"] == s.net


def test_contributions_invoiced_and_paid_against_the_budget(app, runner, make_org):
    year = _year()
    make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        org_number="974767880",
        periods=[("owner", date(year, 1, 1), date(year, 12, 31), "2000+")],
    )
    make_org("Sammen", ["sammen.no"], kind="welfare_org", org_number="971573252",
             periods=[("owner", date(year, 1, 1), date(year, 12, 31), None)])  # fmt: skip
    runner.invoke(args=["eventsys", "invoice-owners", "--year", str(year)])
    with app.app_context():
        reports.set_budget(year, reports.FOUNDING_BUDGET)
        uib = db.session.scalar(select(Invoice).where(Invoice.organisation_name.like("Univ%")))
        uib.amount_paid = uib.amount
        database.commit()
        s = reports.summary(year)
        assert (s.contributions_invoiced, s.contributions_paid) == (170_000_00, 150_000_00)
        lines, total, income = reports.budget_table(year)
        assert total == 1_350_000_00 and income == 150_000_00
        rows = list(csv.reader(io.StringIO(reports.csv_budget(year))))
        assert rows[0] == ["line", "amount"] and ["secretariat", "925000.00"] in rows
        assert rows[-1] == ["difference", "-1200000.00"]
        months = reports.months(s, total)
        assert months[-1].cumulative == 150_000_00 and months[-1].budget_cumulative == total


def test_report_page_chart_and_table_and_csv(app, client, runner, make_org, make_user, login):
    year = _year()
    make_org("Universitetet i Bergen", ["uib.no"], org_number="974767880",
             periods=[("owner", date(year, 1, 1), date(year, 12, 31), "2000+")])  # fmt: skip
    runner.invoke(args=["eventsys", "invoice-owners", "--year", str(year)])
    with app.app_context():
        invoice = db.session.scalar(select(Invoice))
        invoice.amount_paid = invoice.amount
        database.commit()
    make_user("okonomi@nettverket.no", role="finance", name="Økonomi")
    login("okonomi@nettverket.no")
    page = client.get(f"/finance/reports?year={year}").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page and "kr 150\xa0000,00" in page
    for table in ("events", "months", "budget", "contributions", "payouts", "invoices"):
        response = client.get(f"/finance/reports/{table}.csv?year={year}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        text = response.get_data(as_text=True)
        assert text.splitlines()[0].count(",") >= 1
    months = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/finance/reports/months.csv?year={year}").get_data(as_text=True)
            )
        )
    )
    assert len(months) == 12 and months[-1]["cumulative"] == "150000.00"
    contributions = client.get(f"/finance/reports/contributions.csv?year={year}").get_data(
        as_text=True
    )
    assert "Universitetet i Bergen,2000+,150000.00,1,yes" in contributions
    assert client.get("/finance/reports?year=99999").status_code == 400
    with app.app_context():
        assert operations.contribution_overview(year)[0]["paid"] is True
