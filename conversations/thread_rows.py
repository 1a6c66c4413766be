"""A thread's replies as HTML, written in Python from the rows conversations/thread.py reads.

Each reply is one ``str.format`` of a template made once per request and kind
of reply (``RowWriter._template``): the reply's words around it (the circle's
zone, its controls with this viewer's CSRF token) are already in, and only the
reply's own values go in per row. Everything else a row needs is worked out
once and kept where it cannot go stale:

- the translated words, and the month and weekday names, once per process and
  language (``_words``);
- the author link's URL, once per process (config/urlshapes.py), each author's
  link once per request;
- a time's two local formats once per process, minute, zone and language
  (``_minute``: replies written in the same minute share them);
- the controls (the author's edit and delete, the flag link, a host's hide or
  restore) once per process, thread, kind of reply and language, rendered from
  their templates with a stand-in id and the CSRF placeholder
  (``_controls_skeleton``, which holds no one's words or token); the post's own
  controls the same way (``post_controls``), and one CSRF token for the page.

A row is the tuple of ``thread.ROW`` (its times in microseconds since 1970); a
Reply loaded with ``for_thread()`` (the live poll, a new or an edited reply)
becomes the same tuple (``row_of``), so the page and the fragments cannot drift
apart. Every value is escaped, or is config.text's HTML stored with the reply or thanks.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from html import escape  # django.utils.html.escape without its lazy-string wrapper
from types import SimpleNamespace
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from config.dates import short_names_in
from config.pagecache import CSRF_PLACEHOLDER
from config.urlshapes import ID_MARKS, SLUG_MARK, UrlShapes
from conversations.models import Thanks
from members.models import shown_name

if TYPE_CHECKING:
    from django.http import HttpRequest

    from conversations.models import Post, Reply

TEMPLATE = "conversations/post_detail.html"
# Stands for a reply's id in the controls rendered once per process; no real id comes
# near it, and it is replaced whole (digits around it would make another number).
STAND_IN = "987654321012345"

# One reply: {0} its id, {1} the author, {2} to {4} its time (ISO, long, short), {5} the
# edit mark, {6} its body, {7} the thanks. Classes and structure are the stylesheet's
# (static/css). The zone's name and the controls go in once per request (_template).
REPLY = (
    '<article class="reply card" id="reply-{0}">\n'
    '  <p class="meta">\n'
    "    {1}\n"
    '    · <time datetime="{2}" data-relative title="{3} (%(zone)s)">{4}</time>\n'
    "    {5}\n"
    "  </p>\n"
    '  <div class="prose">{6}</div>\n'
    "{7}%(controls)s</article>\n"
)
HIDDEN = (
    '<article class="reply card reply-hidden" id="reply-{0}">\n'
    '  <p class="thread-notice">%(notice)s</p>\n'
    "</article>\n"
)
THANKS = '  <div class="thanks">\n    <p class="thanks-title">{title}</p>\n{note}  </div>\n'
NOTE = '    <div class="prose">{note}</div>\n'
AUTHOR = '<a href="{url}">{name}</a>'
EDITED = '· <span class="edited" title="{iso}">{word}</span>'


def _literal(text: str) -> str:
    """Text to put in a format template: its braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


class Words(NamedTuple):
    """What every row of a language reads, translated and escaped."""

    former: str
    edited: str
    hidden_notice: str
    thanked_by_asker: str
    thanked_by: str  # "Thanked by %(name)s", not escaped: the name goes in first


@lru_cache(maxsize=16)
def _words(language: str | None) -> Words:
    """The words of the active language (``language`` is its code: the cache's key)."""
    return Words(
        former=escape(gettext("A former member")),
        edited=escape(gettext("edited")),
        hidden_notice=escape(gettext("A reply hidden by a host.")),
        thanked_by_asker=escape(gettext("Thanked by the asker")),
        thanked_by=gettext("Thanked by %(name)s"),
    )


