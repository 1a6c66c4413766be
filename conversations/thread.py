"""A thread page's replies: one query, rendered in Python, nothing kept between requests.

A thread with a hundred replies took most of its time rendering the ``reply``
partial a hundred times (a dozen ``{% url %}``, date filters in the circle's
zone, the sanitizer, the moderation include), so it was kept in the cache per
reply and, around that, per viewer (docs/PERFORMANCE.md). Here a page costs
what it shows and is never older than the database:

- one ``values_list`` query reads every live reply with its author and thanks
  (``ROW_FIELDS``); the bodies and notes are HTML already, rendered by
  config.text when they were written (conversations.models.RenderedText);
- what every reply shares is worked out once per request (``ThreadView``):
  the URLs, from one ``reverse()`` each with a stand-in id; the month and
  weekday names of the language; the translated words; and the controls (the
  author's edit and delete, the flag link, a host's hide or restore), rendered
  from their templates with the stand-in id once per process, thread, kind of
  reply and language (``_controls_skeleton``, which holds no one's words or
  token), each reply then putting its own id in;
- each reply is then a few string formats (``REPLY``, below).

The live poll, a new reply and an edit show single replies through the same
code (the ``thread_reply`` tag of the ``reply`` partial), so the page and the
fragments cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from config.pagecache import CSRF_PLACEHOLDER, with_csrf_token
from conversations.forms import ReplyForm
from conversations.models import Thanks

if TYPE_CHECKING:
    from django.http import HttpRequest

    from conversations.models import Post, Reply

TEMPLATE = "conversations/post_detail.html"
# Stands for a reply's id in URLs and controls rendered once per request; no real id
# comes near it, and it is replaced whole (digits around it would make another number).
STAND_IN = "987654321012345"

# What a reply shows, in one query with its author and thanks (see ShownReply).
ROW_FIELDS = (
    "pk",
    "body_html",
    "created_at",
    "edited_at",
    "hidden_at",
    "author_id",
    "author__display_name",
    "author__email",
    "thanks__pk",
    "thanks__note_html",
    "thanks__given_by__display_name",
    "thanks__given_by__email",
)


def _name(display_name: str | None, email: str | None) -> str:
    """members.models.User.name, from the two columns."""
    return display_name or (email or "").split("@", 1)[0]


@dataclass(frozen=True, slots=True)
class ShownReply:
    """What one reply in a thread shows."""

    pk: int
    body_html: str  # config.text's output, stored with the reply
    created_at: dt.datetime
    edited_at: dt.datetime | None
    hidden: bool
    author_id: int | None
    author_name: str
    thanked: bool
    thanks_note_html: str  # config.text's output, stored with the thanks
    thanked_by: str  # "" when the asker's account is gone

    @classmethod
    def from_row(cls, row: tuple) -> ShownReply:
        (pk, body, created, edited, hidden_at, author_id, a_name, a_email) = row[:8]
        thanks_pk, note, t_name, t_email = row[8:]
        return cls(
            pk=pk,
            body_html=body,
            created_at=created,
            edited_at=edited,
            hidden=hidden_at is not None,
            author_id=author_id,
            author_name=_name(a_name, a_email) if author_id is not None else "",
            thanked=thanks_pk is not None,
            thanks_note_html=note or "",
            thanked_by=_name(t_name, t_email) if (t_name or t_email) else "",
        )

    @classmethod
    def from_reply(cls, reply: Reply) -> ShownReply:
        """From a Reply loaded with ``for_thread()`` (its author and thanks)."""
        author = reply.author
        try:
            thanks = reply.thanks
        except Thanks.DoesNotExist:
            thanks = None
        giver = thanks.given_by if thanks is not None else None
        return cls(
            pk=reply.pk,
            body_html=reply.body_html,
            created_at=reply.created_at,
            edited_at=reply.edited_at,
            hidden=reply.hidden_at is not None,
            author_id=reply.author_id,
            author_name=author.name if author is not None else "",
            thanked=thanks is not None,
            thanks_note_html=thanks.note_html if thanks is not None else "",
            thanked_by=giver.name if giver is not None else "",
        )


def shown_replies(post: Post) -> list[ShownReply]:
    """Every live reply of the post, oldest first, in one query."""
    rows = post.replies.live().order_by("pk").values_list(*ROW_FIELDS)
    return [ShownReply.from_row(row) for row in rows]


# One reply. Classes and structure are the stylesheet's (static/css); the words are
# ThreadView's, translated once per request; every value is escaped or config.text's HTML.
REPLY = (
    '<article class="reply card" id="reply-{pk}">\n'
    '  <p class="meta">\n'
    "    {author}\n"
    '    · <time datetime="{iso}" data-relative title="{long} ({zone})">{short}</time>\n'
    "    {edited}\n"
    "  </p>\n"
    '  <div class="prose">{body}</div>\n'
    "{thanks}{controls}</article>\n"
)
HIDDEN = (
    '<article class="reply card reply-hidden" id="reply-{pk}">\n'
    '  <p class="thread-notice">{notice}</p>\n'
    "</article>\n"
)
THANKS = '  <div class="thanks">\n    <p class="thanks-title">{title}</p>\n{note}  </div>\n'
NOTE = '    <div class="prose">{note}</div>\n'
AUTHOR = '<a href="{url}">{name}</a>'
EDITED = '· <span class="edited" title="{iso}">{word}</span>'


class ThreadView:
    """What every reply on one page shares, for one viewer and request."""

    def __init__(self, request: HttpRequest, post: Post) -> None:
        circle = post.circle
        self.request = request
        self.post = post
        self.viewer_id = request.user.pk
        self.moderates = bool(getattr(post, "viewer_moderates", False))
        self.zone = circle.zone
        self.zone_name = escape(circle.time_zone)
        self.months = ["", *(str(MONTHS_3[n]).title() for n in range(1, 13))]
        self.weekdays = [str(WEEKDAYS_ABBR[n]) for n in range(7)]
        self.member_url = reverse("conversations:member", args=[circle.slug, STAND_IN])
        self.former = escape(gettext("A former member"))
        self.edited = escape(gettext("edited"))
        self.hidden_notice = escape(gettext("A reply hidden by a host."))
        self.thanked_by_asker = escape(gettext("Thanked by the asker"))
        self._controls: dict[tuple[bool, bool], str] = {}

    def _controls_for(self, reply: ShownReply) -> str:
        """The reply's controls: its author's edit and delete, the flag, a host's forms."""
        own = reply.author_id is not None and reply.author_id == self.viewer_id
        kind = (own, reply.hidden)
        html = self._controls.get(kind)
        if html is None:
            post = self.post
            skeleton = _controls_skeleton(
                post.circle.slug,
                post.pk,
                post.get_absolute_url(),
                own=own,
                hidden=reply.hidden,
                moderates=self.moderates,
                language=translation.get_language(),
            )
            html = with_csrf_token(self.request, skeleton)
            self._controls[kind] = html
        return html.replace(STAND_IN, str(reply.pk))

    def _when(self, moment: dt.datetime) -> tuple[str, str, str]:
        """ISO in UTC, 'Tue 3 Mar 2026, 07:12' and '3 Mar, 07:12' in the circle's zone
        (Django's 'c', 'D j M Y, H:i' and 'j M, H:i' date formats)."""
        local = moment.astimezone(self.zone)
        month, clock = self.months[local.month], f"{local.hour:02d}:{local.minute:02d}"
        day = f"{local.day} {month}"
        long = f"{self.weekdays[local.weekday()]} {day} {local.year}, {clock}"
        return moment.astimezone(dt.UTC).isoformat(), long, f"{day}, {clock}"

    def html(self, reply: ShownReply) -> str:
        if reply.hidden and not self.moderates:
            return HIDDEN.format(pk=reply.pk, notice=self.hidden_notice)
        if reply.author_id is not None:
            url = self.member_url.replace(STAND_IN, str(reply.author_id))
            author = AUTHOR.format(url=url, name=escape(reply.author_name))
        else:
            author = self.former
        iso, long, short = self._when(reply.created_at)
        edited = ""
        if reply.edited_at is not None:
            edited_iso = reply.edited_at.astimezone(dt.UTC).isoformat()
            edited = EDITED.format(iso=edited_iso, word=self.edited)
        thanks = ""
        if reply.thanked:
            if reply.thanked_by:
                title = escape(gettext("Thanked by %(name)s") % {"name": reply.thanked_by})
            else:
                title = self.thanked_by_asker
            note = NOTE.format(note=reply.thanks_note_html) if reply.thanks_note_html else ""
            thanks = THANKS.format(title=title, note=note)
        return REPLY.format(
            pk=reply.pk,
            author=author,
            iso=iso,
            long=long,
            zone=self.zone_name,
            short=short,
            edited=edited,
            body=reply.body_html,
            thanks=thanks,
            controls=self._controls_for(reply),
        )

    def render(self, replies: list[ShownReply]) -> SafeString:
        # Escaped values, config.text's stored HTML and our own templates only.
        return mark_safe("".join(self.html(reply) for reply in replies))  # noqa: S308


