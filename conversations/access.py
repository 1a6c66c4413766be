"""Who may see or act on a post, reply or introduction. Views never decide by hand.

Each helper returns the object or raises: Http404 when the person may not see
it (a circle's posts are its active members' business only; an outsider never
learns a post exists), PermissionDenied when they may see it but not do this.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from circles.access import circle_for_member, hidden, membership_of
from circles.models import HOST_ROLES, Circle, Membership, Status
from config.compiled import CompiledQuery
from conversations.models import Introduction, Post, Reply

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def circle_for_reader(
    user: User | AnonymousUser, slug: str
) -> tuple[Circle, Membership | None, bool]:
    """The circle whose posts this person may read, their membership, and whether they moderate.

    The rule of circles.access.circle_for_member (active members, and staff;
    everyone else 404), reading the membership once so the thread and its
    poll also learn, for free, whether this person is a host, co-host or
    staff (who see hidden posts and replies, with their controls).
    """
    circle = get_object_or_404(Circle, slug=slug)
    if not user.is_authenticated:
        raise hidden(Circle)
    membership = membership_of(user, circle)
    if membership is None and not user.is_staff:
        raise hidden(Circle)
    return circle, membership, user.is_staff or membership.role in HOST_ROLES


# The columns a post's read loads, by the page's needs: "all" of the post, its circle and
# its author (what select_related would), or what the thread page shows ("thread": its
# template, its moderation include and conversations/thread.py; the post's markdown and
# the circle's settings stay in the database, and touching them would cost a query).
_THREAD_COLUMNS = (
    ("id", "circle_id", "author_id", "kind", "title", "body_html", "status", "in_the_room",
     "created_at", "edited_at", "deleted_at", "hidden_at"),
    ("id", "name", "slug", "time_zone"),
    ("id", "email", "display_name"),
)  # fmt: skip


@functools.cache
def _shape(columns: str) -> tuple[tuple[str, ...], ...]:
    """The post's, circle's and author's columns, each in its model's field order."""
    models = (Post, Circle, get_user_model())
    wanted = _THREAD_COLUMNS if columns == "thread" else [None] * 3
    return tuple(
        tuple(f.attname for f in model._meta.concrete_fields if names is None or f.attname in names)
        for model, names in zip(models, wanted, strict=True)
    )


def _post_query(user_id: int, slug: str, post_id: int, *, columns: str, deleted: bool):
    """The post, its circle, its author and the reader's active role there, as one row."""
    post, circle, author = _shape(columns)
    role = (
        Membership.objects.filter(circle_id=OuterRef("circle_id"), user_id=user_id)
        .filter(status=Status.ACTIVE)
        .order_by()  # one row at most (one membership per circle): no sort, no join
        .values("role")[:1]
    )
    posts = Post.objects.filter(circle__slug=slug, pk=post_id)
    if not deleted:
        posts = posts.live()
    return (
        posts.annotate(viewer_role=Subquery(role))
        .order_by()
        .values_list(
            *post,
            *(f"circle__{name}" for name in circle),
            *(f"author__{name}" for name in author),
            "viewer_role",
        )
    )


# Stand-ins for post_for_member's values while the ORM compiles its query (config/compiled.py).
_READER, _READ_SLUG, _READ_POST = -(2**62) + 41, "x-post-slug-mark-x", -(2**62) + 42
_POSTS = {
    (columns, deleted): CompiledQuery(
        functools.partial(_post_query, columns=columns, deleted=deleted),
        user_id=_READER,
        slug=_READ_SLUG,
        post_id=_READ_POST,
    )
    for columns, deleted in (("all", False), ("all", True), ("thread", False))
}


def _read_post(
    user: User | AnonymousUser, slug: str, post_id: int, columns: str, deleted: bool
) -> Post:
    """The post with its circle and author, ``viewer_role`` and ``viewer_moderates``; else 404."""
    if not user.is_authenticated:
        raise hidden(Post)
    rows = _POSTS[columns, deleted].rows(user_id=user.pk, slug=slug, post_id=post_id)
    if not rows:
        raise hidden(Post)
    *values, role = rows[0]
    if role is None and not user.is_staff:
        raise hidden(Post)
    post_columns, circle_columns, author_columns = _shape(columns)
    circle_at = len(post_columns)
    author_at = circle_at + len(circle_columns)
    post = Post.from_db("default", post_columns, values[:circle_at])
    post.circle = Circle.from_db("default", circle_columns, values[circle_at:author_at])
    author = None
    if post.author_id is not None:
        author = get_user_model().from_db("default", author_columns, values[author_at:])
    post.author = author
    post.viewer_role = role
    post.viewer_moderates = user.is_staff or role in HOST_ROLES
    return post


def post_for_member(
    user: User | AnonymousUser, slug: str, post_id: int, *, include_deleted: bool = False
) -> Post:
    """A post in a circle this person is an active member of (or staff); else 404.

    A post its author deleted is 404 too, unless ``include_deleted`` (the live
    poll uses it to tell viewers to stop). A post hidden by a host is returned:
    members see a notice in its place. ``post.viewer_moderates`` says whether
    this person is a host, co-host or staff there.

    One query, compiled once per process: the post, its circle, its author, and
    the reader's role there (circle_for_reader's rule, for a thread and its poll
    every 2 seconds), read as a row and made into the three models.
    """
    return _read_post(user, slug, post_id, "all", include_deleted)


