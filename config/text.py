"""The one way user text becomes HTML.

Markdown is rendered by markdown-it-py in its safe ("js-default") mode, which
refuses raw HTML and dangerous link schemes; the result then passes nh3's
allow-list, which is the real guarantee: whatever the renderer emits, only
these tags and attributes survive, and every link gets rel="nofollow ugc
noopener". Nothing else in the project marks user text safe.
"""

from __future__ import annotations

from functools import lru_cache
from html import unescape

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable(
    ["strikethrough", "table"]
)

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Markdown from a person, as HTML safe to put in any page or email."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    return mark_safe(_sanitized_html(text))  # noqa: S308 - sanitized by nh3's allow-list


# A thread page renders the same bodies on every request and markdown-it is the
# costliest step of it (docs/PERFORMANCE.md). The output depends on the text
# alone, so each worker keeps the most recent few thousand results.
@lru_cache(maxsize=4096)
def _sanitized_html(text: str) -> str:
    html = _markdown.render(text)
    # Headings h1/h2 belong to the page; demote them before the allow-list.
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
    return clean


def render_plain(text: str, limit: int | None = None) -> str:
    """User text as plain words, for email subjects and previews (no markup)."""
    plain = _plain_words(text or "")
    if limit is not None and len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return plain


# The landing page, the directory and the board show the same previews on every
# request (the `plaintext` filter); like _sanitized_html, the words depend on the
# text alone, so each worker keeps the most recent few thousand.
@lru_cache(maxsize=4096)
def _plain_words(text: str) -> str:
    # nh3 returns HTML-escaped text; callers want words (templates escape again).
    return " ".join(unescape(nh3.clean(_markdown.render(text), tags=set())).split())
