"""Words, stems and snippets: pure, property-tested."""

from hypothesis import given
from hypothesis import strategies as st

from eventsys.resources.analysis import Query, highlight, index_terms, stems


def test_norwegian_and_english_forms_share_a_stem():
    assert set(stems("studentene")) & set(stems("studenter"))
    assert set(stems("dropouts")) & set(stems("dropout"))
    assert "frafall" in index_terms("Frafallet, frafall!")


def test_query_for_fts5_quotes_every_stem():
    assert Query.parse('frafall "OR" NEAR(').fts5() == ('("frafall" OR "frafal") AND ("near")')
    assert Query.parse("frafall i høyere utdanning").words == ("frafall", "høyere", "utdanning")
    assert not Query.parse("  ,.;  ")


def test_snippet_window_marks_and_keeps_the_ending():
    text = " ".join(["ord"] * 40) + " om frafall blant studenter."
    snippet = str(highlight(text, Query.parse("frafall")))
    assert snippet.startswith("… ") and snippet.endswith("<mark>frafall</mark> blant studenter.")


@given(st.text(max_size=300), st.text(max_size=30))
def test_snippets_are_always_safe_html(text, q):
    snippet = str(highlight(text, Query.parse(q)))
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    assert snippet.count("<mark>") == snippet.count("</mark>")
