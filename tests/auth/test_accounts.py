"""Sign-up, verification, log-in, password reset and e-mail change, through the
pages as a person uses them and the e-mails a real SMTP server received."""

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from eventsys.auth.models import User


def _link(smtp, address, path_part):
    message = smtp.last_to(address)
    links = [link for link in smtp.links(message) if path_part in link]
    assert links, smtp.body(message)
    return links[0].replace("http://localhost", "")


def _user(app, email):
    from eventsys.extensions import db

    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_sign_up_verify_and_see_derived_affiliation(app, client, submit, smtp, make_org):
    make_org("Universitetet i Bergen", ["uib.no"])
    response = submit(
        "/signup",
        {
            "name": "Kari Nordmann",
            "email": "Kari.Nordmann@Student.UiB.no",
            "password": "et-langt-passord",
        },
    )
    assert response.status_code == 302
    assert "Sjekk e-posten din" in client.get(response.location).get_data(as_text=True)

    message = smtp.last_to("kari.nordmann@student.uib.no")
    assert message["Subject"] == "Bekreft e-postadressen din"
    assert _user(app, "kari.nordmann@student.uib.no").email_verified_at is None

    # Not yet verified: the profile says why there is no priority yet.
    submit("/login", {"email": "kari.nordmann@student.uib.no", "password": "et-langt-passord"})
    page = client.get("/account").get_data(as_text=True)
    assert "ikke bekreftet" in page and "Universitetet i Bergen" in page

    response = client.get(_link(smtp, "kari.nordmann@student.uib.no", "/verify/"))
    assert response.status_code == 302
    assert _user(app, "kari.nordmann@student.uib.no").email_verified_at is not None
    page = client.get("/account").get_data(as_text=True)
    assert "Ansatt hos eier" in page
    assert "tilhører Universitetet i Bergen, som er eier av nettverket i dag" in page


def test_verification_link_works_once(client, submit, smtp):
    submit("/signup", {"name": "Per", "email": "per@ntnu.no", "password": "et-langt-passord"})
    link = _link(smtp, "per@ntnu.no", "/verify/")
    assert client.get(link).status_code == 302
    again = client.get(link)
    assert again.status_code == 400
    assert "allerede brukt" in again.get_data(as_text=True)


def test_tampered_verification_link_is_refused(app, client, submit, smtp):
    submit("/signup", {"name": "Per", "email": "per@ntnu.no", "password": "et-langt-passord"})
    link = _link(smtp, "per@ntnu.no", "/verify/")
    head, _, signature = link.rpartition(".")
    tampered = head + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert "ikke gyldig" in response.get_data(as_text=True)
    assert _user(app, "per@ntnu.no").email_verified_at is None


def test_expired_verification_link_is_refused(app, client, submit, smtp, monkeypatch):
    four_days_ago = int(time.time()) - 4 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: four_days_ago)
    submit("/signup", {"name": "Per", "email": "per@ntnu.no", "password": "et-langt-passord"})
    monkeypatch.undo()
    response = client.get(_link(smtp, "per@ntnu.no", "/verify/"))
    assert response.status_code == 400
    assert "utløpt" in response.get_data(as_text=True)
    assert _user(app, "per@ntnu.no").email_verified_at is None


def test_sign_up_does_not_reveal_registered_addresses(app, client, submit, smtp, make_user):
    make_user("kari@uib.no")
    new = submit("/signup", {"name": "X", "email": "ny@uib.no", "password": "et-langt-passord"})
    taken = submit("/signup", {"name": "X", "email": "kari@uib.no", "password": "et-langt-passord"})
    assert new.status_code == taken.status_code == 302
    assert new.location == taken.location
    # The owner of the address learns about the attempt; no second account exists.
    assert smtp.last_to("kari@uib.no")["Subject"] == "Du har allerede en konto"
    from eventsys.extensions import db

    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.email == "kari@uib.no")
            )
            == 1
        )


def test_password_reset_flow(client, submit, smtp, make_user, login):
    make_user("kari@uib.no", password="gammelt-passord")
    page = submit("/forgot-password", {"email": "kari@uib.no"})
    assert page.status_code == 200
    link = _link(smtp, "kari@uib.no", "/reset/")
    response = submit(link, {"password": "helt-nytt-passord", "confirm": "helt-nytt-passord"})
    assert response.status_code == 302
    client.post("/logout", data={})  # CSRF-less logout is refused, so clear cookies instead
    client.delete_cookie("session")
    bad = submit("/login", {"email": "kari@uib.no", "password": "gammelt-passord"})
    assert bad.status_code == 422
    login("kari@uib.no", "helt-nytt-passord")
    # The link is spent.
    assert client.get(link).status_code == 400


def test_reset_for_unknown_address_looks_the_same_and_sends_no_link(submit, smtp, make_user):
    make_user("kari@uib.no")
    known = submit("/forgot-password", {"email": "kari@uib.no"}).get_data(as_text=True)
    unknown = submit("/forgot-password", {"email": "ingen@uib.no"}).get_data(as_text=True)

    def same(html, address):  # CSRF tokens carry a timestamp; everything else must match
        return re.sub(r'name="csrf_token" value="[^"]+"', "", html.replace(address, "X"))

    assert same(known, "kari@uib.no") == same(unknown, "ingen@uib.no")
    # The same work either way (timing tells nothing): a note that there is no
    # account, without any link that could set a password.
    (note,) = smtp.to("ingen@uib.no")
    assert "ingen konto" in smtp.body(note)
    assert "/reset/" not in smtp.body(note)


