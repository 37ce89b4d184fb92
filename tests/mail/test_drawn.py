"""Registration e-mails are drawn by the mail worker when it sends them: the request,
which holds the event's lock, stores which message it is and renders nothing, and the
outbox keeps what was sent."""

from __future__ import annotations

from conftest import upcoming
from sqlalchemy import delete, select

from eventsys import database, mail
from eventsys.extensions import db
from eventsys.mail.models import OutboundMail
from eventsys.registration.models import Registration


def _register(client, event_id, token):
    response = client.post(
        f"/api/v1/events/{event_id}/registrations",
        headers={"Authorization": f"Bearer {token}"},
        json={},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_request_stores_which_message_and_the_worker_draws_and_keeps_it(
    app, client, make_event, network, smtp, api_token
):
    event_id = make_event(capacity=1, title="Seminar om frafall", **upcoming())
    _register(client, event_id, api_token("kari@uib.no"))
    waiting = _register(client, event_id, api_token("ola@gmail.com"))
    with app.app_context():
        rows = db.session.scalars(select(OutboundMail).order_by(OutboundMail.id)).all()
        assert [(m.subject, m.body_text, m.attachments) for m in rows] == [("", "", [])] * 2
        assert [m.drawn_by["args"]["template"] for m in rows] == ["confirmed", "waitlisted"]

    confirmed = smtp.last_to("kari@uib.no")
    assert "Plassen din er bekreftet" in confirmed["Subject"]
    assert "Seminar om frafall" in smtp.body(confirmed)
    files = [part.get_filename() for part in confirmed.walk() if part.get_filename()]
    assert "innsjekking.png" in files and any(f.endswith(".ics") for f in files)
    assert waiting["position"] == 1
    assert "Din plass på ventelisten: 1." in smtp.body(smtp.last_to("ola@gmail.com"))

    with app.app_context():
        rows = db.session.scalars(select(OutboundMail).order_by(OutboundMail.id)).all()
        assert all(m.sent_at for m in rows)
        assert "Plassen din er bekreftet" in rows[0].subject
        assert "Seminar om frafall" in rows[0].body_text
        assert any(a["filename"] == "innsjekking.png" for a in rows[0].attachments)


def test_a_message_about_a_registration_deleted_before_it_went_out_is_not_sent(
    app, client, make_event, network, smtp, api_token
):
    event_id = make_event(capacity=5, **upcoming())
    _register(client, event_id, api_token("kari@uib.no"))
    with app.app_context():
        db.session.execute(delete(Registration))
        database.commit()
        assert mail.deliver_all() == 0
        row = db.session.scalar(select(OutboundMail))
        assert row.sent_at is None and row.last_error == "given up: nothing to send any more"
        assert mail.deliver_all() == 0  # given up, not tried again
    assert smtp.to("kari@uib.no") == []


def test_a_message_that_cannot_be_drawn_waits_and_the_others_go_out(
    app, client, make_event, network, smtp, api_token, monkeypatch
):
    """A fault while drawing one message (a template, the data it reads) neither stops
    the others in the batch nor gives the message up: it is tried again later."""
    event_id = make_event(capacity=5, **upcoming())
    _register(client, event_id, api_token("kari@uib.no"))
    _register(client, event_id, api_token("ola@gmail.com"))
    drawing = mail.MESSAGE_MAKERS["registration"]

    def broken_for_kari(**args):
        made = drawing(**args)
        if made["reg"].email == "kari@uib.no":
            raise RuntimeError("a template fault")
        return made

    monkeypatch.setitem(mail.MESSAGE_MAKERS, "registration", broken_for_kari)
    with app.app_context():
        assert mail.deliver_all() == 1
        kari = db.session.scalar(
            select(OutboundMail).where(OutboundMail.recipient == "kari@uib.no")
        )
        assert kari.sent_at is None and kari.next_attempt_at is not None
        assert kari.attempts == 1 and "given up" not in (kari.last_error or "")
    assert smtp.to("ola@gmail.com") and not smtp.to("kari@uib.no")
