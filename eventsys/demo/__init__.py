"""A realistic demo of the network, loaded by `eventsys demo` into a new database.

Each area of the domain adds its demo as a module of this package and one step in
`STEPS`; a step gets the demo users by e-mail and returns lines saying what it loaded.
Demo passwords are printed by `eventsys demo` and listed in the README; they are for a
local demo database only.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from eventsys.auth.models import User
from eventsys.demo import arshjul, checkin, community, events, finance, resources
from eventsys.demo.events import DEMO_PASSWORD
from eventsys.extensions import db
from eventsys.organisations.models import Organisation

__all__ = ["DEMO_PASSWORD", "STEPS", "has_data", "load"]

# In order: later steps may use what earlier ones made.
STEPS = [
    events.load_events,
    arshjul.load_cycle,
    finance.load_finance,
    checkin.load_checkin,
    resources.load_resources,
    community.load_community,  # after every event, so each seminar gets its thread
]


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Organisation))) or bool(
        db.session.scalar(select(func.count()).select_from(User))
    )


def load() -> list[str]:
    """Add the demo rows (flushes; the caller commits) and say what was loaded."""
    users, lines = events.load_network()
    for step in STEPS:
        lines += step(users)

    # The demo's own e-mails are kept in the outbox as sent: loading it must not
    # mail (or log) dozens of confirmations.
    from eventsys.mail.models import OutboundMail

    db.session.execute(update(OutboundMail).values(sent_at=func.now(), claimed_by="demo"))
    return lines
