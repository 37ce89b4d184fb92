"""The forum as its users meet it: posting and moderation, editing, reports, event
threads, cards, rate limits across processes, search on both databases."""

from datetime import timedelta

from tests.conftest import client_of, csrf_token, upcoming


def _thread_page(client, thread_id):
    response = client.get(f"/forum/threads/{thread_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _reply(client, thread_id, body, quote=""):
    page = _thread_page(client, thread_id)
    return client.post(
        f"/forum/threads/{thread_id}/reply",
        data={"csrf_token": csrf_token(page), "body": body, "quote": quote},
    )


def test_a_new_members_first_post_waits_for_a_moderator(app, client, login, forum):
    login("nils@uit.no")
    response = _reply(client, forum["thread"], "Hei fra Tromsø!")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Hei fra Tromsø!" in page and "Venter på moderator" in page

    # Others do not see it yet.
    other = app.test_client()
    assert "Hei fra Tromsø!" not in _thread_page(other, forum["thread"])

    # The organiser approves it from the queue.
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    login("ola@nettverket.no")
    queue = client.get("/forum/moderation").get_data(as_text=True)
    assert "Hei fra Tromsø!" in queue
    from eventsys.extensions import db
    from eventsys.forum.models import ForumPost

    with app.app_context():
        post_id = db.session.scalar(
            db.select(ForumPost.id).where(ForumPost.body == "Hei fra Tromsø!")
        )
    url = f"/forum/posts/{post_id}/moderate/approve"
    form = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(form), "reason": ""}).status_code == 302
    assert "Hei fra Tromsø!" in _thread_page(other, forum["thread"])


def test_a_member_with_a_published_post_posts_at_once_and_markdown_is_inert(client, login, forum):
    login("kari@uib.no")
    hostile = "<script>alert(1)</script> [klikk](javascript:alert(2)) <img src=x onerror=alert(3)>"
    response = _reply(client, forum["thread"], hostile + "\n\n**viktig**")
    assert response.status_code == 302
    page = client.get(f"/forum/threads/{forum['thread']}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "<strong>viktig</strong>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page and "<img src=x" not in page


def test_unverified_people_cannot_post(client, login, make_user, forum):
    make_user("uverifisert@uib.no", verified=False)
    login("uverifisert@uib.no")
    page = _thread_page(client, forum["thread"])
    assert "Bekreft e-postadressen din" in page and 'action="/forum/threads/' not in page
    response = client.post(
        f"/forum/threads/{forum['thread']}/reply",
        data={"csrf_token": csrf_token(page), "body": "Hei"},
    )
    assert response.status_code == 422


def test_quoting_prefills_the_reply(client, login, forum):
    login("kari@uib.no")
    from eventsys.extensions import db
    from eventsys.forum.models import ForumPost

    with client.application.app_context():
        first = db.session.scalar(
            db.select(ForumPost.id)
            .where(ForumPost.thread_id == forum["thread"])
            .order_by(ForumPost.id)
        )
    page = client.get(f"/forum/threads/{forum['thread']}?quote={first}").get_data(as_text=True)
    assert "&gt; **Ola Organisator:**" in page and f'value="{first}"' in page
    response = _reply(client, forum["thread"], "> sitat\n\nSvar", quote=str(first))
    assert response.status_code == 302
    with client.application.app_context():
        post = db.session.scalar(db.select(ForumPost).order_by(ForumPost.id.desc()))
        assert post.quoted_post_id == first


def test_editing_keeps_history_and_closes_after_the_window(app, client, login, forum):
    from eventsys import database
    from eventsys.extensions import db
    from eventsys.forum import operations
    from eventsys.forum.models import ForumPost

    login("kari@uib.no")
    with app.app_context():
        post = db.session.scalar(db.select(ForumPost).where(ForumPost.author_id == forum["member"]))
        post_id = post.id
    url = f"/forum/posts/{post_id}/edit"
    form = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(form), "body": "Rettet tekst."})
    assert response.status_code == 302
    history = client.get(f"/forum/posts/{post_id}/history").get_data(as_text=True)
    assert "Rettet tekst." in history and "Første innlegg fra Kari om mestring." in history

    with app.app_context():
        post = db.session.get(ForumPost, post_id)
        later = post.created_at + timedelta(minutes=31)
        try:
            operations.edit_post(post.author, post, "For sent", now=later)
        except operations.ForumError as exc:
            assert exc.code == "edit_window_over"
        else:
            raise AssertionError("edited after the window")
        database.commit()