# Who the controls' templates see as the viewer, and as the author of their own reply.
_VIEWER = -1


@lru_cache(maxsize=4096)
def _controls_skeleton(
    slug: str, post_pk: int, post_url: str, *, own: bool, hidden: bool, moderates: bool, language
) -> str:
    """A kind of reply's controls, with the stand-in id and config.pagecache's CSRF placeholder.

    A pure function of its arguments (and of the templates, which change only with a
    deploy, which starts new processes), so each process renders it once per thread,
    kind of reply and language: it holds no one's words and no one's token.
    """
    item = SimpleNamespace(pk=STAND_IN, author_id=_VIEWER if own else None, hidden_at=hidden)
    post = SimpleNamespace(pk=post_pk, circle=SimpleNamespace(slug=slug), get_absolute_url=post_url)
    # Without a request or the context processors: these few values are all it reads.
    return get_template(f"{TEMPLATE}#reply-controls").render(
        {
            "item": item,
            "own": own,
            "post": post,
            "is_moderator": moderates,
            "request": SimpleNamespace(user=SimpleNamespace(pk=_VIEWER), get_full_path=post_url),
            "csrf_token": CSRF_PLACEHOLDER,
        }
    )


def view_for(request: HttpRequest, post: Post) -> ThreadView:
    """The request's ThreadView for this post (one per request, however many replies)."""
    views = request.__dict__.setdefault("_thread_views", {})
    if post.pk not in views:
        views[post.pk] = ThreadView(request, post)
    return views[post.pk]


