"""The demo looks like the network's real year: seminars on working days, the
conference on the date its årshjul item names, fees invoiced to the participants'
own employers."""

from datetime import timedelta

import holidays
from sqlalchemy import select

from eventsys.database import local_date


def test_demo_events_fall_on_working_days_and_agree_with_the_arshjul(app, runner):
    from eventsys.arshjul import rules
    from eventsys.arshjul.models import CycleItem
    from eventsys.arshjul.operations import to_rule
    from eventsys.events.models import Event
    from eventsys.extensions import db
    from eventsys.payments.models import Invoice

    result = runner.invoke(args=["eventsys", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        events = db.session.scalars(select(Event)).all()
        norway = holidays.Norway(years=range(2024, 2032))
        for event in events:
            day = local_date(event.starts_at)
            assert day.weekday() < 5, (event.title, day)
            assert day not in norway, (event.title, day)
            assert not (day.month == 12 and day.day >= 22), (event.title, day)

        conference = next(e for e in events if e.kind.value == "conference")
        item = db.session.scalar(
            select(CycleItem).where(CycleItem.category == rules.Category.CONFERENCE)
        )
        start = local_date(conference.starts_at)
        days = [
            o.start.date() if hasattr(o.start, "date") else o.start
            for o in rules.occurrences(to_rule(item), start, start + timedelta(days=1))
        ]
        assert start in days

        employers = {
            (i.organisation_name, i.recipient_email.split("@")[1])
            for i in db.session.scalars(select(Invoice).where(Invoice.purpose == "fee"))
        }
        assert len(employers) > 1
        domains = {domain for _, domain in employers}
        assert "ntnu.no" not in domains  # NTNU is an owner: its staff attend free


def test_the_finance_user_sees_real_numbers(app, runner, client):
    from eventsys.finance import operations, reports

    assert runner.invoke(args=["eventsys", "demo"]).exit_code == 0
    with app.app_context():
        year = local_date().year
        summary = reports.summary(year)
        assert summary.fees_card > 0 and summary.stripe_fees > 0
        assert 0 < summary.contributions_paid < summary.contributions_invoiced
        assert sum(reports.budget(year).values()) == 1_350_000_00
        assert [d.kind for d in operations.open_discrepancies()] == ["money_without_registration"]
        statuses = {row["status"] for row in operations.register()}
        assert {"paid", "partly_paid", "overdue"} <= statuses
        # Owners have invoice addresses; one has none, and its invoice is shown unsent.
        rows = operations.contribution_overview(year)
        assert sum(1 for r in rows if r["sent_at"]) == len(rows) - 1
        assert [r["organisation"] for r in rows if not r["invoice_email"]] == ["Nord universitet"]
    client.post(
        "/login",
        data={"email": "okonomi@kompetansenettverk.no", "password": "demo-passord-2026"},
    )
