"""A member's circle, meeting and thread pages, kept per viewer until the circle changes.

These pages are most of what a member opens, and each took 10 to 60 ms of
queries and template work (docs/PERFORMANCE.md) to show the same thing as last
time. So each page (its title, head and content, and the page around them) is
kept in the cache under the viewer and the circle's *generation*:

- Every write to anything such a page shows moves the circle's generation on
  (config/generations.py): the circle and its topics, memberships, meetings,
  RSVPs, agenda topics and votes, commitments, attendance, posts, replies,
  thanks, flags and introductions, on every save or delete (``connect``); the
  few writes that skip signals (``QuerySet.update``, ``bulk_create``) call
  ``circle_changed`` themselves. A person's save or delete moves on every circle
  they belong to or wrote in (their name is on those pages), and a Topic's moves
  on all of them.
- The key holds everything else the page depends on: the viewer, their name,
  whether they are staff, their time zone, the language of the request, and a
  digest of the templates, code and static files that render it, so a deploy
  starts afresh.
- Membership is a write in the circle, so a person removed, or made host, never
  gets a body kept from before: their next request takes the full path and its
  404 or its new buttons.
- A page that shows time-dependent things (a meeting starting, "next meeting")
  says until when its body holds (``fresh_until``); a body is never served past
  that, nor past ``settings.MEMBER_PAGE_SECONDS``.
- CSRF tokens inside forms are rendered as config.pagecache's placeholder and
  replaced with the viewer's own on the way out.
- The page around the body (header with the viewer's name and bell count) is
  kept with it, and served whole while the bell shows the same count and no
  flash message is waiting; otherwise the shell is rendered around the body.

Only signed-in, non-htmx GETs without a query string are kept. A lost key only
ever means the full path. The signed-in directory uses the same ``Keeper`` under
the directory's version (circles/views.py ``_signed_in_directory_page``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from config import generations
from config.pagecache import CSRF_PLACEHOLDER, with_csrf_token

SHELL = "includes/kept_page.html"
# The partials a kept page's template defines: its title, what it adds to <head>
# (may be empty) and its content block.
PARTS = ("title", "head", "body")
EVERY_CIRCLE = "circlegen:*"  # moved on by a Topic's rename, shown on every circle
# What a deploy may change that a kept page shows (``_code_digest``).
SOURCES = frozenset({".html", ".py", ".txt", ".js", ".css", ".svg"})


def _generation_key(slug: str) -> str:
    return f"circlegen:{slug}"


# --- Writes -------------------------------------------------------------------------


def circle_changed(*slugs: str) -> None:
    """Every page kept for these circles (by slug) is refused from now on."""
    if slugs:
        generations.bump(*(_generation_key(slug) for slug in set(slugs)))


def _slug_of(kind: str, pk: int | None) -> str | None:
    """The slug of the circle a meeting, post or reply is in (which never changes), or None.

    The answer is kept in the cache, so a burst of writes in one thread or
    meeting costs one query, not one each.
    """
    if pk is None:
        return None
    key = f"circleof:{kind}:{pk}"
    slug = cache.get(key)
    if slug is None:
        from circles.models import Circle
        from conversations.models import Post, Reply
        from meetings.models import Meeting

        lookups = {
            "circle": (Circle, "slug"),
            "meeting": (Meeting, "circle__slug"),
            "post": (Post, "circle__slug"),
            "reply": (Reply, "post__circle__slug"),
        }
        model, field = lookups[kind]
        slug = model.objects.filter(pk=pk).values_list(field, flat=True).first()
        if slug is None:  # gone already (a cascade): its circle's own delete moved it on
            return None
        cache.set(key, slug, generations.SECONDS)
    return slug


def _related_slug(instance: Any, field: str, kind: str) -> str | None:
    """The slug through ``instance.<field>``, without a query when that object is loaded."""
    cached = instance._state.fields_cache.get(field)
    if kind == "circle" and cached is not None:
        return cached.slug
    return _slug_of(kind, getattr(instance, f"{field}_id"))


def _changed_in_circle(field: str, kind: str):
    def receiver(sender: type, instance: Any, **kwargs: Any) -> None:
        circle_changed(*filter(None, [_related_slug(instance, field, kind)]))

    return receiver


def _circle_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    circle_changed(instance.slug)


def _circle_topics_changed(sender: type, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("pre_"):
        return
    from circles.models import Circle

    if isinstance(instance, Circle):
        circle_changed(instance.slug)
    else:  # topic.circles.add(...): the circles are in pk_set
        generations.bump(EVERY_CIRCLE)


def _topic_changed(sender: type, **kwargs: Any) -> None:
    generations.bump(EVERY_CIRCLE)


def person_changed(user_id: int) -> None:
    """A person's name shows on the pages of every circle they belong to, or once did, and
    where they wrote (staff may post and reply in circles they are not in)."""
    from circles.models import Membership
    from conversations.models import Post, Reply

    slugs = set(Membership.objects.filter(user_id=user_id).values_list("circle__slug", flat=True))
    slugs.update(Post.objects.filter(author_id=user_id).values_list("circle__slug", flat=True))
    slugs.update(
        Reply.objects.filter(author_id=user_id).values_list("post__circle__slug", flat=True)
    )
    circle_changed(*slugs)


def _person_saved(
    sender: type, instance: Any, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or (update_fields is not None and set(update_fields) <= {"last_login", "language"}):
        # New, so on no page yet; a sign-in, which no page shows; or their own language,
        # which is in their own pages' key (Keeper) and shows on nobody else's.
        return
    person_changed(instance.pk)


def _person_deleting(sender: type, instance: Any, **kwargs: Any) -> None:
    # Before the delete: it blanks their posts' and replies' author with an UPDATE,
    # which sends no signal, and afterwards nothing says where they wrote.
    person_changed(instance.pk)


def connect() -> None:
    from circles.models import Circle, Membership, Topic
    from conversations.models import Introduction, Post, Reply, Thanks
    from meetings.models import AgendaTopic, Attendance, Commitment, Meeting, Rsvp, Vote
    from members.models import User
    from moderation.models import Flag

    receivers: list[tuple[type, Any]] = [
        (Circle, _circle_saved),
        (Topic, _topic_changed),
        (Membership, _changed_in_circle("circle", "circle")),
        (Meeting, _changed_in_circle("circle", "circle")),
        (Post, _changed_in_circle("circle", "circle")),
        (Introduction, _changed_in_circle("circle", "circle")),
        (Flag, _changed_in_circle("circle", "circle")),
        (Reply, _changed_in_circle("post", "post")),
        (Thanks, _changed_in_circle("reply", "reply")),
    ]
    receivers += [
        (model, _changed_in_circle("meeting", "meeting"))
        for model in (Rsvp, AgendaTopic, Vote, Commitment, Attendance)
    ]
    post_save.connect(_person_saved, sender=User, weak=False, dispatch_uid="member-pages-User")
    for model, receiver in receivers:
        for signal in (post_save, post_delete):
            # weak=False: most are made here, held by nothing else (tests/test_cache_receivers.py).
            signal.connect(
                receiver, sender=model, weak=False, dispatch_uid=f"member-pages-{model.__name__}"
            )
    pre_delete.connect(
        _person_deleting, sender=User, weak=False, dispatch_uid="member-pages-User-deleting"
    )
    m2m_changed.connect(
        _circle_topics_changed,
        sender=Circle.topics.through,
        weak=False,
        dispatch_uid="member-pages-circle-topics",
    )


# --- Reads --------------------------------------------------------------------------


@memoize
def _code_digest() -> str:
    """The templates, the project's own code and its static files (a kept <head> names their
    hashed file names): a deploy that changes any starts afresh."""
    root = Path(settings.BASE_DIR)
    folders = {root / "templates", root / "config", root / "static"} | {
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(root) and ".venv" not in Path(app.path).parts
    }
    digest = hashlib.blake2b(digest_size=8)
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path.suffix in SOURCES and "migrations" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _messages_pending(request: HttpRequest) -> bool:
    return bool(len(messages.get_messages(request)))


class Keeper:
    """One request for a kept page: ``page`` is the kept body, or None and ``render`` keeps it.

    ``name`` and ``ids`` name the page (e.g. "meeting", its circle's slug and its pk).
    With the parts, the whole page around them is kept too (the header shows the
    viewer's name and bell count: the name is in the key, the count is read in the
    same round trip and compared), unless a flash message was shown in it.
    """

    def __init__(
        self,
        request: HttpRequest,
        name: str,
        *ids: object,
        generation_keys: list[str],
        seconds: int,
        query: bool = False,
    ) -> None:
        """``generation_keys``: what every write the page shows moves on; ``seconds``: how
        long it is kept at most; ``query``: the page's query string is one of ``ids``."""
        from notifications.services import unread_key

        self.request = request
        self.key: str | None = None
        self.seen: list[int] = []
        self.seconds = seconds
        self.unread: int | None = None
        self.entry: dict[str, Any] | None = None
        self.page: dict[str, str] | None = None
        user = request.user
        if (
            seconds <= 0
            or request.method != "GET"
            or (request.GET and not query)  # forms on the page carry the address ("next")
            or getattr(request, "htmx", False)
            or not user.is_authenticated
        ):
            return
        shown = (
            name,
            ids,
            user.pk,
            user.is_staff,
            user.time_zone,
            user.name,
            translation.get_language(),
        )
        digest = hashlib.blake2b(repr((*shown, _code_digest())).encode(), digest_size=16)
        self.key = f"memberpage:v2:{name}:{user.pk}:{digest.hexdigest()}"
        self.generation_keys = generation_keys
        bell_key = unread_key(user.pk)
        found = cache.get_many([self.key, *self.generation_keys, bell_key])
        self.seen = generations.current(self.generation_keys, found)
        self.unread = found.get(bell_key)
        entry = found.get(self.key)
        if entry is not None and entry["seen"] == self.seen and time.time() < entry["until"]:
            self.entry = entry
            self.page = entry["parts"]

    def response(self) -> HttpResponse:
        """The kept page with the viewer's own CSRF token: whole, or in a fresh shell."""
        assert self.entry is not None
        whole = self.entry["whole"]
        if whole is not None and whole[0] == self.unread and not _messages_pending(self.request):
            return self._answer(whole[1])
        return self._shell(self.entry)

    def render(
        self, template: str, context: dict[str, Any], *, fresh_until: dt.datetime | None = None
    ) -> HttpResponse:
        """Render ``template``'s parts, keep them (until ``fresh_until`` at most), answer."""
        if self.key is None:
            return render(self.request, template, context)
        context = {**context, "csrf_token": CSRF_PLACEHOLDER}
        parts = {
            part: render_to_string(f"{template}#{part}", context, self.request) for part in PARTS
        }
        until = time.time() + self.seconds
        if fresh_until is not None:
            until = min(until, fresh_until.timestamp())
        entry = {"seen": self.seen, "until": until, "parts": parts, "whole": None}
        return self._shell(entry)

    def _shell(self, entry: dict[str, Any]) -> HttpResponse:
        """The shell (header, bell, messages) rendered around the parts; the entry kept,
        with the whole page when no flash message went into it."""
        from notifications.templatetags.bell import bell_for

        request = self.request
        whole = not _messages_pending(request)  # asked before rendering shows them
        bell = bell_for(request.user, self.unread)
        kept = {name: mark_safe(html) for name, html in entry["parts"].items()}  # noqa: S308 - ours
        html = render_to_string(
            SHELL, {"kept": kept, "bell": bell, "csrf_token": CSRF_PLACEHOLDER}, request
        )
        seconds = int(entry["until"] - time.time())
        if seconds > 1 and not getattr(request, "_csp_nonce", None):
            if whole:
                entry = {**entry, "whole": (bell.unread, html)}
            cache.set(self.key, entry, seconds)
        return self._answer(html)

    def _answer(self, html: str) -> HttpResponse:
        return HttpResponse(with_csrf_token(self.request, html))


def circle_page(request: HttpRequest, name: str, slug: str, *ids: object) -> Keeper:
    """The keeper of one of a circle's pages (circle, meeting, thread) for this request."""
    return Keeper(
        request,
        name,
        slug,
        *ids,
        generation_keys=[_generation_key(slug), EVERY_CIRCLE],
        seconds=settings.MEMBER_PAGE_SECONDS,
    )


def soonest(*moments: dt.datetime | None) -> dt.datetime | None:
    """The earliest of ``moments`` still ahead (None when none is): when a page stops holding."""
    now = dt.datetime.now(dt.UTC)
    ahead = [moment for moment in moments if moment is not None and moment > now]
    return min(ahead) if ahead else None
