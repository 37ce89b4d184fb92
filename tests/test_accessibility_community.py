"""WCAG 2.1 AA (axe-core in Chromium) on the forum, newsletter and people pages, in
bokmål and English, and a forum reply written with the keyboard alone."""

# ruff: noqa: F811  (the fixtures of test_accessibility.py, imported by name)
from __future__ import annotations

import pytest

from tests.test_accessibility import PASSWORD, _login, _violations, browser, site  # noqa: F401


@pytest.fixture
def community(app, site):
    """Forum content, a newsletter, a resource person with a profile and a host."""
    from datetime import date

    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.events.models import Event
    from eventsys.extensions import db
    from eventsys.forum import operations as forum
    from eventsys.forum.models import ForumCategory
    from eventsys.newsletters import operations as newsletters
    from eventsys.organisations.models import Organisation
    from eventsys.people import operations as people
    from eventsys.themes.operations import ensure_seed_themes

    with app.app_context():
        ensure_seed_themes()
        forum.ensure_theme_categories()
        ola = db.session.scalar(db.select(User).where(User.email == "ola@nettverket.no"))
        admin = db.session.scalar(db.select(User).where(User.email == "admin@nettverket.no"))
        jonas = db.session.scalar(db.select(User).where(User.email == "jonas@bi.no"))
        category = db.session.scalar(
            db.select(ForumCategory).where(ForumCategory.slug == "mental_health")
        )
        thread = forum.create_thread(ola, category, "Ensomhet", "Hva **virker**? /events/1")
        post = forum.reply(jonas, thread, "Faste kollokviegrupper.")
        forum.report(jonas, post, "Test")
        issue = newsletters.create_issue(ola, "Vårbrev", "## Hei\n\nInnhold.", "nb", [])
        uib = db.session.scalar(db.select(Organisation))
        people.appoint(admin, uib, "jonas@bi.no", date(2025, 1, 1), date(2030, 12, 31))
        people.save_profile(jonas, {"title": "Rådgiver", "region": "vest", "bio": "Om meg"})
        event = db.session.get(Event, site["event"])
        people.add_host(ola, event, "jonas@bi.no")
        database.commit()
        ids = {"thread": thread.id, "post": post.id, "issue": issue.id, "org": uib.id}
    return ids


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_community_pages_meet_wcag_21_aa(browser, site, community, lang):
    base, event = site["url"], site["event"]
    pages = {
        None: [
            "/forum",
            "/forum/c/mental_health",
            f"/forum/threads/{community['thread']}",
            "/forum/search?q=ensomhet",
            "/newsletters",
            "/newsletter/subscribe",
            "/people",
            "/people?region=vest",
        ],
        "jonas@bi.no": [
            f"/forum/threads/{community['thread']}",
            "/forum/c/mental_health/new",
            f"/forum/posts/{community['post']}/edit",
            f"/forum/posts/{community['post']}/report",
            "/forum/following",
            "/account/newsletter",
            "/people/me",
            "/account/hosting",
            "/dashboard",  # a host's dashboard: the events they host
        ],
        "ola@nettverket.no": [
            "/forum/moderation",
            f"/forum/posts/{community['post']}/moderate/hide",
            f"/forum/threads/{community['thread']}/lock",
            "/organiser/newsletters",
            "/organiser/newsletters/new",
            f"/organiser/newsletters/{community['issue']}",
            f"/newsletters/{community['issue']}",
            f"/organiser/events/{event}/hosts",
        ],
        "admin@nettverket.no": ["/admin/people", f"/admin/people/{community['org']}"],
    }
    problems = []
    for who, paths in pages.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if who:
            _login(page, site, who)
        for path in paths:
            url = base + path + ("&" if "?" in path else "?") + f"lang={lang}"
            problems += _violations(page, url)
            assert page.locator("html").get_attribute("lang") == lang
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
def test_reply_in_the_forum_with_the_keyboard_only(browser, site, community):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, site, "jonas@bi.no")
    page.goto(site["url"] + f"/forum/threads/{community['thread']}")
    for _ in range(80):  # Tab to the reply box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "body":
            break
    else:
        pytest.fail("the reply box cannot be reached with Tab")
    page.keyboard.type("Skrevet med tastaturet.")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Send svar"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Skrevet med tastaturet." in page.locator("main").inner_text()
    context.close()
