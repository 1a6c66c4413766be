"""A thread page: the post, its replies written in Python, nothing kept between requests.

A thread with a hundred replies took most of its time rendering the ``reply``
partial a hundred times (a dozen ``{% url %}``, date filters in the circle's
zone, the sanitizer, the moderation include), so it was kept in the cache per
reply and, around that, per viewer (docs/PERFORMANCE.md). Here a page costs
what it shows and is never older than the database:

- the post comes with the reader's role in one query (conversations.access.post_for_reader,
  only the columns the page shows);
- one query reads every live reply with its author and thanks (``ROW``),
  compiled to SQL once per process (config/compiled.py) and read as tuples, the
  times as integers (``EpochMicroseconds``); the bodies and notes are HTML
  already, rendered by config.text when they were written
  (conversations.models.RenderedText);
- conversations/thread_rows.py writes the rows, with what every reply shares
  worked out once per request or process (the words, URLs, times and controls),
  and the post's own controls and times the same way;
- the page's links come from URL shapes (config/urlshapes.py), and the empty
  reply form's textarea is rendered once per process and language.

The live poll, a new reply and an edit show single replies through the same
code (the ``thread_reply`` tag of the ``reply`` partial), so the page and the
fragments cannot drift apart. docs/PERFORMANCE.md ("Thread with 100 replies,
uncached") has the measurements.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.db import NotSupportedError
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, Func, Q
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from config.compiled import CompiledQuery
from config.urlshapes import ID_MARKS, SLUG_MARK, UrlShapes
from conversations import thread_rows
from conversations.forms import ReplyForm
from conversations.models import Reply
from conversations.thread_rows import RowWriter, row_of

if TYPE_CHECKING:
    from django.http import HttpRequest

    from conversations.models import Post


class EpochMicroseconds(Func):
    """A datetime column as whole microseconds since 1970-01-01 UTC, an integer.

    Reading a hundred datetimes cost 0.4 ms of Python parsing them (Django's loader
    for PostgreSQL's timestamptz); an integer is read in C, and a reply's time
    strings are written from it (thread_rows.RowWriter). Exact on both databases:
    PostgreSQL's EXTRACT(EPOCH) is numeric; SQLite holds Django's
    'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC, its whole seconds and digits read apart.
    """

    arity = 1
    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"EpochMicroseconds is not written for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra):
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = (
            "(CAST(round((julianday(substr(%(expressions)s, 1, 19)) - 2440587.5) * 86400)"
            " AS INTEGER) * 1000000"
            " + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))"
        )
        return super().as_sql(compiler, connection, template=template, **extra)


# What a reply shows, with its author and thanks: a row for thread_rows.RowWriter, whose
# ``row_of`` makes the same row of a Reply.
ROW = (
    "pk",
    "body_html",
    EpochMicroseconds("created_at"),
    EpochMicroseconds("edited_at"),  # None when never edited
    ExpressionWrapper(Q(hidden_at__isnull=False), output_field=BooleanField()),
    "author_id",
    "author__display_name",
    "author__email",
    "thanks__pk",
    "thanks__note_html",
    "thanks__given_by__display_name",
    "thanks__given_by__email",
)

# Stands for the post's id while the query compiles (no post has a negative id).
_POST_ID = -(2**62) + 31

_REPLIES = CompiledQuery(
    lambda post_id: Reply.objects.live().filter(post_id=post_id).order_by("pk").values_list(*ROW),
    post_id=_POST_ID,
)


def reply_rows(post: Post) -> list:
    """Every live reply of the post, oldest first, as rows of ``ROW``, in one query."""
    return _REPLIES.rows(post_id=post.pk)


def writer_for(request: HttpRequest, post: Post) -> RowWriter:
    """The request's RowWriter for this post (one per request, however many replies)."""
    writers = request.__dict__.setdefault("_thread_writers", {})
    if post.pk not in writers:
        writers[post.pk] = RowWriter(request, post)
    return writers[post.pk]


def _html(html: str) -> SafeString:
    # Escaped values, config.text's stored HTML and our own templates only.
    return mark_safe(html)  # noqa: S308


def render_thread(request: HttpRequest, post: Post) -> tuple[SafeString, int, int]:
    """Every live reply, in order: the HTML, the newest reply's id (0 when none), how many."""
    rows = reply_rows(post)
    html = _html(writer_for(request, post).write(rows))
    return html, (rows[-1][0] if rows else 0), len(rows)


def reply_html(request: HttpRequest, reply: Reply) -> SafeString:
    """One reply (``reply.post`` set by the access helper), as the thread page shows it."""
    return _html(writer_for(request, reply.post).write([row_of(reply)]))


# The page's own links (post_detail.html), reversed once per process with markers in
# place of the slug and ids (config/urlshapes.py); each page swaps its own in.
_POST_URLS = (
    "post_edit",
    "post_delete",
    "post_resolve",
    "post_reopen",
    "reply_poll",
    "reply_create",
)


def _page_urls(slug: str, post: str, author: str) -> dict[str, str]:
    urls = {
        name: reverse(f"conversations:{name}", kwargs={"slug": slug, "post_id": post})
        for name in _POST_URLS
    }
    urls["board"] = reverse("conversations:board", kwargs={"slug": slug})
    urls["author"] = reverse("conversations:member", kwargs={"slug": slug, "user_id": author})
    return urls


_URLS = UrlShapes(_page_urls, slug=SLUG_MARK, post=ID_MARKS[1], author=ID_MARKS[0])


def page_urls(post: Post) -> dict[str, str]:
    """The thread page's links for this post (its partials' too: the poller, the reply form)."""
    author = str(post.author_id) if post.author_id is not None else _URLS.markers["author"]
    return _URLS.urls(post=str(post.pk), slug=post.circle.slug, author=author)


@lru_cache(maxsize=16)
def _blank_reply_field(language: str | None) -> SafeString:
    """An empty reply form's textarea: the same for every viewer and post, per language."""
    return ReplyForm()["body"].as_widget()


def thread_context(request: HttpRequest, post: Post, **extra: object) -> dict[str, object]:
    """The thread page's context: the post, its replies' HTML and the poll's cursor."""
    if post.is_hidden and not post.viewer_moderates:
        replies_html, cursor, reply_count = mark_safe(""), 0, 0  # members see only a notice
    else:
        replies_html, cursor, reply_count = render_thread(request, post)
    writer = writer_for(request, post)
    iso, long, short = thread_rows.when(post.created_at, post.circle.time_zone)
    context: dict[str, object] = {
        "circle": post.circle,
        "post": post,
        "urls": page_urls(post),
        "post_controls": writer.post_controls(),
        "post_time": {
            "iso": iso,
            "long": long,
            "short": short,
            "edited": thread_rows.utc_iso(post.edited_at) if post.edited_at else "",
        },
        "replies_html": replies_html,
        "reply_count": reply_count,
        "cursor": cursor,
        "is_author": post.author_id is not None and post.author_id == request.user.pk,
        "is_moderator": post.viewer_moderates,
        "reply_form": ReplyForm(),
        # One token for the page: its forms and, through "csrf_token" (which overrides
        # the context processor's), base.html's, the header's and the footer's.
        "csrf_token": writer.csrf_token(),
    }
    if "reply_form" not in extra:  # the empty form's field, as every empty one renders it
        context["reply_widget"] = _blank_reply_field(translation.get_language())
    context.update(extra)
    return context
