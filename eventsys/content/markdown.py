"""The one Markdown renderer for everything users write (resource summaries, forum
posts, newsletters).

Two locks, so one mistake does not open the door: markdown-it-py renders with raw
HTML switched off (typed tags come out as text) and accepts only http(s) and mailto
links; nh3 (the Rust `ammonia` sanitiser) then keeps only an allow-list of tags and
attributes, drops every event handler and style, and again only http(s)/mailto URLs.
"""

from __future__ import annotations

import re
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

ALLOWED_TAGS = frozenset(
    {
        "a", "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _link_allowed(url: str) -> bool:
    match = _SCHEME.match(url)
    return bool(match) and match.group(1).lower() in ALLOWED_SCHEMES


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _link_allowed
    # Images would load third-party content (tracking), and the page's CSP blocks them
    # anyway: ![alt](url) becomes a link to the image.
    md.add_render_rule("image", _image_as_link)
    return md


def _image_as_link(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    return f'<a href="{escape(src)}">{escape(alt or src)}</a>'


_md = _parser()


def _demote_h1(html: str) -> str:
    # A page has one h1 (its title); user headings start at h2.
    return re.sub(r"<(/?)h1>", r"<\1h2>", html)


def render(text: str | None) -> Markup:
    """Markdown to safe HTML (a Markup, so templates do not escape it again)."""
    if not text:
        return Markup("")
    html = _demote_h1(_md.render(text))
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )
    return Markup(clean)


def plain_text(text: str | None) -> str:
    """The words of a Markdown text without markup (for search, feeds, snippets)."""
    if not text:
        return ""
    html = _md.render(text)
    stripped = nh3.clean(html, tags=set(), strip_comments=True)
    # nh3 leaves entities; unescape them into plain characters.
    return re.sub(r"\s+", " ", unescape(stripped)).strip()
