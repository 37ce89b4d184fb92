"""Factories for the resource bank tests."""

import pytest


@pytest.fixture
def themes(app):
    from eventsys import database
    from eventsys.themes.operations import ensure_seed_themes

    with app.app_context():
        ensure_seed_themes()
        database.commit()


@pytest.fixture
def organiser(make_user):
    return make_user("arrangement@kompetansenettverk.no", role="organiser", name="Ola Arrangør")


@pytest.fixture
def make_resource(app, themes, organiser):
    """A resource (published by the organiser unless `status` says otherwise); its id."""
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.resources import operations

    def make(
        title="Tiltak mot frafall",
        *,
        by=None,
        status="published",
        themes=(),
        event_id=None,
        organisation_id=None,
        file=None,
        **values,
    ):
        values = {"kind": "best_practice", "title": title, "language": "nb", "year": 2024} | values
        with app.app_context():
            user = db.session.get(User, by or organiser)
            resource = operations.create_resource(
                values,
                user,
                themes=list(themes),
                event_id=event_id,
                organisation_id=organisation_id,
                status=status,
            )
            if file:
                operations.attach_file(resource, file[0], file[1], user)
            database.commit()
            return resource.id

    return make


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (ASCII)."""
    from eventsys.demo.resources import simple_pdf

    return simple_pdf(text)