def render_thread(request: HttpRequest, post: Post) -> tuple[SafeString, int, int]:
    """Every live reply, in order: the HTML, the newest reply's id (0 when none), how many."""
    replies = shown_replies(post)
    html = view_for(request, post).render(replies)
    return html, (replies[-1].pk if replies else 0), len(replies)


def reply_html(request: HttpRequest, reply: Reply) -> SafeString:
    """One reply (``reply.post`` set by the access helper), as the thread page shows it."""
    view = view_for(request, reply.post)
    return view.render([ShownReply.from_reply(reply)])


def thread_context(request: HttpRequest, post: Post, **extra: object) -> dict[str, object]:
    """The thread page's context: the post, its replies' HTML and the poll's cursor."""
    if post.is_hidden and not post.viewer_moderates:
        replies_html, cursor, reply_count = mark_safe(""), 0, 0  # members see only a notice
    else:
        replies_html, cursor, reply_count = render_thread(request, post)
    context: dict[str, object] = {
        "circle": post.circle,
        "post": post,
        "replies_html": replies_html,
        "reply_count": reply_count,
        "cursor": cursor,
        "is_author": post.author_id is not None and post.author_id == request.user.pk,
        "is_moderator": post.viewer_moderates,
        "reply_form": ReplyForm(),
    }
    context.update(extra)
    return context
