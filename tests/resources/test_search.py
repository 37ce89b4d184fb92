"""Full-text search: the same tests run on SQLite (FTS5) and PostgreSQL (tsvector)."""

import pytest
from sqlalchemy import event

from tests.resources.conftest import tiny_pdf


def _search(app, q=None, **filters):
    from eventsys.resources import search

    with app.app_context():
        results = search.search(q, search.Filters(**filters))
        return [h.resource.title for h in results.hits], results


def test_stemming_finds_other_forms_in_norwegian_and_english(app, make_resource):
    make_resource("Frafall blant studenter i første studieår")
    make_resource("Dropout prevention in higher education", language="en")
    make_resource("Studentøkonomi og deltidsjobb")
    titles, _r = _search(app, "studentene")
    assert titles == ["Frafall blant studenter i første studieår"]
    titles, _r = _search(app, "dropouts")
    assert titles == ["Dropout prevention in higher education"]
    titles, _r = _search(app, "frafallet studentene")  # every word must match
    assert titles == ["Frafall blant studenter i første studieår"]


def test_search_covers_summary_authors_and_pdf_text(app, make_resource):
    make_resource("Læringsmiljøundersøkelsen", summary="Om **ensomhet** på campus")
    make_resource("Rapport fra samskipnaden", authors=["Berg, Lise"])
    make_resource(
        "Presentasjon fra seminaret",
        kind="presentation",
        file=("lysark.pdf", tiny_pdf("Kollokviegrupper reduserer frafall")),
    )
    assert _search(app, "ensomhet")[0] == ["Læringsmiljøundersøkelsen"]
    assert _search(app, "Berg")[0] == ["Rapport fra samskipnaden"]
    titles, results = _search(app, "kollokviegruppene")
    assert titles == ["Presentasjon fra seminaret"]
    assert "<mark>Kollokviegrupper</mark>" in str(results.hits[0].snippet)


def test_title_match_ranks_first_and_snippet_is_highlighted(app, make_resource):
    make_resource("Mentorordning", summary="Et tiltak som også reduserer frafall i praksis.")
    make_resource("Frafall i profesjonsutdanninger", summary="Kartlegging.")
    titles, results = _search(app, "frafall")
    assert titles == ["Frafall i profesjonsutdanninger", "Mentorordning"]
    assert str(results.hits[0].title) == "<mark>Frafall</mark> i profesjonsutdanninger"
    assert "reduserer <mark>frafall</mark> i praksis" in str(results.hits[1].snippet)


def test_snippets_escape_what_users_wrote(app, make_resource):
    make_resource("Frafall", summary="frafall <script>alert(1)</script>")
    _titles, results = _search(app, "frafall")
    snippet = str(results.hits[0].snippet)
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_filters(app, make_resource, make_org):
    from eventsys.extensions import db
    from eventsys.resources.models import Resource

    uib = make_org("Universitetet i Bergen", ["uib.no"])
    make_resource("Frafall A", themes=["completion"], year=2023, organisation_id=uib)
    make_resource("Frafall B", themes=["mental_health"], year=2024, language="en", kind="report")
    make_resource("Frafall C", status="submitted")  # not public: never found
    assert _search(app, "frafall", theme="completion")[0] == ["Frafall A"]
    assert _search(app, "frafall", year=2024)[0] == ["Frafall B"]
    assert _search(app, "frafall", language="en")[0] == ["Frafall B"]
    assert _search(app, "frafall", kind="report")[0] == ["Frafall B"]
    assert _search(app, "frafall", organisation_id=uib)[0] == ["Frafall A"]
    assert sorted(_search(app, None)[0]) == ["Frafall A", "Frafall B"]
    with app.app_context():
        assert db.session.query(Resource).count() == 3


def test_edits_reach_the_index(app, make_resource, organiser):
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.resources import operations
    from eventsys.resources.models import Resource

    rid = make_resource("Studiestart")
    assert _search(app, "fadderuke")[0] == []
    with app.app_context():
        resource = db.session.get(Resource, rid)
        operations.update_resource(
            resource,
            {"summary": "Fadderukene som førstesemestertiltak"},
            db.session.get(User, organiser),
        )
        database.commit()
    assert _search(app, "fadderuke")[0] == ["Studiestart"]


def test_only_published_records_are_found_through_the_whole_flow(app, make_resource, organiser):
    """The index holds published records alone: publishing puts a record in, sending
    it back or withdrawing takes it out, with and without filters."""
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.resources import operations
    from eventsys.resources.models import Resource

    rid = make_resource("Mentorordning mot frafall", status="submitted", year=2025)
    make_resource("Frafall i tall", year=2025)

    def step(action):
        with app.app_context():
            operations.move(db.session.get(Resource, rid), action, db.session.get(User, organiser))
            database.commit()

    def found():
        plain = _search(app, "frafall")[0]
        assert _search(app, "frafall", year=2025)[0] == plain
        return sorted(plain)

    assert found() == ["Frafall i tall"]
    step("publish")
    assert found() == ["Frafall i tall", "Mentorordning mot frafall"]
    step("withdraw")
    assert found() == ["Frafall i tall"]
    assert _search(app, "mentorordning")[1].total == 0


def test_odd_queries_do_not_break(app, make_resource):
    make_resource("Frafall")
    for q in ['"', "AND OR NOT", "frafall*", "(", "NEAR(a b)", "'; DROP TABLE resources; --", "ø"]:
        titles, _r = _search(app, q)
        assert isinstance(titles, list)


@pytest.mark.parametrize("hits", [1, 25])
def test_query_count_does_not_grow_with_hits(app, make_resource, hits):
    for n in range(hits):
        make_resource(
            f"Frafall nummer {n}",
            themes=["completion", "mental_health"],
            file=("a.pdf", tiny_pdf(f"frafall {n}")) if n % 2 else None,
        )
    from eventsys.extensions import db
    from eventsys.resources import search

    with app.app_context():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            results = search.search("frafall")
            for hit in results.hits:  # what the page reads
                _ = [t.code for t in hit.resource.themes], hit.resource.organisation, hit.snippet
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert results.total == hits
    assert len(statements) <= 6, statements


def test_theme_names_are_searchable_in_both_languages(app, make_resource):
    make_resource("Kollokviegrupper", themes=["completion"])
    make_resource("Studentboliger", themes=["student_finances"])
    assert _search(app, "frafall")[0] == ["Kollokviegrupper"]
    assert _search(app, "dropout")[0] == ["Kollokviegrupper"]


def test_pages_and_totals(app, make_resource):
    from eventsys.resources import search

    for n in range(5):
        make_resource(f"Frafall {n}")
    make_resource("Studentøkonomi")
    with app.app_context():
        first = search.search("frafall", page=1, per_page=2)
        last = search.search("frafall", page=3, per_page=2)
        beyond = search.search("frafall", page=9, per_page=2)
        browse = search.search(None, page=2, per_page=4)
    assert (first.total, first.pages, len(first.hits)) == (5, 3, 2)
    assert (last.total, len(last.hits)) == (5, 1)
    assert (beyond.total, beyond.hits) == (5, [])
    assert (browse.total, len(browse.hits)) == (6, 2)