@lru_cache(maxsize=8192)
def _minute(minute: int, time_zone: str, language: str | None) -> tuple[str, str]:
    """'Tue 3 Mar 2026, 07:12' and '3 Mar, 07:12' (Django's 'D j M Y, H:i' and 'j M, H:i')
    in a zone, for a minute since 1970 (UTC).

    Every zone's offset has been whole minutes since 1972, so a minute in UTC is one
    minute in the zone, whatever the seconds.
    """
    weekdays, months = short_names_in(language)
    local = (_EPOCH + dt.timedelta(minutes=minute)).astimezone(ZoneInfo(time_zone))
    day = f"{local.day} {months[local.month]}"
    clock = f"{local.hour:02d}:{local.minute:02d}"
    return f"{weekdays[local.weekday()]} {day} {local.year}, {clock}", f"{day}, {clock}"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MINUTE = 60_000_000  # microseconds


def _utc_iso(micros: int) -> str:
    """Django's 'c' date format, in UTC, of a moment in microseconds since 1970."""
    return (_EPOCH + dt.timedelta(microseconds=micros)).isoformat()


def utc_iso(moment: dt.datetime) -> str:
    """An aware datetime as ``{{ moment|utc|date:'c' }}`` writes it."""
    return moment.astimezone(dt.UTC).isoformat()


def when(moment: dt.datetime, time_zone: str) -> tuple[str, str, str]:
    """An aware datetime as a reply's time shows it: in UTC for the script (Django's 'c'),
    then 'D j M Y, H:i' and 'j M, H:i' in the zone, in the active language."""
    minute = _micros(moment) // _MINUTE
    return utc_iso(moment), *_minute(minute, time_zone, translation.get_language())


def _micros(moment: dt.datetime | None) -> int | None:
    """An aware datetime as thread.EpochMicroseconds reads it."""
    return None if moment is None else (moment - _EPOCH) // dt.timedelta(microseconds=1)


def _row_urls(slug: str, post: str, member: str) -> dict[str, str]:
    return {
        "post": reverse("conversations:post", kwargs={"slug": slug, "post_id": post}),
        "member": reverse("conversations:member", kwargs={"slug": slug, "user_id": member}),
    }


_URLS = UrlShapes(_row_urls, slug=SLUG_MARK, post=ID_MARKS[1], member=ID_MARKS[0])


def row_of(reply: Reply) -> tuple:
    """A Reply loaded with ``for_thread()`` (its author and thanks) as a row of the query."""
    author = reply.author
    try:
        thanks = reply.thanks
    except Thanks.DoesNotExist:
        thanks = None
    giver = thanks.given_by if thanks is not None else None
    return (
        reply.pk,
        reply.body_html,
        _micros(reply.created_at),
        _micros(reply.edited_at),
        reply.hidden_at is not None,
        reply.author_id,
        author.display_name if author is not None else None,
        author.email if author is not None else None,
        thanks.pk if thanks is not None else None,
        thanks.note_html if thanks is not None else None,
        giver.display_name if giver is not None else None,
        giver.email if giver is not None else None,
    )


