"""The Atom feed of sent issues (feedgenerator, not hand-written XML)."""

from __future__ import annotations

import feedgenerator
from flask import current_app
from flask_babel import gettext as _

from eventsys.content.markdown import render
from eventsys.newsletters.models import Issue


def atom(issues: list[Issue], language: str) -> str:
    base = current_app.config["EVENTSYS_BASE_URL"]
    feed = feedgenerator.Atom1Feed(
        title=_("Newsletters from the competence network"),
        link=f"{base}/newsletters",
        feed_url=f"{base}/newsletters.atom",
        description=_("Newsletters from the competence network"),
        language=language,
        feed_guid=f"{base}/newsletters.atom",
    )
    for issue in issues:
        url = f"{base}/newsletters/{issue.id}"
        feed.add_item(
            title=issue.title,
            link=url,
            description=str(render(issue.body)),
            unique_id=url,
            pubdate=issue.sent_at,
            updateddate=issue.sent_at,
            categories=[t.code for t in issue.themes],
        )
    return feed.writeString("utf-8")