def post_for_reader(user: User | AnonymousUser, slug: str, post_id: int) -> Post:
    """``post_for_member`` for the thread page: only the columns the page shows.

    The post's markdown source, the circle's settings and the author's account
    are not read; the page's template and conversations/thread.py read nothing else.
    """
    return _read_post(user, slug, post_id, "thread", False)


# Stand-ins for poller_password's three values while the ORM compiles its query.
_USER, _SLUG, _POST = -7_300_000_001, "\x00poller-slug\x00", -7_300_000_002


def _poller_query(user_id: int, slug: str, post_id: int) -> QuerySet:
    member = Membership.objects.filter(
        user_id=OuterRef("pk"), status=Status.ACTIVE, circle__slug=slug, circle__posts=post_id
    )
    return (
        get_user_model()
        ._default_manager.filter(pk=user_id, is_active=True, suspended_at__isnull=True)
        .filter(Q(is_staff=True) | Exists(member))
        .order_by()  # one row by primary key: no sort
        .values_list("password", flat=True)[:1]
    )


@functools.cache
def _poller_sql(vendor: str) -> tuple[str, tuple[object, ...]]:
    """``_poller_query``'s SQL, compiled by the ORM once per process with stand-ins.

    A quiet thread poll runs it every 2 seconds for every open thread, and building
    the query with the ORM cost twice what running it did (docs/PERFORMANCE.md).
    """
    sql, params = _poller_query(_USER, _SLUG, _POST).query.sql_with_params()
    if not {_USER, _SLUG, _POST} <= set(params):
        raise ImproperlyConfigured("poller_password's query lost one of its values")
    return sql, params


def poller_password(user_id: int, slug: str, post_id: int) -> str | None:
    """The password hash of a person who may still read this thread, or None.

    For conversations.middleware, which answers a quiet poll before the person
    is loaded: the rule of ``post_for_member`` and of Django's session check, in
    one query on the person's row. None when the row is gone, inactive or
    suspended, or when they are neither staff nor an active member of the
    post's circle. The caller compares the session's hash with the returned one.
    """
    sql, template = _poller_sql(connection.vendor)
    values = {_USER: user_id, _SLUG: slug, _POST: post_id}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(param, param) for param in template])
        row = cursor.fetchone()
    return row[0] if row else None


def post_for_replier(user: User | AnonymousUser, slug: str, post_id: int) -> Post:
    """A post this person may reply to: any they can read, unless a host hid it (403)."""
    post = post_for_member(user, slug, post_id)
    if post.is_hidden and not post.viewer_moderates:
        raise PermissionDenied
    return post


def post_for_author(user: User | AnonymousUser, slug: str, post_id: int) -> Post:
    """A live post this person wrote. Other members may see it but not change it: 403."""
    post = post_for_member(user, slug, post_id)
    if post.author_id is None or post.author_id != user.pk:
        raise PermissionDenied
    return post


def reply_for_member(user: User | AnonymousUser, slug: str, post_id: int, reply_id: int) -> Reply:
    """A live reply on a live post this person may see; else 404."""
    post = post_for_member(user, slug, post_id)
    reply = get_object_or_404(
        Reply.objects.live().filter(post=post).select_related("author", "thanks"), pk=reply_id
    )
    reply.post = post
    return reply


def reply_for_author(user: User | AnonymousUser, slug: str, post_id: int, reply_id: int) -> Reply:
    """A live reply this person wrote. Other members may see it but not change it: 403."""
    reply = reply_for_member(user, slug, post_id, reply_id)
    if reply.author_id is None or reply.author_id != user.pk:
        raise PermissionDenied
    return reply


def member_for_member(user: User | AnonymousUser, slug: str, user_id: int) -> Membership:
    """A co-member's active membership, for their page in this circle; else 404."""
    circle = circle_for_member(user, slug)
    membership = get_object_or_404(
        Membership.objects.filter(circle=circle, status=Status.ACTIVE).select_related("user"),
        user_id=user_id,
    )
    membership.circle = circle
    return membership


def introduction_for_party(user: User | AnonymousUser, slug: str, intro_id: int) -> Introduction:
    """An introduction this person made or was asked to join, in a circle they are in; else 404.

    Nobody else, other members and staff included, learns an introduction exists.
    """
    circle = circle_for_member(user, slug)
    introduction = get_object_or_404(
        Introduction.objects.filter(circle=circle)
        .involving(user)
        .select_related("introducer", "person_a", "person_b"),
        pk=intro_id,
    )
    introduction.circle = circle
    return introduction


def introduction_for_invitee(user: User | AnonymousUser, slug: str, intro_id: int) -> Introduction:
    """An introduction this person was asked to join. The introducer may see it, not answer: 403."""
    introduction = introduction_for_party(user, slug, intro_id)
    if introduction.side_of(user) is None:
        raise PermissionDenied
    return introduction
