"""Issue 13, points 1-5a, through the pages a participant uses: the next step where the
person is (pay now, on the event page), add to calendar, one true sentence per state,
money back on cancelling, and changing needs after registering."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import client_of, csrf_token, upcoming
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration, RegistrationLog


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _post(client, url, data=None, page=None):
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _vouched(app, event_id, email, **kw):
    with app.app_context():
        reg = reg_ops.register(
            event_id,
            reg_ops.Person(email=email, name=email.split("@")[0], vouched=True),
            None,
            **kw,
        )
        database.commit()
        return reg.id


def _reg(app, email) -> Registration:
    with app.app_context():
        reg = db.session.scalar(
            select(Registration).where(Registration.email == email).order_by(Registration.id.desc())
        )
        db.session.expunge(reg)
        return reg


@pytest.fixture
def jonas(app, make_user, network):
    make_user("jonas@bi.no", name="Jonas Lie")
    return client_of(app, "jonas@bi.no")


# --- 1. the next step where the person is ----------------------------------------------


def test_after_registering_for_a_paid_event_the_event_page_offers_payment(
    app, make_event, jonas, fake_stripe
):
    event_id = make_event(capacity=5, payment_days=7, **upcoming())
    response = _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    page = _page(jonas, response.location)
    reg = _reg(app, "jonas@bi.no")
    text = _text(page)
    assert "Neste steg: betal avgiften" in text
    assert "Betal avgiften på kr 750,00 innen" in text  # with the deadline
    assert f'action="/registrations/{reg.id}/pay/card"' in page
    assert "Betal kr 750,00 med kort" in text
    assert f'href="/registrations/{reg.id}/pay#invoice-heading"' in page
    assert "Velg faktura" in text


def test_the_pay_box_goes_once_the_fee_is_invoiced(app, make_event, jonas):
    event_id = make_event(capacity=5, **upcoming())
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    reg = _reg(app, "jonas@bi.no")
    response = _post(
        jonas,
        f"/registrations/{reg.id}/pay/invoice",
        {"org_number": "974767880", "reference": "Ref 1", "recipient_email": "faktura@bi.no"},
        page=f"/registrations/{reg.id}/pay",
    )
    assert response.status_code == 302
    text = _text(_page(jonas, f"/events/{event_id}"))
    assert "Neste steg: betal avgiften" not in text
    assert "Du har valgt faktura for avgiften på kr 750,00" in text


# --- 2. add to calendar --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_add_to_calendar_on_the_event_page_and_my_registrations(app, make_event, jonas, lang):
    event_id = make_event(capacity=5, **upcoming())
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    for url in (f"/events/{event_id}?lang={lang}", f"/account/registrations?lang={lang}"):
        page = _page(jonas, url)
        assert f'href="/events/{event_id}.ics"' in page
        assert 'href="/account/calendar"' in page
        assert "<details" in page and "Outlook" in page and "Google" in page and "Apple" in page
    event_page = _text(_page(jonas, f"/events/{event_id}?lang={lang}"))
    assert ("Legg til i kalenderen" if lang == "nb" else "Add to calendar") in event_page
    ics = jonas.get(f"/events/{event_id}.ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.data
    assert "Outlook" in _page(jonas, "/account/calendar")  # the feed page says how too


def test_anonymous_visitors_get_the_ics_file_but_no_private_feed(client, make_event):
    event_id = make_event(**upcoming())
    page = _page(client, f"/events/{event_id}")
    assert f'href="/events/{event_id}.ics"' in page
    assert "/account/calendar" not in page


# --- 3. one true sentence per state ------------------------------------------------------


def test_a_full_event_says_the_button_puts_you_on_the_waiting_list(app, make_event, jonas):
    event_id = make_event(capacity=1, **upcoming())
    page = _text(_page(jonas, f"/events/{event_id}"))
    assert "Meld meg på" in page and "Sett meg på venteliste" not in page
    _vouched(app, event_id, "sara@gmail.com")
    page = _text(_page(jonas, f"/events/{event_id}"))
    assert "Sett meg på venteliste" in page
    assert "Den eneste plassen er tatt" in page
    assert "Avgiften på kr 750,00 skal bare betales hvis du får plass." in page


def test_waitlisted_people_see_the_fee_only_if_they_get_a_place(app, make_event, jonas):
    event_id = make_event(capacity=1, **upcoming())
    _vouched(app, event_id, "sara@gmail.com")
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    for url in (f"/events/{event_id}", "/account/registrations"):
        text = _text(_page(jonas, url))
        assert "Du er nummer 1 på ventelisten" in text
        assert "Avgiften på kr 750,00 skal bare betales hvis du får plass." in text
        assert "Betal avgiften" not in text and "Avgift å betale" not in text


def test_the_priority_window_explains_free_places_beside_people_waiting(app, make_event, jonas):
    deadline = datetime.now(UTC) + timedelta(days=5)
    event_id = make_event(capacity=25, **upcoming(priority_deadline=deadline))
    for i in range(4):
        _vouched(app, event_id, f"p{i}@gmail.com")  # tier 2: pending
    text = _text(_page(jonas, f"/events/{event_id}"))
    assert "25 av 25 plasser ledige" in text
    assert "De 4 andre som har meldt seg på så langt, får svar da" in text
    assert "4 venter" not in text
    assert "Meld deg på før" in text  # Jonas (tier 2) is told he gets an answer then


def test_the_cancel_page_warns_about_the_waiting_list_only_when_someone_waits(
    app, make_event, jonas
):
    event_id = make_event(capacity=2, fee=0, **upcoming())
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    reg = _reg(app, "jonas@bi.no")
    text = _text(_page(jonas, f"/account/registrations/{reg.id}/cancel"))
    assert "Plassen din blir ledig" in text
    assert "sist på ventelisten" not in text

    _vouched(app, event_id, "sara@gmail.com")
    _vouched(app, event_id, "per@gmail.com")  # waits
    text = _text(_page(jonas, f"/account/registrations/{reg.id}/cancel"))
    assert "Plassen din går til neste på ventelisten" in text
    assert "sist på ventelisten" in text


def test_a_pending_registration_is_told_when_it_gets_its_answer(app, make_event, jonas):
    deadline = datetime.now(UTC) + timedelta(days=5)
    event_id = make_event(capacity=25, **upcoming(priority_deadline=deadline))
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    text = _text(_page(jonas, "/account/registrations"))
    assert "Du får svar" in text and "Du er nummer 1 i køen" in text
    reg = _reg(app, "jonas@bi.no")
    text = _text(_page(jonas, f"/account/registrations/{reg.id}/cancel"))
    assert "Du går ut av køen for plassene som deles ut" in text


# --- 4. money back on cancelling ---------------------------------------------------------


def _paid_by_card(app, client, jonas, fake_stripe, event_id):
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    reg = _reg(app, "jonas@bi.no")
    response = _post(jonas, f"/registrations/{reg.id}/pay/card", page=f"/events/{event_id}")
    session_id = response.location.rstrip("/").rsplit("/", 1)[-1]
    fake_stripe.pay(session_id)
    jonas.get(f"/payments/return?session_id={session_id}")
    return reg


def test_cancelling_a_card_payment_says_how_much_comes_back_and_when(
    app, client, make_event, jonas, fake_stripe, smtp
):
    event_id = make_event(
        capacity=5, cancellation_deadline=datetime.now(UTC) + timedelta(days=10), **upcoming()
    )
    reg = _paid_by_card(app, client, jonas, fake_stripe, event_id)
    listed = _text(_page(jonas, "/account/registrations"))
    assert "Avgiften på kr 750,00 er betalt. Avbestiller du før" in listed

    before = _text(_page(jonas, f"/account/registrations/{reg.id}/cancel"))
    assert "Du får hele beløpet på kr 750,00 tilbake til kortet du betalte med" in before
    assert "5–10 virkedager" in before

    response = _post(jonas, f"/account/registrations/{reg.id}/cancel")
    after = _text(_page(jonas, response.location))
    assert "er avbestilt. kr 750,00 blir refundert til kortet du betalte med" in after
    assert "5–10 virkedager" in after  # the flash, and the list of earlier registrations
    assert after.count("kr 750,00 blir refundert") == 2

    mail = smtp.body(smtp.last_to("jonas@bi.no"))
    assert "kr 750,00 blir refundert til kortet du betalte med" in mail
    assert "5–10 virkedager" in mail
    fake_stripe.flush()
    assert [r["amount"] for r in fake_stripe.objects("refund")] == [75000]


def test_cancelling_an_invoiced_fee_says_it_is_credited(app, make_event, jonas, smtp):
    event_id = make_event(capacity=5, **upcoming())
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    reg = _reg(app, "jonas@bi.no")
    _post(
        jonas,
        f"/registrations/{reg.id}/pay/invoice",
        {"org_number": "974767880", "reference": "Ref 1", "recipient_email": "faktura@bi.no"},
        page=f"/registrations/{reg.id}/pay",
    )
    before = _text(_page(jonas, f"/account/registrations/{reg.id}/cancel"))
    assert "Fakturaen på kr 750,00 krediteres med en kreditnota" in before
    response = _post(jonas, f"/account/registrations/{reg.id}/cancel")
    assert "kreditert med en kreditnota" in _text(_page(jonas, response.location))
    assert "kreditert med en kreditnota" in smtp.body(smtp.last_to("jonas@bi.no"))


def test_after_the_cancellation_deadline_nothing_comes_back_and_the_page_says_so(
    app, make_event, jonas
):
    event_id = make_event(
        capacity=5, cancellation_deadline=datetime.now(UTC) + timedelta(days=10), **upcoming()
    )
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    reg = _reg(app, "jonas@bi.no")
    _post(
        jonas,
        f"/registrations/{reg.id}/pay/invoice",
        {"org_number": "974767880", "reference": "Ref 1", "recipient_email": "faktura@bi.no"},
        page=f"/registrations/{reg.id}/pay",
    )
    with app.app_context():
        from eventsys.events.models import Event

        db.session.get(Event, event_id).cancellation_deadline = datetime.now(UTC) - timedelta(
            hours=1
        )
        database.commit()
    page = _page(jonas, f"/account/registrations/{reg.id}/cancel")
    text = _text(page)
    assert "Avbestillingsfristen" in text and "fakturaen på kr 750,00 må fortsatt betales" in text
    assert f'href="/registrations/{reg.id}/transfer"' in page


# --- 5a. needs can be changed after registering -----------------------------------------


def test_needs_can_be_changed_after_registering_with_the_same_rules(app, make_event, jonas):
    event_id = make_event(capacity=5, **upcoming())
    _post(
        jonas, f"/events/{event_id}/register", {"dietary_needs": "Vegetar"}, f"/events/{event_id}"
    )
    reg = _reg(app, "jonas@bi.no")
    url = f"/account/registrations/{reg.id}/needs"
    assert f'href="{url}"' in _page(jonas, f"/events/{event_id}")
    assert f'href="{url}"' in _page(jonas, "/account/registrations")
    form = _page(jonas, url)
    assert "Vegetar" in form and "slettes 30 dager etter arrangementet" in _text(form)

    too_long = _post(jonas, url, {"dietary_needs": "x" * 2001})
    assert too_long.status_code == 422
    assert 'aria-describedby="dietary_needs-hint dietary_needs-error"' in too_long.get_data(
        as_text=True
    )
    assert _reg(app, "jonas@bi.no").dietary_needs == "Vegetar"

    saved = _post(jonas, url, {"dietary_needs": " Glutenfri ", "accessibility_needs": "Rullestol"})
    assert saved.status_code == 302
    assert "Behovene dine for" in _text(_page(jonas, saved.location))
    reg = _reg(app, "jonas@bi.no")
    assert (reg.dietary_needs, reg.accessibility_needs) == ("Glutenfri", "Rullestol")
    with app.app_context():
        log = db.session.scalar(
            select(RegistrationLog).where(RegistrationLog.action == "needs_changed")
        )
        assert log is not None and "Glutenfri" not in log.reason  # no health data in logs


def test_needs_cannot_be_changed_by_others_or_after_the_event(app, make_event, jonas, make_user):
    event_id = make_event(capacity=5, **upcoming())
    _post(jonas, f"/events/{event_id}/register", page=f"/events/{event_id}")
    reg = _reg(app, "jonas@bi.no")
    make_user("sara@gmail.com", name="Sara")
    sara = client_of(app, "sara@gmail.com")
    assert sara.get(f"/account/registrations/{reg.id}/needs").status_code == 404
    with app.app_context():
        reg_ops.cancel(reg.id, None)
        database.commit()
    response = jonas.get(f"/account/registrations/{reg.id}/needs")
    assert response.status_code == 302
    assert "bare endres for en aktiv påmelding" in _text(_page(jonas, response.location))
