"""The circle's board: newest activity first, reply counts, filters, pages, the empty state;
and the recent-posts tag the circle page uses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.board_views import POSTS_PER_PAGE
from conversations.models import Kind, PostStatus
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import CircleFactory

pytestmark = pytest.mark.django_db


def board_url(circle) -> str:
    return reverse("conversations:board", kwargs={"slug": circle.slug})


def test_newest_activity_first_with_live_reply_counts(cast, as_user):
    now = timezone.now()
    old = PostFactory(
        circle=cast.circle, title="Old ask", last_activity_at=now - dt.timedelta(days=3)
    )
    new = PostFactory(
        circle=cast.circle,
        title="New give",
        kind=Kind.GIVE,
        last_activity_at=now - dt.timedelta(days=1),
    )
    ReplyFactory(post=old, author=cast.bob, deleted_at=now)  # deleted: not counted
    # A reply bumps the old ask above the newer give.
    services.reply_create(post=old, author=cast.bob, body="Try this.")
    services.reply_create(post=old, author=cast.host, body="And this.")

    html = as_user(cast.alice).get(board_url(cast.circle)).content.decode()
    assert html.index("Old ask") < html.index("New give")
    assert "2 replies" in html
    assert "0 replies" in html
    assert new.get_absolute_url() in html


def test_board_leaves_out_deleted_posts_and_other_circles(cast, as_user):
    PostFactory(circle=cast.circle, title="Deleted ask", deleted_at=timezone.now())
    PostFactory(circle=CircleFactory(), title="Elsewhere ask")
    PostFactory(circle=cast.circle, title="Visible ask")
    html = as_user(cast.alice).get(board_url(cast.circle)).content.decode()
    assert "Visible ask" in html
    assert "Deleted ask" not in html
    assert "Elsewhere ask" not in html


def test_filter_by_kind_and_status(cast, as_user):
    PostFactory(circle=cast.circle, title="Open ask", kind=Kind.ASK)
    PostFactory(circle=cast.circle, title="Solved ask", kind=Kind.ASK, status=PostStatus.RESOLVED)
    PostFactory(circle=cast.circle, title="A give", kind=Kind.GIVE)
    PostFactory(circle=cast.circle, title="A chat", kind=Kind.DISCUSSION)
    client = as_user(cast.alice)

    asks = client.get(board_url(cast.circle), {"kind": "ask"}).content.decode()
    assert "Open ask" in asks and "Solved ask" in asks
    assert "A give" not in asks and "A chat" not in asks

    resolved = client.get(board_url(cast.circle), {"status": "resolved"}).content.decode()
    assert "Solved ask" in resolved
    assert "Open ask" not in resolved and "A give" not in resolved

    open_asks = client.get(
        board_url(cast.circle), {"kind": "ask", "status": "open"}
    ).content.decode()
    assert "Open ask" in open_asks and "Solved ask" not in open_asks

    # Nonsense filters are ignored, not a 500.
    everything = client.get(board_url(cast.circle), {"kind": "<script>", "status": "x"})
    assert everything.status_code == 200
    assert "A chat" in everything.content.decode()


def test_paginated_keeping_the_filters(cast, as_user):
    PostFactory.create_batch(POSTS_PER_PAGE + 3, circle=cast.circle, kind=Kind.GIVE)
    client = as_user(cast.alice)
    first = client.get(board_url(cast.circle), {"kind": "give"}).content.decode()
    assert first.count('class="post-row card"') == POSTS_PER_PAGE
    assert "Page 1 of 2" in first
    assert "?kind=give&amp;page=2" in first
    second = client.get(board_url(cast.circle), {"kind": "give", "page": 2}).content.decode()
    assert second.count('class="post-row card"') == 3
    # A page past the end shows the last page rather than an error.
    assert client.get(board_url(cast.circle), {"page": 99}).status_code == 200


def test_empty_board_invites_the_first_ask(cast, as_user):
    html = as_user(cast.alice).get(board_url(cast.circle)).content.decode()
    assert "No posts yet." in html
    new_ask = reverse("conversations:post_create", kwargs={"slug": cast.circle.slug}) + "?kind=ask"
    assert new_ask in html
    assert "Post the first ask" in html


def test_filtered_empty_board_says_so(cast, as_user):
    PostFactory(circle=cast.circle, kind=Kind.GIVE)
    html = as_user(cast.alice).get(board_url(cast.circle), {"kind": "ask"}).content.decode()
    assert "No posts match these filters." in html


def test_hosts_get_a_link_to_member_counts(cast, as_user):
    counts = 'href="{}"'.format(
        reverse("conversations:host_members", kwargs={"slug": cast.circle.slug})
    )
    assert counts in as_user(cast.host).get(board_url(cast.circle)).content.decode()
    assert counts not in as_user(cast.alice).get(board_url(cast.circle)).content.decode()


def test_board_queries_do_not_grow_with_posts(cast, as_user, django_assert_max_num_queries):
    # session, user, circle, membership (access), count, page of posts, host check
    client = as_user(cast.alice)
    for _ in range(2):
        for post in PostFactory.create_batch(12, circle=cast.circle):
            ReplyFactory.create_batch(2, post=post)
        with django_assert_max_num_queries(8):
            assert client.get(board_url(cast.circle)).status_code == 200


def render_recent(circle, user) -> str:
    template = Template("{% load conversations_tags %}{% circle_recent_posts circle user %}")
    return template.render(Context({"circle": circle, "user": user}))


def test_recent_posts_tag_shows_latest_posts_with_counts(cast):
    older = PostFactory(circle=cast.circle, title="Older ask")
    ReplyFactory.create_batch(3, post=older)
    for n in range(6):
        PostFactory(circle=cast.circle, title=f"Newer post {n}")
    html = render_recent(cast.circle, cast.alice)
    assert "Newer post 5" in html
    assert "Older ask" not in html  # only the five latest
    assert html.count('class="post-row"') == 5


def test_recent_posts_tag_counts_replies_and_invites_first_post(cast):
    post = PostFactory(circle=cast.circle, title="Only ask")
    ReplyFactory.create_batch(3, post=post)
    assert "3 replies" in render_recent(cast.circle, cast.alice)
    empty_circle = CircleFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(circle=empty_circle, user=cast.alice)
    assert "Ask the circle" in render_recent(empty_circle, cast.alice)


def test_recent_posts_tag_shows_nothing_to_outsiders(cast):
    PostFactory(circle=cast.circle, title="Private ask")
    assert "Private ask" not in render_recent(cast.circle, cast.outsider)
    from django.contrib.auth.models import AnonymousUser

    assert render_recent(cast.circle, AnonymousUser()).strip() == ""


def test_recent_posts_tag_queries_are_constant(cast, django_assert_num_queries):
    for post in PostFactory.create_batch(10, circle=cast.circle):
        ReplyFactory.create_batch(3, post=post)
    with django_assert_num_queries(2):  # membership check, posts with counts
        render_recent(cast.circle, cast.alice)
