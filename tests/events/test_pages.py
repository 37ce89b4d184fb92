"""The event pages as people use them: the public list and event page, and the
organisers' form, publishing, capacity changes and cancelling."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from conftest import upcoming
from sqlalchemy import func, select

from eventsys import database
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def organiser(make_user, login):
    make_user("arrangor@nettverket.no", role="organiser", name="Arrangøren")
    login("arrangor@nettverket.no")


def _event(app, event_id) -> Event:
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.expunge(event)
        return event


def _register(app, event_id, email):
    with app.app_context():
        reg = reg_ops.register(
            event_id, reg_ops.Person(email=email, name=email.split("@")[0], vouched=True), None
        )
        database.commit()
        return reg.id


def _text(html: str) -> str:
    """The page's visible text with whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class _FormReader(HTMLParser):
    """What a browser would send for a form on the page, as it is filled in."""

    def __init__(self, action_part: str):
        super().__init__()
        self.action_part, self.inside, self.values = action_part, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("method") == "post" and self.action_part in a.get("action", "")
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "y")
            else:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str, action_part: str = "") -> dict:
    reader = _FormReader(action_part)
    reader.feed(html)
    # A textarea's first newline belongs to the markup, not to the value.
    return {k: v.removeprefix("\n") for k, v in reader.values.items()}


def event_form(**overrides) -> dict:
    values = {
        "title": "Seminar om læringsmiljø",
        "description": "Program:\n09:00 Velkommen",
        "kind": "seminar",
        "format": "on_site",
        "language": "nb",
        "host_organisation_id": "",
        "starts_at": "2027-03-10T09:00",
        "ends_at": "2027-03-10T15:00",
        "venue": "Universitetsaulaen, Bergen",
        "online_url": "",
        "capacity": "30",
        "registration_opens_at": "2027-01-10T09:00",
        "registration_closes_at": "2027-03-08T23:59",
        "priority_deadline": "2027-02-01T12:00",
        "offer_hours": "48",
        "fee": "750,50",
        "payment_days": "7",
        "cancellation_deadline": "2027-03-01T12:00",
    }
    values.update(overrides)
    return values


# --- public pages ---------------------------------------------------------------------


def test_public_list_filters_by_kind_format_and_month(app, client, make_event):
    seminar = make_event(title="Seminar i Bergen", **upcoming(days=20))
    webinar = make_event(
        title="Webinar om frafall",
        kind="webinar",
        format="online",
        venue="",
        online_url="https://meet.example.no/frafall",
        **upcoming(days=80),
    )
    make_event(title="Hemmelig utkast", status="draft", **upcoming(days=21))
    cancelled = make_event(title="Avlyst kurs", kind="course", **upcoming(days=22))
    with app.app_context():
        reg_ops.cancel_event(cancelled, None)
        database.commit()
    now = datetime.now(UTC)
    make_event(
        title="Gammelt seminar",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=4),
        registration_opens_at=now - timedelta(days=30),
        registration_closes_at=now - timedelta(days=4),
    )

    response = client.get("/events")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = _text(page)
    assert "Seminar i Bergen" in text and "Webinar om frafall" in text
    assert "Avlyst kurs" in text and "Avlyst" in text.split("Avlyst kurs", 1)[1][:40]
    assert "Hemmelig utkast" not in text and "Gammelt seminar" not in text
    # Every filter is a labelled control.
    for name in ("kind", "format", "month"):
        assert f'<label for="{name}">' in page

    text = _text(client.get("/events?kind=webinar").get_data(as_text=True))
    assert "Webinar om frafall" in text and "Seminar i Bergen" not in text

    text = _text(client.get("/events?format=on_site").get_data(as_text=True))
    assert "Seminar i Bergen" in text and "Webinar om frafall" not in text

    month = _event(app, webinar).starts_at.astimezone(OSLO).strftime("%Y-%m")
    page = client.get(f"/events?month={month}").get_data(as_text=True)
    assert f'<option selected value="{month}">' in page
    text = _text(page)
    assert "Webinar om frafall" in text and "Seminar i Bergen" not in text
    assert seminar  # the seminar was made, it is only filtered out

    bad = client.get("/events?kind=picnic")
    assert bad.status_code == 422 and "Velg ett av alternativene" in bad.get_data(as_text=True)


