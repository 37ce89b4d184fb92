"""Full-text search over forum posts: one interface, two backends.

- SQLite: an FTS5 table `forum_search` (rowid = post id, column `body`).
- PostgreSQL: a table `forum_search` (post_id, a `tsvector` of the 'simple'
  configuration) with a GIN index.

The migration makes the table by hand on each database; `reindex()` keeps a post's row
in step (only published posts are searchable) and `search()` answers: every word of
the query must occur, as a word or the start of one, in the same post, on both
databases alike. Only posts in category threads are found (event threads belong to
their participants)."""

from __future__ import annotations

import re

from sqlalchemy import text

from eventsys.content.markdown import plain_text
from eventsys.extensions import db

INDEX_TABLE = "forum_search"
_WORD = re.compile(r"\w+", re.UNICODE)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def words(query: str | None) -> list[str]:
    """The words of a query, lower-case, at most eight."""
    return [w.lower() for w in _WORD.findall(query or "")][:8]


def reindex(post_id: int, body: str | None, searchable: bool) -> None:
    """Put the post's text into the index (or take it out). In the caller's transaction."""
    postgres = _dialect() == "postgresql"
    key = "post_id" if postgres else "rowid"
    db.session.execute(text(f"DELETE FROM {INDEX_TABLE} WHERE {key} = :id"), {"id": post_id})
    if not searchable:
        return
    words_of_post = plain_text(body)
    if postgres:
        db.session.execute(
            text(
                f"INSERT INTO {INDEX_TABLE} (post_id, document) "
                "VALUES (:id, to_tsvector('simple', :body))"
            ),
            {"id": post_id, "body": words_of_post},
        )
    else:
        db.session.execute(
            text(f"INSERT INTO {INDEX_TABLE} (rowid, body) VALUES (:id, :body)"),
            {"id": post_id, "body": words_of_post},
        )


def matching_post_ids(query: str | None, limit: int = 50) -> list[int]:
    """Ids of published posts in category threads that match every word, best first."""
    found = words(query)
    if not found:
        return []
    if _dialect() == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in found)
        sql = (
            f"SELECT s.post_id FROM {INDEX_TABLE} s "
            "JOIN forum_posts p ON p.id = s.post_id "
            "JOIN forum_threads t ON t.id = p.thread_id "
            "WHERE s.document @@ to_tsquery('simple', :q) AND p.state = 'published' "
            "AND t.category_id IS NOT NULL "
            "ORDER BY ts_rank(s.document, to_tsquery('simple', :q)) DESC, s.post_id DESC "
            "LIMIT :limit"
        )
        params = {"q": tsquery, "limit": limit}
    else:
        match = " ".join('"' + w.replace('"', '""') + '"*' for w in found)
        sql = (
            f"SELECT s.rowid FROM {INDEX_TABLE} s "
            "JOIN forum_posts p ON p.id = s.rowid "
            "JOIN forum_threads t ON t.id = p.thread_id "
            f"WHERE {INDEX_TABLE} MATCH :q AND p.state = 'published' "
            "AND t.category_id IS NOT NULL "
            f"ORDER BY bm25({INDEX_TABLE}), s.rowid DESC LIMIT :limit"
        )
        params = {"q": match, "limit": limit}
    return list(db.session.scalars(text(sql), params))