def test_report_hide_and_lock_are_logged_with_reasons(app, client, login, forum):
    from eventsys.extensions import db
    from eventsys.forum.models import ForumPost

    with app.app_context():
        post_id = db.session.scalar(
            db.select(ForumPost.id).where(ForumPost.author_id == forum["member"])
        )
    login("nils@uit.no")
    url = f"/forum/posts/{post_id}/report"
    form = client.get(url).get_data(as_text=True)
    client.post(url, data={"csrf_token": csrf_token(form), "reason": "Reklame"})

    moderator = client_of(app, "ola@nettverket.no")
    queue = moderator.get("/forum/moderation").get_data(as_text=True)
    assert "Reklame" in queue
    hide = f"/forum/posts/{post_id}/moderate/hide"
    form = moderator.get(hide).get_data(as_text=True)
    # A reason is required.
    assert (
        moderator.post(hide, data={"csrf_token": csrf_token(form), "reason": ""}).status_code == 422
    )
    moderator.post(hide, data={"csrf_token": csrf_token(form), "reason": "Reklame for kurs"})
    assert "Første innlegg fra Kari" not in _thread_page(app.test_client(), forum["thread"])

    lock = f"/forum/threads/{forum['thread']}/lock"
    form = moderator.get(lock).get_data(as_text=True)
    moderator.post(lock, data={"csrf_token": csrf_token(form), "reason": "Tråden er ferdig"})
    log = moderator.get("/forum/moderation").get_data(as_text=True)
    assert "Reklame for kurs" in log and "Tråden er ferdig" in log and "Ingen åpne meldinger" in log

    client = client_of(app, "kari@uib.no")
    page = _thread_page(client, forum["thread"])
    assert "Tråden er låst" in page
    response = client.post(
        f"/forum/threads/{forum['thread']}/reply",
        data={"csrf_token": csrf_token(page), "body": "Hei"},
    )
    assert response.status_code == 422


def test_posting_limit_holds_across_app_processes(app, database_url, forum):
    """Two app instances (as two hosts would run) share the count in the database
    (security's shared limiter: 3 posts a minute per person by default)."""
    from config import TestConfig
    from eventsys import create_app
    from eventsys.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = True

    hosts = [create_app(Config()), create_app(Config())]
    clients = [client_of(hosts[0], "kari@uib.no"), client_of(hosts[1], "kari@uib.no")]
    statuses = [
        _reply(clients[n % 2], forum["thread"], f"Innlegg {n}").status_code for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    for other in hosts:
        with other.app_context():
            db.engine.dispose()


def test_event_thread_is_for_participants_and_linked_from_the_event_page(
    app, client, login, make_user, make_event, network, forum
):
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.registration import operations as reg_ops

    event_id = make_event(**upcoming(), capacity=5)
    with app.app_context():
        kari = db.session.get(User, forum["member"])
        reg_ops.register(
            event_id, reg_ops.Person(email=kari.email, name=kari.name, user=kari), kari
        )
        database.commit()
    login("kari@uib.no")
    event_page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f"/forum/events/{event_id}" in event_page
    thread_url = client.get(f"/forum/events/{event_id}").location
    page = client.get(thread_url).get_data(as_text=True)
    assert "Seminar om studentengasjement" in page
    assert _reply(client, int(thread_url.rsplit("/", 1)[1]), "Gleder meg!").status_code == 302

    # Someone without a seat gets no access, and the page does not offer the link.
    stranger = client_of(app, "nils@uit.no")
    assert f"/forum/events/{event_id}" not in stranger.get(f"/events/{event_id}").get_data(
        as_text=True
    )
    assert stranger.get(thread_url).status_code == 403


def test_links_to_events_turn_into_cards(client, login, make_event, forum):
    event_id = make_event(**upcoming(), title="Ensomhet blant studenter")
    login("kari@uib.no")
    _reply(client, forum["thread"], f"Kom på http://localhost/events/{event_id} !")
    page = _thread_page(client, forum["thread"])
    assert 'class="card link-card"' in page and "Ensomhet blant studenter" in page


def test_search_finds_words_and_prefixes_in_published_posts_only(app, client, forum):
    page = client.get("/forum/search?q=ensomhet").get_data(as_text=True)
    assert "Treff: 1" in page or "Innlegg funnet: 1" in page
    page = client.get("/forum/search?q=mestr").get_data(as_text=True)
    assert "Innlegg funnet: 1" in page
    page = client.get("/forum/search?q=kari+ensomhet").get_data(as_text=True)
    assert "Innlegg funnet: 0" in page
    # A hidden post is no longer found.
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.forum import operations
    from eventsys.forum.models import ForumPost

    with app.app_context():
        post = db.session.scalar(db.select(ForumPost).where(ForumPost.author_id == forum["member"]))
        operations.moderate_post(db.session.get(User, forum["organiser"]), post, "hide", "spam")
        database.commit()
    page = client.get("/forum/search?q=mestring").get_data(as_text=True)
    assert "Innlegg funnet: 0" in page
