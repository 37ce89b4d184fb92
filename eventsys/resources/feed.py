"""The Atom feed of newly published resources (feedgenerator, not hand-written XML)."""

from __future__ import annotations

import feedgenerator

from eventsys.content.markdown import render
from eventsys.resources.models import Resource


def atom(
    title: str, link: str, feed_url: str, resources: list[Resource], url_of, language: str
) -> str:
    feed = feedgenerator.Atom1Feed(
        title=title,
        link=link,
        feed_url=feed_url,
        description=title,
        language=language,
        feed_guid=feed_url,
    )
    for resource in resources:
        url = url_of(resource)
        feed.add_item(
            title=resource.title,
            link=url,
            description=str(render(resource.summary)),
            unique_id=url,
            pubdate=resource.published_at,
            updateddate=resource.updated_at,
            author_name=", ".join(resource.authors or []) or None,
            categories=[t.code for t in resource.themes],
        )
    return feed.writeString("utf-8")
