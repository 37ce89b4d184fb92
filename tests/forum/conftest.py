import pytest


@pytest.fixture
def forum(app, make_user):
    """Themes with their categories, an organiser, a verified member with one
    published post, and a new verified member."""
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.forum import operations
    from eventsys.themes.operations import ensure_seed_themes

    organiser = make_user("ola@nettverket.no", role="organiser", name="Ola Organisator")
    member = make_user("kari@uib.no", name="Kari Hansen")
    newbie = make_user("nils@uit.no", name="Nils Ny")
    with app.app_context():
        ensure_seed_themes()
        operations.ensure_theme_categories()
        category = db.session.scalar(
            db.select(operations.ForumCategory).where(
                operations.ForumCategory.slug == "mental_health"
            )
        )
        thread = operations.create_thread(
            db.session.get(User, organiser), category, "Velkommen", "Fortell om **ensomhet**."
        )
        kari = db.session.get(User, member)
        post = operations.reply(kari, thread, "Første innlegg fra Kari om mestring.")
        operations.moderate_post(db.session.get(User, organiser), post, "approve", "")
        ids = {
            "organiser": organiser,
            "member": member,
            "newbie": newbie,
            "category": category.id,
            "thread": thread.id,
            "slug": category.slug,
        }
        database.commit()
    return ids
