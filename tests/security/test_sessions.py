"""Sessions live on the server: a cookie names a random session secret, never an
account id, logout ends the session, and ids are never handed out twice."""

from __future__ import annotations

import pytest
from conftest import csrf_token
from sqlalchemy import delete, func, select, text

from eventsys.auth.models import User


def _log_in(client, email, password="riktig-passord-1"):
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"csrf_token": csrf_token(html), "email": email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _copy_of(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _delete_user(app, email):
    from eventsys import database
    from eventsys.extensions import db
    from eventsys.privacy import operations

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        operations.delete_account(user)
        database.commit()


def test_a_deleted_accounts_cookie_never_opens_the_next_account(app, client, make_user, submit):
    make_user("first@uib.no")
    newest = make_user("victim-before@uib.no")
    _log_in(client, "victim-before@uib.no")
    stolen = _copy_of(app, client)
    _delete_user(app, "victim-before@uib.no")

    # The next sign-up must not get the freed id, and the old cookie opens nothing.
    fresh = app.test_client()
    html = fresh.get("/signup").get_data(as_text=True)
    fresh.post(
        "/signup",
        data={
            "csrf_token": csrf_token(html),
            "name": "Ny Person",
            "email": "newcomer@uib.no",
            "password": "et-langt-passord",
        },
    )
    from eventsys.extensions import db

    with app.app_context():
        newcomer = db.session.scalar(select(User).where(User.email == "newcomer@uib.no"))
        assert newcomer.id > newest
    response = stolen.get("/account")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("table", ["users", "registrations", "payments"])
def test_ids_are_never_reused_after_the_newest_row_is_deleted(app, table, make_user):
    """SQLite reuses the highest rowid unless the table has AUTOINCREMENT; PostgreSQL's
    sequences never go back. Both must hold."""
    from eventsys.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sql = db.session.scalar(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                {"t": table},
            )
            assert "AUTOINCREMENT" in sql.upper()
    first = make_user("a@uib.no")
    second = make_user("b@uib.no")
    with app.app_context():
        db.session.execute(delete(User).where(User.id == second))
        db.session.commit()
    third = make_user("c@uib.no")
    assert third > second > first


def test_logout_ends_the_session_on_the_server(app, client, make_user, submit):
    make_user("kari@uib.no")
    _log_in(client, "kari@uib.no")
    copy = _copy_of(app, client)
    assert copy.get("/account").status_code == 200

    response = submit("/logout", {}, page="/account")
    assert response.status_code == 302
    response = copy.get("/account")
    assert response.status_code == 302 and "/login" in response.location
    from eventsys.auth.models import UserSession
    from eventsys.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_the_cookie_holds_no_account_id(app, client, make_user):
    import base64
    import json
    import zlib

    user_id = make_user("kari@uib.no")
    _log_in(client, "kari@uib.no")
    payload = client.get_cookie("session").value.split(".")
    compressed = payload[0] == ""
    data = base64.urlsafe_b64decode(payload[1 if compressed else 0] + "==")
    session = json.loads(zlib.decompress(data) if compressed else data)
    assert session["_user_id"] not in (str(user_id), f"{user_id}:1")
    assert len(session["_user_id"]) >= 40


def test_a_made_up_session_secret_opens_nothing(app, make_user):
    make_user("kari@uib.no")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["_fresh"] = True
    response = client.get("/account")
    assert response.status_code == 302


def test_sessions_expire_on_the_server(app, client, make_user, monkeypatch):
    make_user("kari@uib.no")
    _log_in(client, "kari@uib.no")
    assert client.get("/account").status_code == 200
    monkeypatch.setitem(app.config, "SESSION_MAX_AGE_DAYS", 0)
    assert client.get("/account").status_code == 302


def test_changing_the_email_address_asks_for_the_password(app, client, make_user, submit, smtp):
    make_user("kari@uib.no")
    _log_in(client, "kari@uib.no")
    response = submit(
        "/account/email",
        {"email-email": "attacker@evil.example", "email-current": "wrong-password-1"},
        page="/account",
    )
    assert response.status_code == 422
    assert "Det nåværende passordet er feil." in response.get_data(as_text=True)
    response = submit("/account/email", {"email-email": "attacker@evil.example"}, page="/account")
    assert response.status_code == 422
    assert smtp.to("attacker@evil.example") == []


def test_changing_the_password_asks_for_the_current_one(app, client, make_user, submit):
    make_user("kari@uib.no")
    _log_in(client, "kari@uib.no")
    response = submit(
        "/account/password",
        {"pw-current": "wrong-password-1", "pw-password": "et-helt-nytt-passord"},
        page="/account",
    )
    assert response.status_code == 422
    _log_in(app.test_client(), "kari@uib.no")  # the old password still works


def test_the_migration_keeps_ids_and_stops_reuse_on_an_existing_sqlite_database(tmp_path):
    """An installation made before AUTOINCREMENT: its rows and ids survive the rebuild,
    references to them stay intact, and the id of a deleted newest row stays unused."""
    from flask_migrate import upgrade

    from config import TestConfig
    from eventsys import create_app
    from eventsys.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'old.sqlite'}"

    app = create_app(Config())
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            for n in (1, 2, 3):
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, name, password_hash, role, locale,"
                        " created_at, session_version) VALUES"
                        " (:id, :email, '', 'x', 'participant', 'nb', '2026-01-01', 1)"
                    ),
                    {"id": n, "email": f"u{n}@uib.no"},
                )
            conn.execute(
                text(
                    "INSERT INTO api_tokens (user_id, token_hash, label, created_at)"
                    " VALUES (2, 'h', '', '2026-01-01')"
                )
            )
            conn.execute(text("DELETE FROM users WHERE id = 3"))
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
            insert = text(
                "INSERT INTO users (email, name, password_hash, role, locale, created_at)"
                " VALUES (:email, '', 'x', 'participant', 'nb', '2026-01-01') RETURNING id"
            )
            newest = conn.execute(insert, {"email": "new@uib.no"}).scalar()
            conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": newest})
            after = conn.execute(insert, {"email": "newer@uib.no"}).scalar()
            ids = [r[0] for r in conn.execute(text("SELECT id FROM users ORDER BY id"))]
        db.engine.dispose()
    assert ids[:2] == [1, 2]  # kept through the rebuild
    assert after > newest  # the deleted newest id is not handed out again
