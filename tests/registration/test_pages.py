"""Registration pages as people use them: a participant registers, follows their place
on the waiting list, answers an offer and cancels; organisers work the participant list,
export it and e-mail the confirmed participants."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_token, upcoming
from openpyxl import load_workbook
from sqlalchemy import func, select

from eventsys import database
from eventsys.extensions import db
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration, RegistrationLog
from eventsys.registration.rules import State

PASSWORD = "riktig-passord-1"


class Browser:
    """One person's browser: their own session cookie, forms sent with the page's token."""

    def __init__(self, app, email=None):
        self.client = app.test_client()
        if email:
            response = self.post("/login", {"email": email, "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, url):
        return self.client.get(url)

    def page(self, url) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def text(self, url) -> str:
        return _text(self.page(url))

    def post(self, url, data, page=None):
        token = csrf_token(self.client.get(page or url).get_data(as_text=True))
        return self.client.post(url, data={"csrf_token": token, **data})

    def follow(self, response) -> str:
        assert response.status_code == 302, response.get_data(as_text=True)
        return _text(self.client.get(response.location).get_data(as_text=True))


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def person(app, make_user):
    def make(email, name=None, role="participant"):
        make_user(email, name=name or email.split("@")[0].title(), role=role)
        return Browser(app, email)

    return make


@pytest.fixture
def organiser(person):
    return person("arrangor@nettverket.no", "Arrangøren", role="organiser")


def _reg(app, email) -> Registration:
    with app.app_context():
        reg = db.session.scalar(
            select(Registration).where(Registration.email == email).order_by(Registration.id.desc())
        )
        db.session.expunge(reg)
        return reg


def _register(app, event_id, email, name="", **kw):
    with app.app_context():
        reg = reg_ops.register(
            event_id,
            reg_ops.Person(email=email, name=name or email.split("@")[0], vouched=True),
            None,
            **kw,
        )
        database.commit()
        return reg.id


def test_participant_registers_follows_the_queue_accepts_an_offer_and_cancels(
    app, make_event, person, network, smtp
):
    event_id = make_event(title="Seminar om gjennomføring", capacity=1, **upcoming())
    jonas = person("jonas@bi.no", "Jonas Lie")
    sara = person("sara@gmail.com", "Sara Ahmed")

    text = jonas.follow(
        jonas.post(
            f"/events/{event_id}/register", {"dietary_needs": "Vegetar"}, page=f"/events/{event_id}"
        )
    )
    assert "Plassen din er bekreftet. Deltakeravgiften er kr 750,00" in text
    assert _reg(app, "jonas@bi.no").dietary_needs == "Vegetar"
    assert "Plassen din er bekreftet" in smtp.last_to("jonas@bi.no")["Subject"]

    text = sara.follow(sara.post(f"/events/{event_id}/register", {}, page=f"/events/{event_id}"))
    assert "du står på ventelisten som nummer 1" in text
    mine = sara.text("/account/registrations")
    assert "Seminar om gjennomføring" in mine and "Du er nummer 1 på ventelisten" in mine
    assert "Avgiften på kr 750,00 skal bare betales hvis du får plass." in mine

    # Registering twice is refused with a message, not an error page.
    again = sara.post(f"/events/{event_id}/register", {}, page=f"/events/{event_id}")
    assert "Du er allerede påmeldt dette arrangementet." in sara.follow(again)

    # Jonas cancels after a confirmation step; the seat is offered to Sara.
    jonas_reg = _reg(app, "jonas@bi.no")
    confirm = jonas.text(f"/account/registrations/{jonas_reg.id}/cancel")
    assert "Avbestille påmeldingen din?" in confirm
    assert _reg(app, "jonas@bi.no").state == State.CONFIRMED  # asking changed nothing
    text = jonas.follow(jonas.post(f"/account/registrations/{jonas_reg.id}/cancel", {}))
    assert "Påmeldingen din til Seminar om gjennomføring er avbestilt." in text
    assert "Avbestilt" in jonas.text("/account/registrations")

    sara_reg = _reg(app, "sara@gmail.com")
    assert sara_reg.state == State.OFFERED
    page = sara.page("/account/registrations")
    assert "En plass er ledig for deg. Takk ja innen" in _text(page)
    assert f'action="/account/registrations/{sara_reg.id}/accept"' in page
    text = sara.follow(
        sara.post(f"/account/registrations/{sara_reg.id}/accept", {}, page="/account/registrations")
    )
    assert _reg(app, "sara@gmail.com").state == State.CONFIRMED
    assert "Bekreftet" in sara.text("/account/registrations")
    event_page = sara.text(f"/events/{event_id}")
    assert "Status: Bekreftet" in event_page and "Betal avgiften på kr 750,00 innen" in event_page

    # Nobody else can act on Sara's registration.
    assert (
        jonas.post(f"/account/registrations/{sara_reg.id}/cancel", {}, page="/").status_code == 404
    )


def test_declining_an_offer_passes_the_place_on(app, make_event, person, network):
    event_id = make_event(capacity=1, **upcoming())
    first = _register(app, event_id, "ola@gmail.com")
    _register(app, event_id, "sara@gmail.com")
    _register(app, event_id, "per@gmail.com")
    with app.app_context():
        reg_ops.cancel(first, None)
        database.commit()
    sara = person("sara@gmail.com")
    sara_reg = _reg(app, "sara@gmail.com")
    text = sara.follow(sara.post(f"/account/registrations/{sara_reg.id}/decline", {}, page="/"))
    assert "Du har takket nei til plassen." in text
    assert _reg(app, "per@gmail.com").state == State.OFFERED


def test_registration_outside_the_window_is_refused_with_a_message(
    app, make_event, person, network
):
    now = datetime.now(UTC)
    event_id = make_event(**upcoming(registration_opens_at=now + timedelta(days=2)))
    jonas = person("jonas@bi.no")
    assert "Påmeldingen åpner" in jonas.text(f"/events/{event_id}")
    text = jonas.follow(jonas.post(f"/events/{event_id}/register", {}, page="/"))
    assert "Påmeldingen til dette arrangementet er stengt." in text
    with app.app_context():
        assert db.session.scalar(select(Registration)) is None


def test_too_long_needs_are_shown_on_the_event_page(app, make_event, person, network):
    event_id = make_event(**upcoming())
    jonas = person("jonas@bi.no")
    response = jonas.post(
        f"/events/{event_id}/register", {"dietary_needs": "x" * 2001}, page=f"/events/{event_id}"
    )
    assert response.status_code == 422
    assert 'aria-describedby="dietary_needs-hint dietary_needs-error"' in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(Registration)) is None


def test_owner_staff_register_free_and_pending_during_the_priority_window(
    app, make_event, person, network
):
    now = datetime.now(UTC)
    event_id = make_event(capacity=5, **upcoming(priority_deadline=now + timedelta(days=5)))
    kari = person("kari@uib.no")
    text = kari.follow(kari.post(f"/events/{event_id}/register", {}, page="/"))
    assert "Plassen din er bekreftet, og deltakelsen er gratis for deg." in text
    assert "Gratis for ansatte hos eier." in kari.text("/account/registrations")

    jonas = person("jonas@bi.no")
    text = jonas.follow(jonas.post(f"/events/{event_id}/register", {}, page="/"))
    assert "Ansatte hos eierne har prioritet fram til" in text
    assert "Venter på prioritetsfristen" in jonas.text("/account/registrations")


def test_participant_list_is_for_organisers_only(app, make_event, person, organiser):
    event_id = make_event(**upcoming())
    _register(app, event_id, "jonas@bi.no", name="Jonas Lie", dietary_needs="Glutenfri")
    url = f"/organiser/events/{event_id}/participants"

    assert Browser(app).get(url).status_code == 302  # to the login page
    participant = person("sara@gmail.com")
    for path in ("", ".csv", ".xlsx"):
        assert participant.get(url + path).status_code == 403
    response = participant.post(url + "/message", {"subject": "x", "message": "y"}, page="/")
    assert response.status_code == 403

    page = organiser.page(url)
    text = _text(page)
    assert "Jonas Lie" in text and "jonas@bi.no" in text and "Glutenfri" in text
    assert '<th scope="col"' in page and "<caption" in page


def test_register_someone_on_their_behalf_with_fee_waived_and_override(
    app, make_event, organiser, network, smtp
):
    event_id = make_event(capacity=1, **upcoming())
    _register(app, event_id, "jonas@bi.no")
    url = f"/organiser/events/{event_id}/participants"

    response = organiser.post(
        url + "/register",
        {
            "name": "Ola Innleder",
            "email": "ola@gmail.com",
            "dietary_needs": "Ingen nøtter",
            "locale": "nb",
            "waive_fee": "y",
            "override": "y",
        },
        page=url,
    )
    text = organiser.follow(response)
    assert "Ola Innleder har bekreftet plass." in text
    assert "Plassen går utover arrangementets kapasitet." in text
    ola = _reg(app, "ola@gmail.com")
    assert ola.state == State.CONFIRMED and ola.fee_waived and ola.over_capacity
    assert ola.registered_by_id is not None
    assert "Plassen din er bekreftet" in smtp.last_to("ola@gmail.com")["Subject"]
    assert "utover kapasiteten" in text and "frafalt" in text

    # An address at an owner counts as verified when an organiser gives it.
    response = organiser.post(
        url + "/register", {"name": "Kari", "email": "kari@uib.no", "locale": "nb"}, page=url
    )
    organiser.follow(response)
    kari = _reg(app, "kari@uib.no")
    assert kari.tier == 1 and kari.state == State.WAITLISTED

    # Invalid input and a second registration of the same person are shown on the form.
    bad = organiser.post(url + "/register", {"name": "", "email": "ikke-epost"}, page=url)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Skriv inn personens navn." in page and "Skriv inn en gyldig e-postadresse" in page
    twice = organiser.post(
        url + "/register", {"name": "Ola", "email": "OLA@gmail.com", "locale": "nb"}, page=url
    )
    assert twice.status_code == 422
    assert "Denne personen er allerede påmeldt arrangementet." in twice.get_data(as_text=True)


def test_organiser_waives_a_fee_with_a_reason(app, make_event, organiser, network):
    event_id = make_event(**upcoming())
    reg_id = _register(app, event_id, "jonas@bi.no", name="Jonas")
    url = f"/organiser/events/{event_id}/participants"
    page = organiser.page(url)
    assert f'action="{url}/{reg_id}/waive-fee"' in page
    assert f'<label for="reg{reg_id}-reason">' in page

    text = organiser.follow(
        organiser.post(f"{url}/{reg_id}/waive-fee", {f"reg{reg_id}-reason": "Innleder"}, page=url)
    )
    assert "Avgiften er frafalt for Jonas." in text
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        assert reg.fee_waived and reg_ops.fee_due(reg.event, reg) == 0
        log = db.session.scalar(
            select(RegistrationLog).where(RegistrationLog.action == "waive_fee")
        )
        assert log.reason == "Innleder"
    assert f'action="{url}/{reg_id}/waive-fee"' not in organiser.page(url)


def test_move_on_the_waiting_list_needs_a_reason_and_is_logged(app, make_event, organiser, network):
    event_id = make_event(capacity=0, **upcoming())
    first = _register(app, event_id, "jonas@bi.no", name="Jonas")
    second = _register(app, event_id, "sara@gmail.com", name="Sara")
    url = f"/organiser/events/{event_id}/participants"
    move = f"{url}/{second}/move"

    # The list links to a move page of its own for each waiting person.
    assert f'href="{move}"' in organiser.page(url)
    page = organiser.text(move)
    assert "Flytt Sara på ventelisten" in page and "nummer 2 på ventelisten" in page
    assert "1. Jonas" in page  # whom Sara can be moved before

    response = organiser.post(move, {f"reg{second}-before": str(first)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Oppgi en grunn for flyttingen." in page
    assert 'class="error-summary"' in page
    with app.app_context():
        assert reg_ops.positions(event_id) == {first: 1, second: 2}

    text = organiser.follow(
        organiser.post(
            move,
            {f"reg{second}-before": str(first), f"reg{second}-reason": "Innleder på seminaret"},
        )
    )
    assert "Sara er flyttet på ventelisten." in text
    with app.app_context():
        assert reg_ops.positions(event_id) == {second: 1, first: 2}
        log = db.session.scalar(select(RegistrationLog).where(RegistrationLog.action == "move"))
        assert log.reason == "Innleder på seminaret" and log.registration_id == second
        assert log.actor.email == "arrangor@nettverket.no"
    # Jonas, now behind Sara in the same tier, can be moved in turn.
    assert organiser.client.get(f"{url}/{first}/move").status_code == 200


def test_the_participant_list_grows_with_the_list_not_with_its_square(
    app, make_event, organiser, network
):
    """A move select per waiting row offered the whole waiting list: 500 waiting meant
    250 000 options. Each row now links to its move page."""
    sizes, options = {}, {}
    for count in (20, 80):
        event_id = make_event(capacity=0, **upcoming())
        for n in range(count):
            _register(app, event_id, f"venter{n}@gmail.com", name=f"Venter {n}")
        page = organiser.page(f"/organiser/events/{event_id}/participants")
        assert "-before" not in page  # no move select in the list
        sizes[count], options[count] = len(page), page.count("<option")
    # Four times the rows: about four times the page (it was sixteen).
    assert sizes[80] / sizes[20] < 4.5, sizes
    assert options[80] / options[20] < 4.5, options


def test_organiser_confirms_an_affiliation(app, make_event, organiser, network):
    event_id = make_event(capacity=0, **upcoming())
    reg_id = _register(app, event_id, "kari.nordmann@gmail.com", name="Kari")
    with app.app_context():
        from eventsys.organisations.models import Organisation

        uib = db.session.scalar(
            select(Organisation.id).where(Organisation.name == "Universitetet i Bergen")
        )
    url = f"/organiser/events/{event_id}/participants"
    page = organiser.page(url)
    assert "Handelshøyskolen BI" not in page.split(f'id="reg{reg_id}-organisation"')[1][:500]
    text = organiser.follow(
        organiser.post(
            f"{url}/{reg_id}/affiliation", {f"reg{reg_id}-organisation": str(uib)}, page=url
        )
    )
    assert "Kari er bekreftet som ansatt ved Universitetet i Bergen og har prioritet." in text
    reg = _reg(app, "kari.nordmann@gmail.com")
    assert reg.tier == 1 and reg.tier_reason == "confirmed" and reg.organisation_id == uib


def test_organiser_cancels_a_registration_after_confirming(app, make_event, organiser, network):
    event_id = make_event(capacity=1, **upcoming())
    first = _register(app, event_id, "jonas@bi.no", name="Jonas")
    _register(app, event_id, "sara@gmail.com", name="Sara")
    url = f"/organiser/events/{event_id}/participants"
    assert "Avbestille påmeldingen til Jonas?" in organiser.text(f"{url}/{first}/cancel")
    text = organiser.follow(organiser.post(f"{url}/{first}/cancel", {}))
    assert "Påmeldingen til Jonas er avbestilt." in text
    assert _reg(app, "jonas@bi.no").state == State.CANCELLED
    assert _reg(app, "sara@gmail.com").state == State.OFFERED


def test_exports_have_the_needs_in_csv_for_excel_and_in_xlsx(app, make_event, organiser, network):
    event_id = make_event(**upcoming())
    _register(
        app,
        event_id,
        "jonas@bi.no",
        name="Jonas Lie",
        dietary_needs="Vegetar; ingen nøtter",
        accessibility_needs="Teleslynge",
    )
    _register(app, event_id, "sara@gmail.com", name='=HYPERLINK("x")', dietary_needs="=1+1")
    url = f"/organiser/events/{event_id}/participants"

    response = organiser.get(url + ".csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads æøå
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, jonas, sara = rows[0], rows[1], rows[2]
    assert header[0] == "Navn" and "Behov for spesialkost" in header
    diet = header.index("Behov for spesialkost")
    assert jonas[diet] == "Vegetar; ingen nøtter"
    assert jonas[header.index("Behov for tilrettelegging")] == "Teleslynge"
    assert jonas[header.index("Avgift å betale (NOK)")] == "750,00"
    # Participants' text never becomes a spreadsheet formula.
    assert sara[0].startswith("'=") and sara[diet] == "'=1+1"

    response = organiser.get(url + ".xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    diet = values[0].index("Behov for spesialkost")
    assert values[1][0] == "Jonas Lie" and values[1][diet] == "Vegetar; ingen nøtter"
    assert values[1][values[0].index("Avgift å betale (NOK)")] == 750
    assert sheet.cell(row=3, column=diet + 1).data_type == "s"


def test_email_to_confirmed_participants_only(app, make_event, organiser, network, smtp):
    event_id = make_event(capacity=1, title="Workshop om veiledning", **upcoming())
    _register(app, event_id, "jonas@bi.no", name="Jonas")
    _register(app, event_id, "sara@gmail.com", name="Sara")  # on the waiting list
    url = f"/organiser/events/{event_id}/participants"
    assert "Bekreftede deltakere som får meldingen: 1." in organiser.text(url)

    bad = organiser.post(url + "/message", {"subject": "", "message": ""}, page=url)
    assert bad.status_code == 422 and "Skriv inn et emne." in bad.get_data(as_text=True)

    text = organiser.follow(
        organiser.post(
            url + "/message",
            {
                "subject": "Program for dagen",
                "message": "Vi starter presis kl. 09:00.",
                "confirm": "1",
            },
            page=url,
        )
    )
    assert "E-poster sendt til bekreftede deltakere: 1." in text
    message = smtp.last_to("jonas@bi.no")
    assert message["Subject"] == "Program for dagen"
    body = smtp.body(message)
    assert "Hei Jonas," in body and "Vi starter presis kl. 09:00." in body
    assert "Workshop om veiledning" in body
    assert all(m["Subject"] != "Program for dagen" for m in smtp.to("sara@gmail.com"))


def test_nav_links_for_participants_and_organisers(app, person, organiser):
    participant = person("sara@gmail.com")
    page = participant.page("/account/registrations")
    assert 'href="/account/registrations">Mine påmeldinger' in page
    assert "/organiser/events" not in page
    assert 'href="/organiser/events">Arrangementer' in organiser.page("/")


def test_organiser_marks_attendance_after_the_start(
    app, client, submit, make_user, login, make_event
):
    now = datetime.now(UTC)
    event_id = make_event(
        capacity=5,
        fee=0,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        registration_opens_at=now - timedelta(days=10),
        registration_closes_at=now - timedelta(days=1),
    )
    with app.app_context():
        came = reg_ops.register(
            event_id,
            reg_ops.Person(email="a@gmail.com", name="Anne", vouched=True),
            None,
            now=now - timedelta(days=5),
        ).id
        away = reg_ops.register(
            event_id,
            reg_ops.Person(email="b@gmail.com", name="Bjørn", vouched=True),
            None,
            now=now - timedelta(days=5),
        ).id
        database.commit()
    make_user("ola@nettverket.no", password=PASSWORD, role="organiser")
    login("ola@nettverket.no", PASSWORD)
    page = f"/organiser/events/{event_id}/participants"
    assert "Møtte" in client.get(page).get_data(as_text=True)
    for reg_id, value in ((came, "attended"), (away, "no_show")):
        response = submit(
            f"/organiser/events/{event_id}/participants/{reg_id}/attendance",
            {"attendance": value},
            page=page,
        )
        assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Registration, came).state == State.ATTENDED
        assert db.session.get(Registration, away).state == State.NO_SHOW
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(RegistrationLog)
                .where(RegistrationLog.action == "attendance")
            )
            == 2
        )


def test_organiser_deletes_a_draft_but_not_a_published_event(
    app, client, submit, make_user, login, make_event
):
    from eventsys.events.models import Event

    draft = make_event(status="draft", **upcoming())
    published = make_event(**upcoming())
    make_user("ola@nettverket.no", password=PASSWORD, role="organiser")
    login("ola@nettverket.no", PASSWORD)
    response = submit(f"/organiser/events/{draft}/delete", {})
    assert response.status_code == 302
    refused = client.get(f"/organiser/events/{published}/delete")
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Event, draft) is None
        assert db.session.get(Event, published) is not None
