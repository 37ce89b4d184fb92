"""Fixtures for the årshjul's database, page and feed tests (the pure rules and the
feed builder have their own tests without an app)."""

from __future__ import annotations

import pytest

ORGANISER = ("arrangement@kompetansenettverk.no", "riktig-passord-1")


@pytest.fixture
def make_item(app):
    """A cycle item through the operation (defaults: a public deadline on 15 February
    with a reminder 14 days before); returns its id."""
    from eventsys import database
    from eventsys.arshjul import operations

    def make(**overrides) -> int:
        values = dict(
            title_nb="Budsjettfrist for eierne",
            title_en="" if "title_nb" in overrides else "Budget deadline for the owners",
            description="Eierne melder inn budsjettet.",
            category="deadline",
            audience="public",
            link="",
            recurrence_kind="fixed_date",
            month=2,
            day=15,
            all_day=True,
            reminder_days=14,
        )
        values.update(overrides)
        with app.app_context():
            item = operations.create_item(values, None)
            database.commit()
            return item.id

    return make


@pytest.fixture
def follow(app):
    """Let a user (by e-mail) follow categories."""
    from eventsys import database
    from eventsys.arshjul import operations
    from eventsys.auth.operations import find_user

    def do(email: str, *categories: str) -> None:
        with app.app_context():
            operations.set_follows(find_user(email), categories)
            database.commit()

    return do


@pytest.fixture
def set_locale(app):
    from eventsys import database
    from eventsys.auth.operations import find_user

    def do(email: str, locale: str) -> None:
        with app.app_context():
            find_user(email).locale = locale
            database.commit()

    return do


@pytest.fixture
def organiser(make_user, login):
    """An organiser, logged in on `client`."""
    make_user(ORGANISER[0], ORGANISER[1], role="organiser", name="Ola Nordmann")
    login(*ORGANISER)
    return ORGANISER[0]
