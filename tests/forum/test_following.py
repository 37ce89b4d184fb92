"""Following by e-mail: what the SMTP server received, headers included; one-click
unsubscribe (RFC 8058); digests once per person and period, however many ticks."""

from datetime import timedelta

from tests.conftest import NOW, csrf_token


def test_immediate_mail_has_one_click_unsubscribe(app, client, login, smtp, forum):
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.forum import operations
    from eventsys.forum.models import ForumCategory

    login("kari@uib.no")
    page = client.get(f"/forum/c/{forum['slug']}").get_data(as_text=True)
    response = client.post(
        "/forum/follow",
        data={"csrf_token": csrf_token(page), "category": forum["slug"], "mode": "immediate"},
    )
    assert response.status_code == 302

    def post_thread(title):
        with app.app_context():
            organiser = db.session.get(User, forum["organiser"])
            category = db.session.get(ForumCategory, forum["category"])
            operations.create_thread(organiser, category, title, "Hva gjør dere?")
            database.commit()

    post_thread("Mentorordninger")
    message = smtp.last_to("kari@uib.no")
    assert message["Subject"] == "Nytt innlegg: Mentorordninger"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://localhost/forum/unsubscribe/") and url in smtp.body(message)

    # A mail client's one-click POST: no CSRF token, no page in between.
    path = url.removeprefix("http://localhost")
    assert client.get(path).status_code == 200  # a GET changes nothing
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    before = len(smtp.to("kari@uib.no"))
    post_thread("Fadderuke")
    assert len(smtp.to("kari@uib.no")) == before


def test_digests_once_per_person_and_period_whatever_the_number_of_ticks(app, smtp, forum):
    from eventsys import database, ticking
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.forum import operations
    from eventsys.forum.models import ForumCategory, ForumPost, ForumThread

    with app.app_context():
        nils = db.session.get(User, forum["newbie"])
        category = db.session.get(ForumCategory, forum["category"])
        thread = db.session.get(ForumThread, forum["thread"])
        operations.follow(nils, "daily", category=category)
        operations.follow(nils, "weekly", thread=thread)
        # Kari's post was published yesterday (Oslo time), in last ISO week too.
        post = db.session.scalar(db.select(ForumPost).where(ForumPost.author_id == forum["member"]))
        post.published_at = NOW - timedelta(days=1)
        database.commit()

    for _ in range(3):  # three ticks, as cron on three hosts would run them
        with app.app_context():
            ticking.run(NOW)

    digests = [m for m in smtp.to("nils@uit.no") if "sammendrag" in m["Subject"].lower()]
    assert len(digests) == 2, [m["Subject"] for m in digests]
    daily = next(m for m in digests if "uken" not in m["Subject"])
    assert daily["Subject"] == "Forumsammendrag for 31. januar 2027"
    body = smtp.body(daily)
    assert "Velkommen" in body and "Første innlegg fra Kari" in body
    assert daily["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The weekly link stops the weekly digests and leaves the daily one.
    weekly = next(m for m in digests if "uken" in m["Subject"])
    path = weekly["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    assert app.test_client().post(path).status_code == 200
    with app.app_context():
        modes = [f.mode.value for f in operations.follows_of(db.session.get(User, forum["newbie"]))]
    assert modes == ["daily"]
