"""Template tags other apps use to show a circle's conversations in their pages."""

from __future__ import annotations

from functools import lru_cache
from html import escape  # django.utils.html.escape without its lazy-string wrapper
from typing import TYPE_CHECKING

from django import template
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from circles.access import membership_of
from config.compiled import CompiledQuery
from config.urlshapes import ID_MARKS, SLUG_MARK, UrlShapes
from conversations import thread_rows
from conversations.models import Kind, Post, PostStatus, Reply

if TYPE_CHECKING:
    from circles.models import Circle

register = template.Library()

RECENT_POSTS = 5

# The section's links, reversed once per process (config/urlshapes.py); a row swaps
# its post's id in for the "post" marker.
_URLS = UrlShapes(
    lambda slug, post: {
        "board": reverse("conversations:board", kwargs={"slug": slug}),
        "create": reverse("conversations:post_create", kwargs={"slug": slug}),
        "post": reverse("conversations:post", kwargs={"slug": slug, "post_id": post}),
    },
    slug=SLUG_MARK,
    post=ID_MARKS[0],
)

_CIRCLE_ID = -(2**62) + 21  # the marker for the circle's id (config/compiled.py)


def _recent_posts_query(circle_id: int, *, limit: int):
    """The latest shown posts with their live reply counts: just what a row shows."""
    live_replies = (
        Reply.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True)
        .order_by()
        .values("post")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Post.objects.shown()
        .filter(circle_id=circle_id)
        .annotate(reply_count=Coalesce(Subquery(live_replies), 0))
        .order_by("-last_activity_at", "-pk")
        .values_list("pk", "kind", "title", "status", "last_activity_at", "reply_count")[:limit]
    )


@lru_cache(maxsize=8)
def _recent_posts(limit: int) -> CompiledQuery:
    """The query for this many posts, compiled once per process (the LIMIT is in its SQL)."""
    return CompiledQuery(
        lambda circle_id: _recent_posts_query(circle_id, limit=limit), circle_id=_CIRCLE_ID
    )


# One post of the list, written in Python rather than by a template loop (the loop,
# its blocktranslate and three date filters cost more than the rest of the section).
# The whitespace is the loop's, so the page reads as it did byte for byte.
_ROW = (
    '\n        <li class="post-row">'
    '\n          <span class="tag tag-{kind}">{kind_label}</span>'
    '\n          <a class="post-row-title" href="{url}">{title}</a>'
    "\n          {resolved}"
    '\n          <span class="meta">{replies} · <time datetime="{utc}" data-relative'
    ' title="{long} ({zone})">{short}</time></span>'
    "\n        </li>\n      "
)
_RESOLVED = '<span class="tag tag-resolved">{}</span>'
# The times are written as a reply's are (thread_rows.when: the template's |utc|date:'c',
# and |date:'D j M Y, H:i' and |date:'j M, H:i' in the circle's zone);
# tests/conversations/test_circle_recent_posts.py holds them to Django's own formats.


def _rows(circle: Circle, rows: list, post_url: str) -> SafeString:
    """The posts' <li>s; every value from a post (its title, kind) is escaped here."""
    kinds = {value: escape(str(label)) for value, label in Kind.choices}  # translated once
    resolved = _RESOLVED.format(escape(gettext("Resolved")))
    zone_name = escape(circle.time_zone)
    post_url = escape(post_url)
    marker = ID_MARKS[0]
    reply_labels: dict[int, str] = {}  # one ngettext per count shown, not per row
    written = []
    for pk, kind, title, status, last_activity_at, reply_count in rows:
        utc, long, short = thread_rows.when(last_activity_at, circle.time_zone)
        replies = reply_labels.get(reply_count)
        if replies is None:
            replies = reply_labels[reply_count] = escape(
                ngettext("%(count)s reply", "%(count)s replies", reply_count)
                % {"count": reply_count}
            )
        written.append(
            _ROW.format(
                kind=escape(kind),
                kind_label=kinds.get(kind) or escape(kind),
                url=post_url.replace(marker, str(pk)),
                title=escape(title),
                resolved=resolved if status == PostStatus.RESOLVED else "",
                replies=replies,
                utc=utc,
                long=escape(long),
                zone=zone_name,
                short=escape(short),
            )
        )
    return mark_safe("".join(written))  # noqa: S308 - every value escaped above


@register.inclusion_tag("conversations/includes/circle_recent.html")
def circle_recent_posts(circle: Circle, user, limit: int = RECENT_POSTS) -> dict[str, object]:
    """{% circle_recent_posts circle user %}: the latest posts with reply counts.

    Posts hidden by a host are left out of this preview.

    At most two queries whatever the circle's size: whether this person sees
    the inside (active member or staff; none when the page already knows), and
    the posts with their live reply counts. The count is a subquery, so only
    the few posts shown are counted, not every post of the circle. People who
    may not see the inside get nothing rendered, so the caller cannot leak a
    private board by forgetting its own check.

    The posts query is compiled once per process and read as tuples
    (config/compiled.py), the links reversed once per process
    (config/urlshapes.py), and the rows written here in Python; the template
    keeps the section's frame.
    """
    allowed = bool(user is not None and user.is_authenticated) and (
        user.is_staff or membership_of(user, circle) is not None
    )
    if not allowed:
        return {"allowed": False}
    urls = _URLS.urls(slug=circle.slug)
    rows = _recent_posts(limit).rows(circle_id=circle.pk)
    return {
        "allowed": True,
        "rows": _rows(circle, rows, urls["post"]) if rows else "",
        "board_url": urls["board"],
        "create_url": urls["create"],
    }
