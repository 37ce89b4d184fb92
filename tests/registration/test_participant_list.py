"""The organisers' participant list: five columns instead of eleven, filters that work
without JavaScript, the payment stage of each person in words, and who came."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import csrf_token, upcoming

from eventsys import database
from eventsys.extensions import db
from eventsys.payments.models import PaymentMethod, PaymentStatus
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration

PASSWORD = "riktig-passord-1"


def _rows(html: str) -> dict[str, str]:
    """Each participant row's text, by the person's name."""
    rows = {}
    for row in re.findall(r'<tr id="reg-\d+".*?</tr>', html, flags=re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
        rows[text.split(" ")[0]] = text
    return rows


@pytest.fixture
def organiser(client, make_user, login):
    make_user("ola@nettverket.no", password=PASSWORD, role="organiser")
    login("ola@nettverket.no", PASSWORD)
    return client


@pytest.fixture
def paying_event(app, network, make_event):
    event_id = make_event(capacity=10, fee=75000, **upcoming())
    people = {
        "Kari": ("kari@uib.no", "", ""),
        "Carl": ("carl@gmail.com", "Vegetar", ""),
        "Ivar": ("ivar@gmail.com", "", "Rullestol"),
        "Wenche": ("wenche@gmail.com", "", ""),
        "Ulla": ("ulla@gmail.com", "Nøtteallergi", ""),
    }
    ids = {}
    with app.app_context():
        for name, (email, diet, access) in people.items():
            reg = reg_ops.register(
                event_id,
                reg_ops.Person(email=email, name=name, vouched=True),
                None,
                dietary_needs=diet,
                accessibility_needs=access,
            )
            ids[name] = reg.id
        database.commit()
        carl = db.session.get(Registration, ids["Carl"]).payment
        carl.status, carl.method = PaymentStatus.paid, PaymentMethod.card
        ivar = db.session.get(Registration, ids["Ivar"]).payment
        ivar.status, ivar.method = PaymentStatus.invoiced, PaymentMethod.invoice
        reg_ops.waive_fee(ids["Wenche"], None, "foredragsholder")
        database.commit()
    return event_id, ids


def test_each_person_shows_how_the_fee_stands(organiser, paying_event):
    event_id, _ids = paying_event
    html = organiser.get(f"/organiser/events/{event_id}/participants").get_data(as_text=True)
    rows = _rows(html)
    assert "Gratis" in rows["Kari"]
    assert "Betalt med kort" in rows["Carl"]
    assert "Fakturert, ikke betalt ennå" in rows["Ivar"]
    assert "Avgiften er frafalt" in rows["Wenche"] or "Avgift frafalt" in rows["Wenche"]
    assert "Ikke betalt" in rows["Ulla"] and "kr 750,00" in rows["Ulla"]
    # Five columns, no longer eleven.
    header = re.search(r"<thead.*?</thead>", html, flags=re.S).group(0)
    assert header.count('scope="col"') == 5


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("payment=unpaid", {"Ulla"}),
        ("payment=paid", {"Carl"}),
        ("payment=invoiced", {"Ivar"}),
        ("payment=waived", {"Wenche"}),
        ("payment=free", {"Kari"}),
        ("needs=dietary", {"Carl", "Ulla"}),
        ("needs=accessibility", {"Ivar"}),
        ("needs=any", {"Carl", "Ulla", "Ivar"}),
        ("state=confirmed&payment=unpaid&needs=dietary", {"Ulla"}),
        ("state=waiting", set()),
        ("state=nonsense", {"Kari", "Carl", "Ivar", "Wenche", "Ulla"}),
    ],
)
def test_filters_work_as_a_plain_get_form(organiser, paying_event, query, names):
    event_id, _ids = paying_event
    response = organiser.get(f"/organiser/events/{event_id}/participants?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert set(_rows(html)) == names
    if names and "nonsense" not in query:
        assert f"Viser {len(names)} av 5 påmeldinger." in html


def test_cancelled_people_can_be_filtered_too(app, organiser, paying_event):
    event_id, ids = paying_event
    with app.app_context():
        reg_ops.cancel(ids["Ulla"], None)
        database.commit()
    html = organiser.get(f"/organiser/events/{event_id}/participants?state=cancelled")
    assert set(_rows(html.get_data(as_text=True))) == {"Ulla"}


def test_a_past_event_shows_who_came(app, organiser, event_with_people):
    event_id, ids = event_with_people(4, starts_in=-timedelta(days=2), capacity=30)
    with app.app_context():
        for reg_id in ids[:3]:
            reg_ops.mark_attendance(reg_id, True, None)
        reg_ops.mark_attendance(ids[3], False, None)
        database.commit()
    text = " ".join(
        re.sub(
            r"<[^>]+>",
            " ",
            organiser.get(f"/organiser/events/{event_id}/participants").get_data(as_text=True),
        ).split()
    )
    assert "Kom: 3" in text and "Møtte ikke: 1" in text
    edit = organiser.get(f"/organiser/events/{event_id}/edit").get_data(as_text=True)
    assert "Kom: 3" in edit
    listing = organiser.get("/organiser/events").get_data(as_text=True)
    assert "Kom: 3" in listing and "0 / 30" not in listing


def test_a_message_to_everyone_is_previewed_and_sent_on_confirmation(
    app, organiser, paying_event, smtp
):
    event_id, _ids = paying_event
    url = f"/organiser/events/{event_id}/participants"
    page = organiser.get(url).get_data(as_text=True)
    data = {"subject": "Program", "message": "Vi starter kl. 09:00.\nVelkommen!"}
    preview = organiser.post(url + "/message", data={"csrf_token": csrf_token(page), **data})
    assert preview.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", preview.get_data(as_text=True)).split())
    assert "Ingenting er sendt ennå" in text
    assert "Hei Kari," in text and "Vi starter kl. 09:00." in text  # as Kari reads it
    assert "Send til 5 deltakere" in text
    assert all(m["Subject"] != "Program" for m in smtp.messages)

    changed = organiser.post(
        url + "/message", data={"csrf_token": csrf_token(page), "edit": "1", **data}
    )
    assert changed.status_code == 200 and "Vi starter kl. 09:00." in changed.get_data(as_text=True)
    assert all(m["Subject"] != "Program" for m in smtp.messages)

    sent = organiser.post(
        url + "/message", data={"csrf_token": csrf_token(page), "confirm": "1", **data}
    )
    assert sent.status_code == 302
    assert sum(1 for m in smtp.messages if m["Subject"] == "Program") == 5


def test_an_action_on_a_row_comes_back_to_the_same_filtered_list(app, organiser, paying_event):
    event_id, ids = paying_event
    url = f"/organiser/events/{event_id}/participants?payment=unpaid"
    page = organiser.get(url).get_data(as_text=True)
    action = f"/organiser/events/{event_id}/participants/{ids['Ulla']}/waive-fee?payment=unpaid"
    assert f'action="{action}"' in page
    response = organiser.post(
        action, data={"csrf_token": csrf_token(page), f"reg{ids['Ulla']}-reason": "innleder"}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"participants?payment=unpaid#reg-{ids['Ulla']}")
