"""The one Markdown renderer: hostile input renders inert, ordinary Markdown works."""

import re

import pytest

from eventsys.content.markdown import plain_text, render

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[klikk](javascript:alert(1))",
    "[klikk](JaVaScRiPt:alert(1))",
    "[klikk]( javascript:alert(1))",
    "[klikk](jav&#x09;ascript:alert(1))",
    "[klikk](vbscript:msgbox(1))",
    "[klikk](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "![bilde](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">lenke</a>',
    '<div onmouseover="alert(1)">hold over</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)"></svg>',
    '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    "<!-- <script>alert(1)</script> -->",
    '<p style="position:fixed">overlay</p>',
]


def _tags(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_renders_inert(text):
    html = str(render(text))
    assert _tags(html) <= {"p", "a", "br", "em", "strong", "code"}, html
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<img" not in lowered
    # Inside real tags (escaped text like "&lt;img onerror=…" is harmless words):
    for tag in re.findall(r"<[a-z][^>]*>", lowered):
        tag = re.sub(r'"[^"]*"', '""', tag)  # attribute names only, not their values
        assert not re.search(r"\son[a-z]+\s*=", tag), html
        assert "style=" not in tag, html
    for href in re.findall(r'<a href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "mailto:")), html


def test_raw_html_is_shown_as_text_not_dropped():
    # A reader sees what the author typed, harmlessly.
    html = str(render("Bruk <b>fet</b> skrift"))
    assert "&lt;b&gt;fet&lt;/b&gt;" in html


def test_ordinary_markdown_renders():
    html = str(
        render(
            "# Tittel\n\n*kursiv*, **fet**, [UiB](https://www.uib.no) og "
            "[e-post](mailto:post@uib.no)\n\n- en\n- to"
        )
    )
    assert "<h2>Tittel</h2>" in html  # the page has the one h1
    assert "<em>kursiv</em>" in html and "<strong>fet</strong>" in html
    assert '<a href="https://www.uib.no" rel="nofollow noopener noreferrer ugc">UiB</a>' in html
    assert 'href="mailto:post@uib.no"' in html
    assert "<li>en</li>" in html


def test_relative_and_other_scheme_links_stay_text():
    html = str(render("[a](/admin) [b](ftp://x.example/f) [c](file:///etc/passwd)"))
    assert "<a" not in html


def test_images_become_links():
    html = str(render("![Plakat](https://www.uib.no/plakat.png)"))
    assert "<img" not in html
    assert '<a href="https://www.uib.no/plakat.png"' in html and ">Plakat</a>" in html


def test_template_filter_does_not_escape_twice(app):
    with app.app_context():
        template = app.jinja_env.from_string("{{ text|markdown }}")
        assert template.render(text="**fet** <i>") == "<p><strong>fet</strong> &lt;i&gt;</p>\n"


def test_plain_text_has_words_only():
    assert plain_text("# Frafall\n\n*Tiltak* mot [frafall](https://x.no) & <b>") == (
        "Frafall Tiltak mot frafall & <b>"
    )
    assert plain_text("") == ""
