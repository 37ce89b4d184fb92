"""Full-text search over the resource bank: one interface, two backends.

- SQLite: an FTS5 table `resource_search` (rowid = resource id) holding the stems of
  title, authors, summary and file text (analysis.index_terms), ranked by bm25.
- PostgreSQL: a table `resource_search` with a weighted `tsvector` built by the
  `norwegian` and `english` configurations, a GIN index, ranked by ts_rank.

Both are created by the migration and kept in step by `reindex()`, which the resource
operations call. A search is one query for the page of hits (ranked, filtered, with the
total count), one to load those resources, one for their themes: the number of queries
does not grow with the number of hits shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import Integer, column, func, literal_column, select, table, text
from sqlalchemy.orm import selectinload

from eventsys.content.markdown import plain_text
from eventsys.extensions import db
from eventsys.resources import analysis
from eventsys.resources.models import (
    Resource,
    ResourceKind,
    ResourceStatus,
    resource_themes,
)
from eventsys.themes.models import Theme

PER_PAGE = 20
# Tables the migration makes by hand per database; the model/migration comparison
# leaves them out (see migrations/env.py and tests/test_migrations.py).
INDEX_TABLE = "resource_search"
# Weights: a word in the title counts most, then authors, summary, file text.
BM25_WEIGHTS = (10.0, 5.0, 2.0, 1.0)


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    theme: str | None = None
    year: int | None = None
    language: str | None = None
    organisation_id: int | None = None
    upcoming_from: date | None = None  # conferences: only those not yet over


@dataclass
class Hit:
    resource: Resource
    title: Markup
    snippet: Markup


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def document(resource: Resource) -> dict[str, str]:
    """The searchable text of a resource, column by column."""
    return {
        "title": resource.title or "",
        "authors": " ".join(resource.authors or []),
        "summary": plain_text(resource.summary),
        "body": (resource.file.text if resource.file is not None else "") or "",
    }


def _indexed(resource: Resource) -> dict[str, str]:
    """What goes into the index: the document, with the names of the resource's
    themes (both languages) beside the summary, so "frafall" also finds what is filed
    under "Gjennomføring og frafall"."""
    doc = document(resource)
    names = " ".join(f"{t.name_nb} {t.name_en}" for t in resource.themes)
    doc["summary"] = f"{doc['summary']} {names}".strip()
    return doc


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def reindex(resource: Resource) -> None:
    """Bring the index row of one resource up to date (in the caller's transaction).
    Only published resources have one: the search finds nothing else, and a search
    without filters then needs no join to `resources` at all."""
    db.session.execute(text(f"DELETE FROM {INDEX_TABLE} WHERE {_key()} = :id"), {"id": resource.id})
    if resource.status != ResourceStatus.published:
        return
    doc = _indexed(resource)
    if _dialect() == "postgresql":
        db.session.execute(
            text(
                f"INSERT INTO {INDEX_TABLE} (resource_id, document) VALUES (:id, "
                "setweight(to_tsvector('norwegian', :title) || to_tsvector('english', :title), 'A') || "
                "setweight(to_tsvector('norwegian', :authors) || to_tsvector('english', :authors), 'B') || "
                "setweight(to_tsvector('norwegian', :summary) || to_tsvector('english', :summary), 'C') || "
                "setweight(to_tsvector('norwegian', :body) || to_tsvector('english', :body), 'D'))"
            ),
            {"id": resource.id, **doc},
        )
    else:
        db.session.execute(
            text(
                f"INSERT INTO {INDEX_TABLE} (rowid, title, authors, summary, body) "
                "VALUES (:id, :title, :authors, :summary, :body)"
            ),
            {"id": resource.id, **{k: analysis.index_terms(v) for k, v in doc.items()}},
        )


def _key() -> str:
    return "resource_id" if _dialect() == "postgresql" else "rowid"


def _filtered(query, filters: Filters):
    query = query.where(Resource.status == ResourceStatus.published)
    if filters.kind:
        query = query.where(Resource.kind == ResourceKind(filters.kind))
    if filters.year:
        query = query.where(Resource.year == filters.year)
    if filters.language:
        query = query.where(Resource.language == filters.language)
    if filters.organisation_id:
        query = query.where(Resource.organisation_id == filters.organisation_id)
    if filters.theme:
        query = query.where(
            Resource.id.in_(
                select(resource_themes.c.resource_id)
                .join(Theme, Theme.id == resource_themes.c.theme_id)
                .where(Theme.code == filters.theme)
            )
        )
    if filters.upcoming_from:
        query = query.where(
            func.coalesce(Resource.ends_on, Resource.starts_on) >= filters.upcoming_from
        )
    return query


def _ranked(query: analysis.Query, filtering: bool = True):
    """(select of resource id and rank, the order) for a text query; joined to
    `resources` only when `filtering` (the caller then adds the filters).

    Each backend matches and ranks in its index table alone, as a MATERIALIZED CTE of
    (id, rank): SQLite's bm25() works only in a query on the FTS table, and its
    planner may otherwise repeat the match for every row of `resources`; PostgreSQL
    would otherwise carry every matching tsvector through the count and the sort."""
    if _dialect() == "postgresql":
        index = table(INDEX_TABLE, column("resource_id", Integer), column("document"))
        norwegian = literal_column("'norwegian'::regconfig")
        english = literal_column("'english'::regconfig")
        tsquery = None
        for word in query.words:
            either = func.plainto_tsquery(norwegian, word).op("||")(
                func.plainto_tsquery(english, word)
            )
            tsquery = either if tsquery is None else tsquery.op("&&")(either)
        ranked = select(
            index.c.resource_id.label("id"), func.ts_rank(index.c.document, tsquery).label("rank")
        ).where(index.c.document.op("@@")(tsquery))
    else:
        index = table(INDEX_TABLE, column("rowid", Integer))
        bm25 = literal_column(f"bm25({INDEX_TABLE}, {', '.join(map(str, BM25_WEIGHTS))})")
        ranked = select(index.c.rowid.label("id"), bm25.label("rank")).where(
            literal_column(INDEX_TABLE).op("MATCH")(query.fts5())
        )
    cte = ranked.cte("ranked").prefix_with("MATERIALIZED")
    # ts_rank: higher is better; bm25: lower is better.
    order = [cte.c.rank.desc() if _dialect() == "postgresql" else cte.c.rank.asc()]
    if not filtering:
        # The index holds published resources alone: nothing to join.
        return select(cte.c.id, cte.c.rank), [*order, cte.c.id.desc()]
    stmt = select(Resource.id, cte.c.rank.label("rank")).join(cte, cte.c.id == Resource.id)
    return stmt, [*order, Resource.id.desc()]


def search(
    q: str | None, filters: Filters = Filters(), page: int = 1, per_page: int = PER_PAGE
) -> Results:
    """Published resources matching `q` (all of its words, any form) and the filters,
    best first; without `q`, the newest first (conferences: the soonest first)."""
    query = analysis.Query.parse(q)
    page = max(1, page)
    offset = (page - 1) * per_page
    if query:
        # Ranking needs every match anyway, so the total comes with the page.
        filtering = filters != Filters()
        ranked, order = _ranked(query, filtering)
        matching = _filtered(ranked, filters) if filtering else ranked
        stmt = matching.add_columns(func.count().over().label("total")).order_by(*order)
        rows = db.session.execute(stmt.limit(per_page).offset(offset)).all()
        if rows:
            total = rows[0].total
        elif page == 1:
            total = 0
        else:  # past the last page: the count alone
            total = db.session.scalar(select(func.count()).select_from(matching.subquery()))
    else:
        # Browsing: the page walks the date index and stops after it; the total is a
        # count of its own (a window count would read and sort every record).
        if filters.kind == ResourceKind.conference:
            order = [Resource.starts_on.asc(), Resource.id]
        else:
            order = [Resource.published_at.desc(), Resource.id.desc()]
        stmt = _filtered(select(Resource.id), filters).order_by(*order)
        rows = db.session.execute(stmt.limit(per_page).offset(offset)).all()
        total = db.session.scalar(_filtered(select(func.count(Resource.id)), filters))
    results = Results(page=page, per_page=per_page, total=total or 0)
    ids = [row.id for row in rows]
    loaded = {
        r.id: r
        for r in db.session.scalars(
            select(Resource)
            .where(Resource.id.in_(ids))
            .options(
                selectinload(Resource.themes),
                selectinload(Resource.file),
                selectinload(Resource.organisation),
            )
        )
    }
    for resource_id in ids:
        resource = loaded.get(resource_id)
        if resource is None:  # an index row outliving its record (SQLite has no FK)
            continue
        doc = document(resource)
        source = doc["summary"]
        if query and not any(analysis.matches(w, query.stem_set()) for w in analysis.words(source)):
            source = doc["body"] or source
        results.hits.append(
            Hit(
                resource=resource,
                title=analysis.mark_all(resource.title, query),
                snippet=analysis.highlight(source, query),
            )
        )
    return results