class RowWriter:
    """What every reply on one page shares, for one viewer and request."""

    def __init__(self, request: HttpRequest, post: Post) -> None:
        circle = post.circle
        self.request = request
        self.post = post
        self.viewer_id = request.user.pk
        self.moderates = bool(getattr(post, "viewer_moderates", False))
        self.time_zone = circle.time_zone
        self.language = translation.get_language()
        self.words = _words(self.language)
        urls = _URLS.urls(post=str(post.pk), slug=circle.slug)  # a row swaps its author in
        self.post_url, self.member_url = urls["post"], urls["member"]
        self.member_mark = _URLS.markers["member"]
        self.hidden = HIDDEN % {"notice": _literal(self.words.hidden_notice)}
        self._authors: dict[int | None, str] = {None: self.words.former}
        self._templates: dict[tuple[bool, bool], str] = {}
        self._token: str | None = None

    def csrf_token(self) -> str:
        """The request's CSRF token, one for every form on the page (its template's too)."""
        if self._token is None:
            self._token = get_token(self.request)
        return self._token

    def _controls(self, kind: str, *, own: bool, hidden: bool) -> str:
        """The post's or a kind of reply's controls, with this viewer's token."""
        post = self.post
        skeleton = _controls_skeleton(
            kind,
            post.circle.slug,
            post.pk,
            self.post_url,
            own=own,
            hidden=hidden,
            moderates=self.moderates,
            language=self.language,
        )
        if CSRF_PLACEHOLDER in skeleton:
            skeleton = skeleton.replace(CSRF_PLACEHOLDER, self.csrf_token())
        return skeleton

    def post_controls(self) -> SafeString:
        """The post's flag link, and a host's hide or restore (moderation/_thread_controls.html)."""
        post = self.post
        own = post.author_id is not None and post.author_id == self.viewer_id
        html = self._controls("post", own=own, hidden=post.hidden_at is not None)
        return mark_safe(html)  # noqa: S308 - our own template, rendered with our own values

    def _template(self, own: bool, hidden: bool) -> str:
        """A kind of reply's template, its controls in with this viewer's token."""
        controls = _literal(self._controls("reply", own=own, hidden=hidden))
        controls = controls.replace(STAND_IN, "{0}")
        template = REPLY % {"zone": _literal(escape(self.time_zone)), "controls": controls}
        self._templates[(own, hidden)] = template
        return template

    def _author(self, author_id: int, display_name: str | None, email: str | None) -> str:
        url = self.member_url.replace(self.member_mark, str(author_id))
        html = self._authors[author_id] = AUTHOR.format(
            url=url, name=escape(shown_name(display_name, email))
        )
        return html

    def _thanks(self, note_html: str | None, display_name: str | None, email: str | None) -> str:
        if display_name or email:
            name = shown_name(display_name, email)
            title = escape(self.words.thanked_by % {"name": name})
        else:
            title = self.words.thanked_by_asker
        note = NOTE.format(note=note_html) if note_html else ""
        return THANKS.format(title=title, note=note)

    def write(self, rows: list) -> str:
        """The rows' HTML, in their order."""
        out = []
        moderates, viewer_id, time_zone, language = (
            self.moderates, self.viewer_id, self.time_zone, self.language,
        )  # fmt: skip
        authors, templates, edited_word = self._authors, self._templates, self.words.edited
        for (pk, body, created, edited, hidden, author_id, a_name, a_email,
             thanks_pk, note, t_name, t_email) in rows:  # fmt: skip
            if hidden and not moderates:
                out.append(self.hidden.format(pk))
                continue
            author = authors.get(author_id) or self._author(author_id, a_name, a_email)
            iso = _utc_iso(created)
            long, short = _minute(created // _MINUTE, time_zone, language)
            mark = "" if edited is None else EDITED.format(iso=_utc_iso(edited), word=edited_word)
            thanks = "" if thanks_pk is None else self._thanks(note, t_name, t_email)
            own = author_id is not None and author_id == viewer_id
            template = templates.get((own, hidden)) or self._template(own, hidden)
            out.append(template.format(pk, author, iso, long, short, mark, body, thanks))
        return "".join(out)


# Who the controls' templates see as the viewer, and as the author of their own words.
_VIEWER = -1
# The controls' templates: a reply's (its author's edit and delete, then the moderation
# include), and the post's (the moderation include, as post_detail.html included it).
_CONTROLS = {"reply": f"{TEMPLATE}#reply-controls", "post": "moderation/_thread_controls.html"}


@lru_cache(maxsize=4096)
def _controls_skeleton(
    kind: str,
    slug: str,
    post_pk: int,
    post_url: str,
    *,
    own: bool,
    hidden: bool,
    moderates: bool,
    language: str | None,
) -> str:
    """The post's or a kind of reply's controls, with config.pagecache's CSRF placeholder
    (and, for a reply, the stand-in id).

    A pure function of its arguments (and of the templates, which change only with a
    deploy, which starts new processes), so each process renders it once per thread,
    kind of reply and language: it holds no one's words and no one's token.
    """
    pk = STAND_IN if kind == "reply" else post_pk
    item = SimpleNamespace(pk=pk, author_id=_VIEWER if own else None, hidden_at=hidden)
    post = SimpleNamespace(pk=post_pk, circle=SimpleNamespace(slug=slug), get_absolute_url=post_url)
    # Without a request or the context processors: these few values are all it reads.
    return get_template(_CONTROLS[kind]).render(
        {
            "item": item,
            "kind": kind,
            "own": own,
            "post": post,
            "is_moderator": moderates,
            "request": SimpleNamespace(user=SimpleNamespace(pk=_VIEWER), get_full_path=post_url),
            "csrf_token": CSRF_PLACEHOLDER,
        }
    )
