"""Årshjul reminders sent by `eventsys tick`, counted on a real SMTP server: once per
item, occurrence and recipient, also when two ticks run at the same time, in the
recipient's language, and never again after they unsubscribe."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import time, timedelta

import pytest
from conftest import NOW
from sqlalchemy import func, select

from eventsys import ticking
from eventsys.arshjul.models import ReminderSent
from eventsys.extensions import db

# NOW is 1 February 2027, 10:00 in Oslo: the reminders below are due at 09:00.
KARI = "kari@uib.no"  # owner staff (tier 1), bokmål
ANNA = "anna@bi.no"  # not owner staff, English
PER = "per@uib.no"  # never verified the address
ORGANISER = "arrangement@kompetansenettverk.no"


@pytest.fixture
def people(make_user, owners, follow, set_locale):
    make_user(KARI)
    make_user(ANNA, name="Anna")
    set_locale(ANNA, "en")
    make_user(PER, verified=False, name="Per")
    make_user(ORGANISER, role="organiser", name="Ola")
    make_user("ola@gmail.com", name="Ola Utenfor")  # follows nothing
    for email in (KARI, ANNA, PER, ORGANISER):
        follow(email, "deadline")


@pytest.fixture
def items(make_item, app):
    from eventsys import database
    from eventsys.arshjul import operations

    deleted = make_item(title_nb="Slettet frist", day=14, reminder_days=13)
    with app.app_context():
        operations.delete_item(operations.lock_item(deleted), None)
        database.commit()
    return {
        "public": make_item(),  # 15 February, 14 days before: due 1 February 09:00
        "owners": make_item(
            title_nb="Kontingent forfaller", audience="owners", day=16, reminder_days=15
        ),
        "secretariat": make_item(
            title_nb="Sakspapirer sendes ut", audience="secretariat", day=10, reminder_days=9
        ),
        "quiet": make_item(title_nb="Frist uten påminnelse", reminder_days=None),
        "meeting": make_item(  # not due yet: 9 February 08:30
            title_nb="Styringsgruppemøte",
            category="deadline",
            recurrence_kind="nth_weekday",
            month=2,
            weekday=1,
            nth=2,
            all_day=False,
            start_time=time(10),
            end_time=time(12),
            reminder_days=0,
            reminder_minutes=90,
        ),
        "deleted": deleted,
    }


EXPECTED = {KARI: 2, ANNA: 1, ORGANISER: 2}  # public (+ owners for Kari, + secretariat)


def tick(app, now=NOW) -> int:
    with app.app_context():
        report = ticking.run(now=now)
    (line,) = [line for line in report if line.startswith("reminders:")]
    return int(re.fullmatch(r"reminders: (\d+) sent", line).group(1))


def received(smtp) -> Counter:
    return Counter(str(message["To"]) for message in smtp.messages)


def test_each_reminder_goes_out_once_per_recipient_and_occurrence(app, smtp, people, items):
    assert tick(app) == 5
    assert received(smtp) == EXPECTED
    subjects = sorted(str(m["Subject"]) for m in smtp.to(KARI))
    assert subjects == [
        "Påminnelse: Budsjettfrist for eierne, 15. februar 2027",
        "Påminnelse: Kontingent forfaller, 16. februar 2027",
    ]
    assert [str(m["Subject"]) for m in smtp.to(ORGANISER) if "Sakspapirer" in m["Subject"]]

    # Again, a minute later and an hour later: nothing new.
    assert tick(app) == 0
    assert tick(app, NOW + timedelta(minutes=1)) == 0
    assert tick(app, NOW + timedelta(hours=1)) == 0
    assert received(smtp) == EXPECTED

    # The timed item's reminder, 90 minutes before 10:00 on 9 February.
    assert tick(app, NOW + timedelta(days=8, hours=-1, minutes=-31)) == 0
    assert tick(app, NOW + timedelta(days=8, hours=-1, minutes=-29)) == 3
    assert tick(app, NOW + timedelta(days=8)) == 0
    meeting = [m for m in smtp.to(KARI) if "Styringsgruppemøte" in m["Subject"]]
    assert len(meeting) == 1
    assert "tirsdag 9. februar 2027 kl. 10:00" in smtp.body(meeting[0])

    with app.app_context():
        logged = db.session.scalar(select(func.count()).select_from(ReminderSent))
    assert logged == 8


def test_two_ticks_at_once_send_each_reminder_once(
    app, smtp, people, items, make_user, follow, monkeypatch
):
    from eventsys.arshjul import operations

    # More followers, so the two ticks overlap over many rows.
    extra = [f"deltaker{i}@gmail.com" for i in range(12)]
    for email in extra:
        make_user(email, name=email)
        follow(email, "deadline")
    refused = []
    claim = operations._claim_reminder

    def counting_claim(*args):
        entry = claim(*args)
        if entry is None:
            refused.append(args)
        return entry

    monkeypatch.setattr(operations, "_claim_reminder", counting_claim)

    start = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            counts.append(tick(app))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(counts) == 5 + len(extra)
    assert received(smtp) == EXPECTED | {email: 1 for email in extra}
    # Both ticks found every reminder due; the log's unique key refused the second.
    assert len(refused) == 5 + len(extra)

    assert tick(app) == 0
    assert len(smtp.messages) == 5 + len(extra)


def test_the_reminder_speaks_the_recipients_language_and_unsubscribes(
    app, client, submit, smtp, people, items
):
    tick(app)
    (norwegian,) = [m for m in smtp.to(KARI) if "Budsjettfrist" in m["Subject"]]
    body = smtp.body(norwegian)
    assert "Hei Kari," in body
    assert "Budsjettfrist for eierne er mandag 15. februar 2027." in body
    assert "Eierne melder inn budsjettet." in body
    assert f"http://localhost/arshjul?year=2027#item-{items['public']}" in body
    assert "Du får denne påminnelsen fordi du følger kategorien Frist i årshjulet." in body

    (english,) = smtp.to(ANNA)
    assert str(english["Subject"]) == "Reminder: Budget deadline for the owners, 15 February 2027"
    assert "Hello Anna," in smtp.body(english)
    assert "Stop these reminders:" in smtp.body(english)

    (link,) = [url for url in smtp.links(norwegian) if "/arshjul/unsubscribe/" in url]
    path = link.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200
    assert "Slutte å følge Frist i årshjulet? kari@uib.no" in page.get_data(as_text=True)
    done = submit(path, {})
    assert done.status_code == 200
    assert "Du følger ikke lenger Frist" in done.get_data(as_text=True)
    head, _, signature = path.rpartition(".")
    assert client.get(f"{head}.x{signature}").status_code == 400

    # A year later: Anna is reminded again, Kari is not.
    next_year = NOW + timedelta(days=365)  # 1 February 2028, 10:00
    assert tick(app, next_year) == 3
    assert len(smtp.to(KARI)) == 2  # only last year's
    assert [str(m["Subject"]) for m in smtp.to(ANNA)][-1].endswith("15 February 2028")


def test_late_ticks_catch_up_for_a_day_only(app, smtp, people, items):
    # Cron was down; 20 hours late the reminders still go out.
    assert tick(app, NOW + timedelta(hours=20)) == 5
    assert received(smtp) == EXPECTED


def test_reminders_older_than_a_day_are_not_sent(app, smtp, people, items):
    assert tick(app, NOW + timedelta(days=2)) == 0
    assert smtp.messages == []


def test_a_reminder_another_host_sent_is_skipped_and_the_rest_go_out(app, smtp, people, items):
    from eventsys import database
    from eventsys.auth.operations import find_user

    with app.app_context():
        organiser = find_user(ORGANISER)
        db.session.add(
            ReminderSent(item_id=items["public"], occurrence_key="2027-02-15", user_id=organiser.id)
        )
        database.commit()
    # The organiser comes last for that item: the refused insert must not lose the
    # e-mails queued before it in the same transaction.
    assert tick(app) == 4
    assert received(smtp) == {KARI: 2, ANNA: 1, ORGANISER: 1}
