"""Newsletters as subscribers and organisers meet them; mail read from the SMTP server."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import client_of, csrf_token

PASSWORD = "riktig-passord-1"


@pytest.fixture
def themes(app):
    from eventsys import database
    from eventsys.themes.operations import ensure_seed_themes

    with app.app_context():
        ensure_seed_themes()
        database.commit()


def _subscribe(app, email, themes=(), language="nb"):
    """A confirmed subscriber without an account (the double opt-in done)."""
    from eventsys import database
    from eventsys.newsletters import operations

    with app.app_context():
        subscriber = operations.subscribe(email, list(themes), language)
        operations.confirm(subscriber.token)
        database.commit()


def test_double_opt_in_for_people_without_an_account(app, client, smtp, themes):
    page = client.get("/newsletter/subscribe").get_data(as_text=True)
    response = client.post(
        "/newsletter/subscribe",
        data={
            "csrf_token": csrf_token(page),
            "email": "Ny.Leser@Example.no",
            "themes": ["mental_health"],
            "language": "en",
        },
    )
    assert response.status_code == 200 and "Sjekk e-posten din" in response.get_data(as_text=True)
    message = smtp.last_to("ny.leser@example.no")
    assert message["Subject"] == "Confirm your subscription to the newsletter"
    link = next(u for u in smtp.links(message) if "/newsletter/confirm/" in u)
    path = link.removeprefix("http://localhost")

    from eventsys.extensions import db
    from eventsys.newsletters.models import Subscriber

    with app.app_context():
        assert not db.session.scalar(db.select(Subscriber)).active
    # Following the link (as a mail scanner would) shows a button and changes nothing.
    page = client.get(path).get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(db.select(Subscriber)).active
    response = client.post(path, data={"csrf_token": csrf_token(page)})
    assert "Takk! Du får nå nyhetsbrevet." in response.get_data(as_text=True)
    with app.app_context():
        subscriber = db.session.scalar(db.select(Subscriber))
        assert subscriber.active and subscriber.language == "en"
        assert [t.code for t in subscriber.themes] == ["mental_health"]


def test_accounts_opt_in_from_their_page(app, make_user, themes):
    make_user("kari@uib.no")
    client = client_of(app, "kari@uib.no")
    assert "/account/newsletter" in client.get("/account").get_data(as_text=True)
    page = client.get("/account/newsletter").get_data(as_text=True)
    response = client.post(
        "/account/newsletter",
        data={"csrf_token": csrf_token(page), "subscribed": "y", "language": "nb"},
    )
    assert response.status_code == 302
    from eventsys.extensions import db
    from eventsys.newsletters.models import Subscriber

    with app.app_context():
        subscriber = db.session.scalar(db.select(Subscriber))
        assert subscriber.active and subscriber.email == "kari@uib.no" and subscriber.user_id


@pytest.fixture
def organiser(app, make_user):
    make_user("ola@nettverket.no", role="organiser", name="Ola")
    return client_of(app, "ola@nettverket.no")


def _new_issue(client, title, body, language="nb", themes=()):
    page = client.get("/organiser/newsletters/new").get_data(as_text=True)
    response = client.post(
        "/organiser/newsletters/new",
        data={
            "csrf_token": csrf_token(page),
            "title": title,
            "body": body,
            "language": language,
            "themes": list(themes),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def test_an_organiser_writes_tests_and_schedules_on_the_arshjul_and_tick_sends_once(
    app, organiser, smtp, themes, make_event
):
    from eventsys import database, ticking
    from eventsys.arshjul import operations as arshjul
    from eventsys.extensions import db
    from eventsys.newsletters.models import Issue

    now = datetime.now(UTC)
    make_event(
        title="Ensomhet blant studenter",
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=3),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=9),
    )
    with app.app_context():
        tomorrow = (now + timedelta(days=1)).date()
        item = arshjul.create_item(
            dict(
                title_nb="Nyhetsbrev: høstens seminarer",
                title_en="",
                description="",
                category="newsletter",
                audience="public",
                link="",
                recurrence_kind="fixed_date",
                month=tomorrow.month,
                day=tomorrow.day,
                all_day=True,
            ),
            None,
        )
        item_id = item.id
        database.commit()

    _subscribe(app, "alle@uib.no")  # no themes: everything in nb
    _subscribe(app, "psykisk@uit.no", ["mental_health"])
    _subscribe(app, "okonomi@uia.no", ["student_finances"])
    _subscribe(app, "english@uio.no", language="en")
    _subscribe(app, "sluttet@hvl.no")
    from eventsys.newsletters import operations

    with app.app_context():
        gone = operations.by_token(
            db.session.scalar(
                db.select(operations.Subscriber.token).where(
                    operations.Subscriber.email == "sluttet@hvl.no"
                )
            )
        )
        operations.unsubscribe(gone.token)
        database.commit()

    edit_url = _new_issue(
        organiser,
        "Nyhetsbrev september",
        "Hei!\n\n<script>alert(1)</script> **Velkommen** til høsten.",
        themes=["mental_health"],
    )
    page = organiser.get(edit_url).get_data(as_text=True)
    # Pull in the next events.
    response = organiser.post(
        edit_url,
        data={
            "csrf_token": csrf_token(page),
            "title": "Nyhetsbrev september",
            "body": "Hei!\n\n<script>alert(1)</script> **Velkommen** til høsten.",
            "language": "nb",
            "themes": ["mental_health"],
            "action": "events",
        },
    )
    page = organiser.get(response.location).get_data(as_text=True)
    assert "Ensomhet blant studenter" in page  # in the body and the preview
    assert "<strong>Velkommen</strong>" in page and "<script>alert(1)" not in page

    # A test to the organiser alone.
    organiser.post(
        edit_url,
        data={
            "csrf_token": csrf_token(page),
            "title": "Nyhetsbrev september",
            "body": _body(app),
            "language": "nb",
            "themes": ["mental_health"],
            "action": "test",
        },
    )
    test = smtp.last_to("ola@nettverket.no")
    assert test["Subject"] == "[TEST] Nyhetsbrev september"
    assert [m["To"] for m in smtp.messages if "september" in m["Subject"]] == ["ola@nettverket.no"]

    # Scheduled on the årshjul item: the next occurrence, and the item links to it.
    issue_id = int(edit_url.rsplit("/", 1)[1])
    response = organiser.post(
        f"/organiser/newsletters/{issue_id}/schedule",
        data={
            "csrf_token": csrf_token(page),
            "schedule-csrf_token": csrf_token(page),
            "schedule-send_at": "",
            "schedule-cycle_item": str(item_id),
            "action": "schedule",
        },
    )
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        assert issue.status == "scheduled" and issue.cycle_item_id == item_id
        assert issue.send_at.date() == tomorrow
        assert db.session.get(arshjul.CycleItem, item_id).link.endswith(f"/newsletters/{issue_id}")
        send_at = issue.send_at

    with app.app_context():
        ticking.run(send_at - timedelta(minutes=1))
    assert not [m for m in smtp.messages if m["Subject"] == "Nyhetsbrev september"]
    for _ in range(2):
        with app.app_context():
            ticking.run(send_at + timedelta(minutes=1))
    got = sorted(m["To"] for m in smtp.messages if m["Subject"] == "Nyhetsbrev september")
    assert got == ["alle@uib.no", "psykisk@uit.no"]

    message = smtp.last_to("psykisk@uit.no")
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://localhost/newsletter/unsubscribe/")
    assert "<mailto:arrangement@localhost?subject=unsubscribe%20" in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(preferencelist=("html",)).get_content()
    plain = smtp.body(message)
    assert "<strong>Velkommen</strong>" in html and "<script>" not in html
    assert "Ensomhet blant studenter" in plain and "/newsletter/unsubscribe/" in plain

    # RFC 8058: the mail client's POST, without a CSRF token, unsubscribes at once.
    path = unsubscribe.split(">")[0].strip("<").removeprefix("http://localhost")
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with app.app_context():
        assert not operations.by_token(path.rsplit("/", 1)[1]).active

    # Past issues on the web and in the feed.
    public = app.test_client()
    listing = public.get("/newsletters").get_data(as_text=True)
    assert "Nyhetsbrev september" in listing
    feed = public.get("/newsletters.atom")
    assert feed.mimetype == "application/atom+xml"
    assert "Nyhetsbrev september" in feed.get_data(as_text=True)
    page = public.get(f"/newsletters/{issue_id}").get_data(as_text=True)
    assert "<strong>Velkommen</strong>" in page and "<script>alert(1)" not in page


def _body(app):
    from eventsys.extensions import db
    from eventsys.newsletters.models import Issue

    with app.app_context():
        return db.session.scalar(db.select(Issue.body))


def test_drafts_are_not_public(app, organiser, themes):
    edit_url = _new_issue(organiser, "Utkast", "Hemmelig")
    issue_id = int(edit_url.rsplit("/", 1)[1])
    assert app.test_client().get(f"/newsletters/{issue_id}").status_code == 404
    assert organiser.get(f"/newsletters/{issue_id}").status_code == 200


def test_a_crash_half_way_and_a_second_host_send_each_subscriber_one_mail(
    app, database_url, smtp, make_user, themes
):
    from config import TestConfig
    from eventsys import create_app, database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.newsletters import operations

    make_user("ola@nettverket.no", role="organiser")
    for n in range(7):
        _subscribe(app, f"leser{n}@uib.no")
    now = datetime.now(UTC)
    with app.app_context():
        organiser = db.session.scalar(db.select(User))
        issue = operations.create_issue(organiser, "Vårbrev", "Innhold", "nb", [])
        operations.schedule(issue, now + timedelta(minutes=1))
        issue_id = issue.id
        database.commit()
    later = now + timedelta(minutes=2)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    other = create_app(Config())
    other.config.update(MAIL_SERVER=app.config["MAIL_SERVER"], MAIL_PORT=app.config["MAIL_PORT"])
    with app.app_context():
        assert operations.send_batch(issue_id, later, size=3) == 3
        database.commit()
        # The host dies in the middle of the next batch: nothing of it is kept.
        assert operations.send_batch(issue_id, later, size=3) == 3
        db.session.rollback()
    with other.app_context():  # a second host takes over
        assert operations.send_batch(issue_id, later, size=3) == 3
        database.commit()
    with app.app_context():
        while operations.send_batch(issue_id, later, size=3):
            database.commit()
        database.commit()
        assert db.session.get(operations.Issue, issue_id).recipients == 7
    with other.app_context():
        assert operations.send_batch(issue_id, later, size=3) == 0
        db.engine.dispose()
    got = sorted(m["To"] for m in smtp.messages if m["Subject"] == "Vårbrev")
    assert got == sorted(f"leser{n}@uib.no" for n in range(7))
