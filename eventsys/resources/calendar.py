"""External conferences in the public årshjul feed (category `conference`), with
their submission deadline as an entry of its own. Registered as a source of the feed
(see arshjul.operations._contributed), so the årshjul never imports the bank."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventsys import formatting
from eventsys.arshjul import ical
from eventsys.arshjul.rules import Category
from eventsys.database import local_date
from eventsys.extensions import db
from eventsys.resources.models import Resource, ResourceKind, ResourceStatus


def conference_entries(categories, start: date | None, end: date | None, lang: str):
    """(feed events, last change) for published conferences: each conference over its
    days, and its deadline for submissions as a one-day entry."""
    if categories is not None and Category.CONFERENCE not in list(categories):
        return [], None
    query = select(Resource).where(
        Resource.kind == ResourceKind.conference,
        Resource.status == ResourceStatus.published,
        Resource.starts_on.is_not(None),
    )
    if start is not None and end is not None:
        query = query.where(
            func.coalesce(Resource.ends_on, Resource.starts_on) >= start,
            func.coalesce(Resource.deadline, Resource.starts_on) < end,
        )
    else:
        # The feed looks ahead; last year's conferences are history.
        query = query.where(Resource.starts_on >= local_date() - timedelta(days=365))
    conferences = list(db.session.scalars(query))
    base = current_app.config["EVENTSYS_BASE_URL"]
    host = ical.host_of(base)
    lang = "en" if lang == "en" else "nb"
    label = ical.CATEGORY_LABELS[lang][Category.CONFERENCE]
    events = []
    with force_locale(lang):
        for conference in conferences:
            url = f"{base}/resources/{conference.id}"
            last_day = conference.ends_on or conference.starts_on
            description = url
            if conference.deadline:
                description = (
                    _(
                        "Deadline for submissions: %(day)s",
                        day=formatting.day(conference.deadline, "long"),
                    )
                    + f"\n{url}"
                )
            events.append(
                ical.FeedEvent(
                    id=1_000_000 + conference.id,  # after the network's own events
                    uid=f"resource-{conference.id}@{host}",
                    title=conference.title,
                    start=conference.starts_on,
                    end=last_day + timedelta(days=1),
                    url=url,
                    description=description,
                    location=conference.location or "",
                    categories=(label,),
                    last_modified=conference.updated_at,
                )
            )
            if conference.deadline and (start is None or start <= conference.deadline < end):
                events.append(
                    ical.FeedEvent(
                        id=2_000_000 + conference.id,
                        uid=f"resource-{conference.id}-deadline@{host}",
                        title=_("Deadline: %(title)s", title=conference.title),
                        start=conference.deadline,
                        end=conference.deadline + timedelta(days=1),
                        url=url,
                        categories=(label,),
                        last_modified=conference.updated_at,
                    )
                )
    changed = max((c.updated_at for c in conferences), default=None)
    return events, changed


def event_materials(event_ids: list[int]) -> tuple[dict[int, dict], datetime | None]:
    """For the årshjul: per event, where its own published materials are ("own") and
    where last year's edition's are ("previous"), as page paths (the event page's
    materials section), None when there are none; and the newest change among them
    (the feeds' Last-Modified). Registered in app.extensions["arshjul_event_materials"]."""
    from eventsys.events.models import Event
    from eventsys.resources.operations import materials_of, previous_editions

    events = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(event_ids)))}
    previous = previous_editions(list(events.values()))
    ids = list(events) + [p.id for p in previous.values() if p is not None]
    materials = materials_of(ids)

    def path(event_id: int | None) -> str | None:
        if event_id is None or not materials.get(event_id):
            return None
        return f"/events/{event_id}#materials-heading"

    found = {
        event_id: {
            "ends_at": event.ends_at,
            "own": path(event_id),
            "previous": path(previous[event_id].id if previous[event_id] else None),
        }
        for event_id, event in events.items()
    }
    stamps = [r.updated_at for rs in materials.values() for r in rs]
    return found, max(stamps) if stamps else None
