"""A thread's replies rendered once and kept in the cache, each keyed by everything it shows.

A thread page renders every reply through the ``reply`` partial of
conversations/post_detail.html: the author's link, the time, the body through
the sanitizer, any thanks, the author's own edit and delete, the flag link and,
for hosts, the hide or restore form. With a hundred replies that is most of
the page's time, and it is nearly always the same HTML as last time.

So each reply's HTML is cached under a key made of every value the partial
reads: the reply's id, body, edit and hide times, author and thanks; the circle's
slug and time zone; whether the viewer wrote it and whether they moderate (the
two things that change the controls); and a digest of the templates and the
sanitizer, so a deploy that changes them starts afresh. Nothing needs
invalidating: a change to anything shown is a new key. The CSRF token inside a
form is written as config.pagecache's placeholder and swapped for the viewer's
own token on the way out, as the signed-out pages are.

Times are absolute ("23 Nov, 07:12" in the circle's zone) in the cached HTML;
static/js/conversations.js shows them as "5 minutes ago".
"""

from __future__ import annotations

import hashlib
from functools import cache as memoize
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from config import text
from config.pagecache import CSRF_PLACEHOLDER, with_csrf_token

if TYPE_CHECKING:
    from django.http import HttpRequest

    from conversations.models import Post

TEMPLATE = "conversations/post_detail.html"
# Every template whose output ends up inside a cached reply.
TEMPLATES = (TEMPLATE, "moderation/_thread_controls.html", "moderation/_actions.html")
SECONDS = 24 * 60 * 60


@memoize
def _templates_digest() -> str:
    """The templates and the sanitizer: a deploy that changes either starts afresh."""
    digest = hashlib.blake2b(digest_size=8)
    files = [get_template(name).origin.name for name in TEMPLATES] + [text.__file__]
    for name in files:
        with open(name, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


# Every value the partial shows, read without building model instances; the
# replies whose HTML is not cached yet are then loaded whole to render them.
KEY_FIELDS = (
    "pk",
    "body",  # edits set edited_at, but staff may change a body in the admin
    "edited_at",
    "hidden_at",
    "author_id",
    "author__display_name",
    "author__email",
    "thanks__pk",
    "thanks__note",
    "thanks__given_by__display_name",
    "thanks__given_by__email",
)


def _key(values: tuple[object, ...], post: Post, *, viewer_id: int, moderates: bool) -> str:
    author_id = values[4]
    shown = (
        values,
        author_id is not None and author_id == viewer_id,
        moderates,
        post.pk,
        post.circle.slug,
        post.circle.time_zone,
        translation.get_language(),
        _templates_digest(),
    )
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    return f"reply-html:{values[0]}:{digest}"


def render_thread(request: HttpRequest, post: Post) -> tuple[SafeString, int, int]:
    """Every live reply through the ``reply`` partial, in order, from the cache where it is.

    Returns the HTML, the newest reply's id (0 when none) and how many there are.
    """
    rows = list(post.replies.live().order_by("pk").values_list(*KEY_FIELDS))
    if not rows:
        return mark_safe(""), 0, 0  # noqa: S308 - nothing at all
    moderates = post.viewer_moderates
    keys = [_key(row, post, viewer_id=request.user.pk, moderates=moderates) for row in rows]
    found = cache.get_many(keys)
    missing = {row[0]: key for row, key in zip(rows, keys, strict=True) if key not in found}
    if missing:
        rendered = {}
        for reply in post.replies.live().filter(pk__in=missing).for_thread():
            reply.post = post
            context = {
                "reply": reply,
                "post": post,
                "is_moderator": moderates,
                "csrf_token": CSRF_PLACEHOLDER,
            }
            rendered[missing[reply.pk]] = render_to_string(f"{TEMPLATE}#reply", context, request)
        cache.set_many(rendered, SECONDS)
        found.update(rendered)
    # A reply deleted between the two queries has no HTML: it is simply left out.
    html = with_csrf_token(request, "".join(found.get(key, "") for key in keys))
    # Our own template's output, made from sanitized text (config.text).
    return mark_safe(html), rows[-1][0], len(rows)  # noqa: S308
