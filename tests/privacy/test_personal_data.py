"""Participants see, download and delete their data; needs are deleted after events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eventsys import database, ticking
from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration


def _event(make_event, **kw):
    now = datetime.now(UTC)
    values = dict(
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=5),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=19),
        fee=0,
    )
    values.update(kw)
    return make_event(**values)


def _register(app, event_id, email, **kw):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        reg = reg_ops.register(event_id, reg_ops.Person(email=email, user=user), user, **kw)
        database.commit()
        return reg.id


def test_download_my_data(app, client, make_user, login, make_event):
    make_user("kari@uib.no", name="Kari Hansen")
    login("kari@uib.no")
    _register(app, _event(make_event), "kari@uib.no", dietary_needs="Glutenfri")
    assert "Last ned" in client.get("/account/data").get_data(as_text=True)
    response = client.get("/account/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "kari@uib.no" and data["account"]["name"] == "Kari Hansen"
    assert data["registrations"][0]["dietary_needs"] == "Glutenfri"


def test_delete_account_after_cancelling(app, client, make_user, login, submit, make_event):
    make_user("kari@uib.no", name="Kari Hansen")
    login("kari@uib.no")
    reg_id = _register(app, _event(make_event), "kari@uib.no", dietary_needs="Glutenfri")

    refused = submit("/account/delete", {"password": "riktig-passord-1"}, page="/account/data")
    assert refused.status_code == 422
    assert "Avbestill påmeldingene dine" in refused.get_data(as_text=True)
    wrong = submit("/account/delete", {"password": "feil"}, page="/account/data")
    assert wrong.status_code == 422

    with app.app_context():
        reg_ops.cancel(reg_id, None)
        database.commit()
    done = submit("/account/delete", {"password": "riktig-passord-1"}, page="/account/data")
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "kari@uib.no")) is None
        reg = db.session.get(Registration, reg_id)
        assert (reg.name, reg.dietary_needs, reg.user_id) == ("", "", None)
        assert reg.email.endswith("@slettet.invalid")
    assert client.get("/account").status_code == 302  # logged out
    again = submit("/login", {"email": "kari@uib.no", "password": "riktig-passord-1"})
    assert again.status_code == 422


def test_needs_are_deleted_a_set_time_after_the_event(app, make_user, make_event):
    now = datetime.now(UTC)
    event_id = _event(
        make_event,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=3),
        registration_closes_at=now + timedelta(days=1),
    )
    make_user("kari@uib.no")
    reg_id = _register(
        app, event_id, "kari@uib.no", dietary_needs="Nøtteallergi", accessibility_needs="Rullestol"
    )
    ended = now + timedelta(days=2, hours=3)

    with app.app_context():
        ticking.run(now=ended + timedelta(days=29))
        reg = db.session.get(Registration, reg_id)
        assert (reg.dietary_needs, reg.accessibility_needs) == ("Nøtteallergi", "Rullestol")
    with app.app_context():
        ticking.run(now=ended + timedelta(days=31))
        reg = db.session.get(Registration, reg_id)
        assert (reg.dietary_needs, reg.accessibility_needs) == ("", "")
        assert reg.needs_deleted_at is not None
