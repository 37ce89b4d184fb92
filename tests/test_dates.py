"""One way of writing dates and times in each language, on pages, in e-mails and in
feeds: bokmål as Norwegians write it, English the British way (day before month, a
24-hour clock), never the American "November 25, 2026, 6:00 PM"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from conftest import client_of, csrf_token
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.registration.models import Registration

# 12-hour times, AM/PM, and a month name or number before the day.
MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
AMERICAN = [
    re.compile(r"\b\d{1,2}(:\d{2})?\s?[AaPp]\.?[Mm]\b"),
    re.compile(r"\b(AM|PM)\b"),
    re.compile(rf"\b({MONTHS})\.? \d{{1,2}}\b"),
    re.compile(r"\b(11/25|11/13)/\d{2}"),
]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def american(text: str) -> list[str]:
    return [m.group(0) for pattern in AMERICAN for m in pattern.finditer(text)]


@pytest.fixture
def evening_event(make_event):
    """A seminar on 25 November next year, 18:00–20:00 in Oslo (17:00 UTC:
    6 PM on a 12-hour clock), registration closing 13 November at 18:30."""
    year = datetime.now(UTC).year + 1
    return year, make_event(
        title="Kveldsseminar",
        capacity=1,
        starts_at=datetime(year, 11, 25, 17, 0, tzinfo=UTC),
        ends_at=datetime(year, 11, 25, 19, 0, tzinfo=UTC),
        registration_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        registration_closes_at=datetime(year, 11, 13, 17, 30, tzinfo=UTC),
    )


def _browser(app, make_user, email, lang, role="participant"):
    make_user(email, name=email.split("@")[0].title(), role=role)
    browser = client_of(app, email)
    page = browser.get("/").get_data(as_text=True)
    response = browser.post("/language", data={"csrf_token": csrf_token(page), "lang": lang})
    assert response.status_code == 302
    return browser


def _post(browser, url, page):
    token = csrf_token(browser.get(page).get_data(as_text=True))
    response = browser.post(url, data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return _text(browser.get(response.location).get_data(as_text=True))


def _pages(browser, urls) -> dict[str, str]:
    found = {}
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, url
        found[url] = response.get_data(as_text=True)
    return found


@pytest.mark.parametrize(
    ("lang", "long_day", "start", "deadline"),
    [
        ("en", "25 November", "25 November {year}, 18:00–20:00", "13 Nov {year}, 18:30"),
        ("nb", "25. november", "25. november {year}, 18:00–20:00", "13.11.{year}, 18:30"),
    ],
)
def test_pages_and_e_mails_write_dates_one_way(
    app, make_user, evening_event, smtp, lang, long_day, start, deadline
):
    year, event_id = evening_event
    first = _browser(app, make_user, "ola@gmail.com", lang)
    second = _browser(app, make_user, "sara@gmail.com", lang)
    organiser = _browser(app, make_user, "arr@nettverket.no", lang, role="organiser")

    flashes = _post(first, f"/events/{event_id}/register", f"/events/{event_id}")
    flashes += " " + _post(second, f"/events/{event_id}/register", f"/events/{event_id}")
    with app.app_context():
        ola = db.session.scalar(select_reg("ola@gmail.com"))
        ola_id = ola.id
        database.commit()
    # Ola gives up the seat: Sara is offered it, with a deadline to answer by.
    flashes += " " + _post(
        first,
        f"/account/registrations/{ola_id}/cancel",
        f"/account/registrations/{ola_id}/cancel",
    )

    pages = _pages(
        second,
        ["/events", f"/events/{event_id}", "/account/registrations", f"/arshjul?year={year}"],
    )
    pages.update(_pages(organiser, [f"/organiser/events/{event_id}/participants"]))
    pages["svg"] = second.get(f"/arshjul.svg?year={year}").get_data(as_text=True)
    mails = {f"{m['To']}: {m['Subject']}": f"{m['Subject']}\n{smtp.body(m)}" for m in smtp.messages}
    assert len(mails) >= 3  # confirmation, waiting list, offer (and the cancellation)
    texts = {url: _text(html) for url, html in pages.items()} | mails | {"flash": flashes}

    wrong = {where: american(text) for where, text in texts.items() if american(text)}
    assert not wrong, wrong
    event_page = texts[f"/events/{event_id}"]
    assert start.format(year=year) in event_page, event_page
    assert deadline.format(year=year) in event_page
    assert long_day in texts["/events"]
    assert long_day in texts[f"/arshjul?year={year}"]
    offer = next(text for to, text in mails.items() if to.startswith("sara") and "18:00" in text)
    assert long_day in offer


def select_reg(email):
    return select(Registration).where(Registration.email == email)


def test_feeds_write_dates_in_the_readers_language(app, client):
    """The resource bank's conference deadline in the public iCalendar feed."""
    from eventsys.resources.models import Resource, ResourceKind, ResourceStatus

    year = date.today().year + 1
    with app.app_context():
        db.session.add(
            Resource(
                kind=ResourceKind.conference,
                title="EARLI 2027",
                status=ResourceStatus.published,
                starts_on=date(year, 8, 23),
                ends_on=date(year, 8, 27),
                deadline=date(year, 1, 15),
                language="en",
            )
        )
        database.commit()
    english = client.get("/arshjul.ics?lang=en").get_data(as_text=True).replace("\r\n ", "")
    assert f"Deadline for submissions: 15 January {year}" in english, english
    norsk = client.get("/arshjul.ics?lang=nb").get_data(as_text=True).replace("\r\n ", "")
    assert f"15. januar {year}" in norsk