def test_draft_is_invisible_to_the_public_and_visible_to_organisers(client, make_event, organiser):
    draft = make_event(title="Utkast til seminar", status="draft", **upcoming())
    assert client.get(f"/events/{draft}").status_code == 200  # logged in as organiser
    assert "Utkast: bare arrangører kan se denne siden" in client.get(f"/events/{draft}").get_data(
        as_text=True
    )
    admin = _text(client.get("/organiser/events").get_data(as_text=True))
    assert "Utkast til seminar" in admin and "Utkast" in admin

    client.delete_cookie("session")
    assert client.get(f"/events/{draft}").status_code == 404
    assert "Utkast til seminar" not in client.get("/events").get_data(as_text=True)


def test_event_page_shows_places_and_the_viewers_tier_and_fee(
    app, client, login, make_event, make_user, network
):
    event_id = make_event(capacity=3, fee=75000, **upcoming())
    _register(app, event_id, "per@uib.no")

    anonymous = _text(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "Plasser 2 av 3 plasser ledige." in anonymous
    assert "kr 750,00 · gratis for ansatte hos eier" in anonymous
    assert "Logg inn for å melde deg på" in anonymous

    make_user("kari@uib.no", name="Kari")
    login("kari@uib.no")
    owner = _text(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "Ansatt hos eier: prioritet og gratis deltakelse" in owner
    assert "Det er ledig plass: meld deg på, så er den din med en gang." in owner
    assert 'for="dietary_needs"' in client.get(f"/events/{event_id}").get_data(as_text=True)

    client.delete_cookie("session")
    make_user("jonas@bi.no", name="Jonas")
    login("jonas@bi.no")
    other = _text(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "Avgiften din er kr 750,00. Etter påmeldingen betaler du med kort" in other


def test_event_page_explains_the_priority_window(client, make_event):
    now = datetime.now(UTC)
    event_id = make_event(**upcoming(priority_deadline=now + timedelta(days=7)))
    text = _text(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "Prioritet for ansatte hos eierne" in text
    assert "får beskjed ved fristen om de har fått plass" in text

    no_window = make_event(**upcoming())
    text = _text(client.get(f"/events/{no_window}").get_data(as_text=True))
    assert "Prioritet for ansatte hos eierne" not in text


def test_online_link_is_shown_only_to_confirmed_participants(
    app, client, login, make_event, make_user, network
):
    event_id = make_event(
        format="online", venue="", online_url="https://meet.example.no/rom", **upcoming()
    )
    assert "https://meet.example.no/rom" not in client.get(f"/events/{event_id}").get_data(
        as_text=True
    )
    make_user("kari@uib.no")
    login("kari@uib.no")
    _register(app, event_id, "kari@uib.no")
    assert "https://meet.example.no/rom" in client.get(f"/events/{event_id}").get_data(as_text=True)


# --- organisers -----------------------------------------------------------------------


def test_pages_for_organisers_only(client, login, make_user, make_event):
    event_id = make_event(**upcoming())
    assert client.get("/organiser/events").status_code == 302  # to the login page
    make_user("jonas@bi.no")
    login("jonas@bi.no")
    assert client.get("/organiser/events").status_code == 403
    assert client.get("/organiser/events/new").status_code == 403
    assert client.get(f"/organiser/events/{event_id}/edit").status_code == 403


def test_organiser_creates_an_event_with_oslo_times(app, client, submit, organiser):
    response = submit("/organiser/events/new", event_form(action="draft"))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        # 09:00 in Oslo in March (winter time, UTC+1) is 08:00 UTC.
        assert event.starts_at == datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
        assert event.ends_at == datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
        assert event.registration_closes_at == datetime(2027, 3, 8, 22, 59, tzinfo=UTC)
        assert event.fee == 75050
        assert event.status == EventStatus.draft
        assert event.description == "Program:\n09:00 Velkommen"
    page = client.get(response.location).get_data(as_text=True)
    assert "Arrangementet er lagret som utkast" in page
    # The form shows the times back in Oslo time and the fee in kroner.
    values = form_values(page, "/edit")
    assert values["starts_at"] == "2027-03-10T09:00" and values["fee"] == "750,50"

    summer = submit(
        "/organiser/events/new",
        event_form(
            title="Sommerseminar",
            starts_at="2027-06-10T09:00",
            ends_at="2027-06-10T15:00",
            registration_opens_at="2027-05-01T09:00",
            registration_closes_at="2027-06-09T12:00",
            priority_deadline="",
            cancellation_deadline="",
            fee="750",
            action="publish",
        ),
    )
    assert summer.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.title == "Sommerseminar"))
        # Summer time (UTC+2): 09:00 in Oslo is 07:00 UTC.
        assert event.starts_at == datetime(2027, 6, 10, 7, 0, tzinfo=UTC)
        assert event.fee == 75000 and event.priority_deadline is None
        assert event.status == EventStatus.published


def test_invalid_event_form_shows_norwegian_errors_and_saves_nothing(app, submit, organiser):
    response = submit(
        "/organiser/events/new",
        event_form(title="  ", fee="sju hundre", capacity="mange", starts_at="i morgen"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Rett opp følgende" in page
    assert "Skriv inn en tittel." in page
    assert "Skriv beløpet i kroner, for eksempel 750 eller 750,50." in page
    assert "Skriv inn et helt tall." in page
    assert "Skriv inn dato og klokkeslett" in page
    # The error is tied to its input for screen readers.
    assert re.search(
        r'id="fee"[^>]*aria-describedby="fee-hint fee-error"|'
        r'aria-describedby="fee-hint fee-error"[^>]*id="fee"',
        page,
    )

    # The form is fine but the times contradict each other: the rules say so.
    response = submit("/organiser/events/new", event_form(ends_at="2027-03-10T08:00"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Arrangementet må slutte etter at det starter." in page
    assert "Påmeldingen må stenge før arrangementet slutter." not in page

    response = submit(
        "/organiser/events/new",
        event_form(format="online", online_url="", venue="", action="publish"),
    )
    assert response.status_code == 422
    assert "et digitalt eller hybrid arrangement må ha den" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_lowering_capacity_warns_and_bumps_nobody(app, client, submit, make_event, organiser):
    event_id = make_event(capacity=2, **upcoming())
    first = _register(app, event_id, "jonas@bi.no")
    second = _register(app, event_id, "sara@gmail.com")

    edit = f"/organiser/events/{event_id}/edit"
    values = form_values(client.get(edit).get_data(as_text=True), "/edit")
    values["capacity"] = "1"
    response = client.post(edit, data=values)
    assert response.status_code == 302
    page = _text(client.get(response.location).get_data(as_text=True))
    assert "Arrangementet er lagret." in page
    assert "Plasser i bruk utover den nye kapasiteten: 1. Ingen har mistet plassen sin" in page
    with app.app_context():
        assert db.session.get(Event, event_id).capacity == 1
        for reg_id in (first, second):
            assert db.session.get(Registration, reg_id).state == State.CONFIRMED

    # Raising it again warns nobody; the times were not shifted by saving the form.
    before = _event(app, event_id)
    values["capacity"] = "5"
    response = client.post(edit, data=values)
    assert "utover den nye kapasiteten" not in _text(
        client.get(response.location).get_data(as_text=True)
    )
    after = _event(app, event_id)
    assert after.starts_at == before.starts_at and after.sequence == before.sequence


def test_publish_then_cancel_after_confirmation(app, client, submit, make_event, organiser, smtp):
    event_id = make_event(title="Kurs i veiledning", status="draft", **upcoming())
    response = submit(
        f"/organiser/events/{event_id}/publish", {}, page=f"/organiser/events/{event_id}/edit"
    )
    assert response.status_code == 302
    assert _event(app, event_id).status == EventStatus.published
    reg_id = _register(app, event_id, "jonas@bi.no")

    confirm = client.get(f"/organiser/events/{event_id}/cancel")
    assert confirm.status_code == 200
    text = _text(confirm.get_data(as_text=True))
    assert "Avlyse Kurs i veiledning?" in text and "Påmeldinger som blir avbestilt: 1" in text
    assert _event(app, event_id).status == EventStatus.published  # asking changes nothing

    response = submit(f"/organiser/events/{event_id}/cancel", {})
    assert response.status_code == 302
    assert _event(app, event_id).status == EventStatus.cancelled
    with app.app_context():
        assert db.session.get(Registration, reg_id).state == State.CANCELLED
    assert smtp.last_to("jonas@bi.no")["Subject"].startswith("Avlyst")

    client.delete_cookie("session")
    page = _text(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "Dette arrangementet er avlyst." in page


def test_publishing_an_incomplete_draft_names_the_missing_field(app, submit, make_event, organiser):
    event_id = make_event(
        status="draft", format="hybrid", online_url="", venue="Aulaen", **upcoming()
    )
    response = submit(
        f"/organiser/events/{event_id}/publish", {}, page=f"/organiser/events/{event_id}/edit"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Arrangementet kan ikke publiseres ennå." in page
    assert "Skriv inn lenken" in page
    assert _event(app, event_id).status == EventStatus.draft


def test_csrf_is_required_for_publishing(client, make_event, organiser):
    event_id = make_event(status="draft", **upcoming())
    assert client.post(f"/organiser/events/{event_id}/publish").status_code == 400


def test_english_on_request(client, submit, make_event):
    event_id = make_event(fee=75000, **upcoming())
    submit("/language", {"lang": "en", "next": "/"}, page="/")
    page = _text(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "places free" in page and "NOK 750.00 · free for owner staff" in page


def test_a_registration_keeps_its_tier_on_the_page_after_verifying(
    app, client, login, make_event, make_user, network, submit
):
    """Registered as tier 2 with an unverified owner address, then verified: the page
    shows the fee the registration owes, and how to get priority, not 'free'."""
    from eventsys.auth.models import User

    event_id = make_event(capacity=3, fee=75000, **upcoming())
    make_user("kari@uib.no", name="Kari", verified=False)
    login("kari@uib.no")
    submit(
        f"/events/{event_id}/register",
        {"dietary_needs": "", "accessibility_needs": ""},
        page=f"/events/{event_id}",
    )
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "kari@uib.no"))
        user.email_verified_at = datetime.now(UTC)
        database.commit()
    page = _text(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert "Betal avgiften på kr 750,00 innen" in page
    assert "Be sekretariatet bekrefte tilknytningen din" in page


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "0001-01", "2027-13"])
def test_impossible_months_are_a_clear_error(client, month):
    response = client.get(f"/events?month={month}")
    assert response.status_code == 422


def test_raising_capacity_says_who_gets_an_offer_before_and_after(
    app, client, make_event, organiser, smtp
):
    event_id = make_event(capacity=1, **upcoming())
    _register(app, event_id, "jonas@bi.no")
    sara = _register(app, event_id, "sara@gmail.com")
    per = _register(app, event_id, "per@gmail.com")
    mails_before = len(smtp.messages)

    edit = f"/organiser/events/{event_id}/edit"
    values = form_values(client.get(edit).get_data(as_text=True), "/edit")
    values["capacity"] = "3"
    first = client.post(edit, data=values)
    assert first.status_code == 200  # nothing saved yet: first see what will happen
    page = _text(first.get_data(as_text=True))
    assert "Ingenting er lagret ennå" in page
    assert "vil 2 på ventelisten få tilbud om plass på e-post" in page
    assert "sara" in page and "per" in page
    assert _event(app, event_id).capacity == 1
    with app.app_context():
        assert db.session.get(Registration, sara).state == State.WAITLISTED
    assert len(smtp.messages) == mails_before

    confirmed = form_values(first.get_data(as_text=True), "/edit")
    assert confirmed["confirm_capacity"] == "1" and confirmed["capacity"] == "3"
    response = client.post(edit, data=confirmed)
    assert response.status_code == 302
    page = _text(client.get(response.location).get_data(as_text=True))
    assert "Arrangementet er lagret." in page
    assert "Tilbud sendt på e-post til 2 på ventelisten: sara, per." in page
    with app.app_context():
        for reg_id in (sara, per):
            assert db.session.get(Registration, reg_id).state == State.OFFERED
