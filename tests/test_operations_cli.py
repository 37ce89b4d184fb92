"""The command line of CONTRACT.md, the health check, and mail delivery retries."""

from sqlalchemy import func, select

from config import TestConfig
from eventsys.auth.models import ApiToken, Role, User


def test_healthz_is_ok_with_a_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_without_a_database(tmp_path):
    from eventsys import create_app

    class Broken(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/missing/dir/db.sqlite"

    response = create_app(Broken()).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_create_user_and_token(app, runner):
    from eventsys.extensions import db

    result = runner.invoke(
        args=[
            "eventsys",
            "create-user",
            "--email",
            "Ola@Nettverket.no",
            "--password",
            "hemmelig-passord",
            "--role",
            "organiser",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role, user.email_verified) == (
            "ola@nettverket.no",
            Role.organiser,
            True,
        )

    again = runner.invoke(
        args=["eventsys", "create-user", "--email", "ola@nettverket.no", "--password", "x" * 12]
    )
    assert again.exit_code != 0 and "exists" in again.output

    result = runner.invoke(args=["eventsys", "create-token", "--email", "ola@nettverket.no"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("evs_") and len(token) > 30
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert stored.token_hash == ApiToken.hash(token) and token not in stored.token_hash

    missing = runner.invoke(args=["eventsys", "create-token", "--email", "nobody@x.no"])
    assert missing.exit_code != 0


def test_demo_loads_once(app, runner):
    from eventsys.extensions import db
    from eventsys.organisations.models import Organisation

    first = runner.invoke(args=["eventsys", "demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        orgs = db.session.scalar(select(func.count()).select_from(Organisation))
        roles = set(db.session.scalars(select(User.role)))
    assert orgs >= 12
    assert roles == set(Role)
    second = runner.invoke(args=["eventsys", "demo"])
    assert "not loaded" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == orgs


def test_mail_that_could_not_be_sent_is_retried_after_a_pause(app, runner, smtp):
    from datetime import timedelta

    from eventsys import database, mail
    from eventsys.extensions import db
    from eventsys.mail.models import OutboundMail

    with app.app_context():
        user = User(email="kari@uib.no", name="Kari", password_hash="x", locale="nb")
        db.session.add(user)
        db.session.flush()
        mail.queue(
            "kari@uib.no", "auth/reset", user=user, url="http://localhost/reset/x", minutes=120
        )
        database.commit()
        app.config["MAIL_PORT"], real_port = 1, app.config["MAIL_PORT"]  # nothing listens there
        assert mail.deliver_due() == 0
        app.config["MAIL_PORT"] = real_port
        message = db.session.scalar(select(OutboundMail))
        assert message.sent_at is None and message.last_error and message.attempts == 1
        assert message.next_attempt_at > message.created_at  # a pause before the retry

    assert smtp.messages == []  # the worker waits out the pause
    with app.app_context():
        message = db.session.scalar(select(OutboundMail))
        message.next_attempt_at -= timedelta(minutes=5)
        database.commit()
    result = runner.invoke(args=["eventsys", "tick"])  # tick delivers leftovers too
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp.received] == ["kari@uib.no"]
    runner.invoke(args=["eventsys", "worker", "--once"])
    runner.invoke(args=["eventsys", "tick"])
    assert len(smtp.messages) == 1  # delivered once, not again


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(app, smtp):
    from eventsys import database, mail
    from eventsys.extensions import db
    from eventsys.mail.models import OutboundMail

    with app.app_context():
        user = User(email="kari@uib.no", name="Kari", password_hash="x", locale="nb")
        db.session.add(user)
        db.session.flush()
        mail.queue("kari@uib.no", "auth/reset", user=user, url="http://x", minutes=1)
        db.session.rollback()
        database.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 0
    assert smtp.messages == []