def test_expired_reset_link_is_refused(client, submit, smtp, make_user, monkeypatch):
    make_user("kari@uib.no")
    three_hours_ago = int(time.time()) - 3 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: three_hours_ago)
    submit("/forgot-password", {"email": "kari@uib.no"})
    monkeypatch.undo()
    assert client.get(_link(smtp, "kari@uib.no", "/reset/")).status_code == 400


def test_wrong_password_gives_one_message_for_both_cases(submit, make_user):
    make_user("kari@uib.no")
    wrong_password = submit("/login", {"email": "kari@uib.no", "password": "feil-passord"})
    no_account = submit("/login", {"email": "ingen@uib.no", "password": "feil-passord"})
    assert wrong_password.status_code == no_account.status_code == 422
    message = "Feil e-postadresse eller passord."
    assert message in wrong_password.get_data(as_text=True)
    assert message in no_account.get_data(as_text=True)


def test_session_is_cleared_at_login(app, client, make_user, login):
    make_user("kari@uib.no")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_forms_without_csrf_token_are_refused(app, client, make_user):
    make_user("kari@uib.no")
    response = client.post("/login", data={"email": "kari@uib.no", "password": "riktig-passord-1"})
    assert response.status_code == 400
    assert "utløpt" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still not logged in

    response = client.post(
        "/signup", data={"name": "X", "email": "x@uib.no", "password": "et-langt-passord"}
    )
    assert response.status_code == 400
    assert _user(app, "x@uib.no") is None


def test_change_email_reverifies_and_old_address_stops_working(
    app, client, submit, smtp, make_user, login
):
    make_user("kari@gmail.com")
    login("kari@gmail.com")
    response = submit(
        "/account/email",
        {"email-email": "kari@uib.no", "email-current": "riktig-passord-1"},
        page="/account",
    )
    assert response.status_code == 302
    assert _user(app, "kari@gmail.com") is not None  # unchanged until the link is followed
    link = _link(smtp, "kari@uib.no", "/account/email/")
    assert client.get(link).status_code == 302
    user = _user(app, "kari@uib.no")
    assert user is not None and user.email_verified_at is not None
    assert _user(app, "kari@gmail.com") is None
    assert client.get(link).status_code == 400


def test_password_change_ends_other_sessions(app, make_user, submit, client):
    make_user("kari@uib.no")
    other = app.test_client()
    html = other.get("/login").get_data(as_text=True)
    from conftest import csrf_token

    other.post(
        "/login",
        data={
            "csrf_token": csrf_token(html),
            "email": "kari@uib.no",
            "password": "riktig-passord-1",
        },
    )
    assert other.get("/account").status_code == 200

    submit("/login", {"email": "kari@uib.no", "password": "riktig-passord-1"})
    response = submit(
        "/account/password",
        {"pw-current": "riktig-passord-1", "pw-password": "enda-et-nytt-passord"},
        page="/account",
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session goes on
    assert other.get("/account").status_code == 302  # the other one has ended


def test_passwords_are_hashed_with_argon2id_at_strong_settings(app, make_user):
    from config import Config

    assert Config.PASSWORD_HASH_MEMORY_COST >= 19 * 1024  # OWASP minimum for argon2id
    assert Config.PASSWORD_HASH_TIME_COST >= 2
    make_user("kari@uib.no")
    assert _user(app, "kari@uib.no").password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_never_redirects_off_site(submit, make_user, target):
    make_user("kari@uib.no")
    response = submit(
        f"/login?next={target}", {"email": "kari@uib.no", "password": "riktig-passord-1"}
    )
    assert response.location == "/account"


def test_the_password_rule_is_shown_before_any_error(client):
    page = client.get("/signup").get_data(as_text=True)
    assert "Minst 10 tegn." in page
    field = re.search(r"<input[^>]*id=\"password\"[^>]*>", page).group(0)
    assert 'aria-describedby="password-hint"' in field
    assert 'id="password-hint"' in page


def test_verifying_in_the_browser_that_signed_up_logs_in_and_returns(app, client, submit, smtp):
    submit(
        "/signup?next=/events/7",
        {"name": "Per", "email": "per@ntnu.no", "password": "et-langt-passord"},
        page="/signup?next=/events/7",
    )
    assert client.get("/account").status_code == 302  # not logged in yet
    response = client.get(_link(smtp, "per@ntnu.no", "/verify/"))
    assert response.status_code == 302
    assert response.location == "/events/7"
    page = client.get("/account").get_data(as_text=True)
    assert "logget inn" in page and "Per" in page
    assert _user(app, "per@ntnu.no").email_verified_at is not None


def test_a_verification_link_opened_elsewhere_verifies_but_does_not_log_in(
    app, client, submit, smtp
):
    submit("/signup", {"name": "Per", "email": "per@ntnu.no", "password": "et-langt-passord"})
    other = app.test_client()  # another device, or someone who did not make the account
    response = other.get(_link(smtp, "per@ntnu.no", "/verify/"))
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "Logg inn" in other.get(response.location).get_data(as_text=True)
    assert other.get("/account").status_code == 302
    assert _user(app, "per@ntnu.no").email_verified_at is not None
