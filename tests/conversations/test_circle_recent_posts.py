"""The circle page's "Asks, gives and discussions" section ({% circle_recent_posts %}).

Its query is compiled once per process and its rows are written in Python
(conversations/templatetags/conversations_tags.py); these tests hold it to what
the template loop it replaced wrote: the same HTML, every title escaped, hidden
posts left out, nothing for people who may not see the inside, labels and dates
in the viewer's language and the circle's zone, and two queries at most.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.utils import dateformat, timezone, translation

from circles.access import membership_of, remember_membership
from circles.models import Status
from conversations.models import Kind, Post, PostStatus
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# Tuesday 5 March 2024, 08:07 in Chicago (CST, before the change to summer time).
AT = dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=dt.UTC)


def render(circle, user) -> str:
    template = Template("{% load conversations_tags %}{% circle_recent_posts circle user %}")
    return template.render(Context({"circle": circle, "user": user}))


def post_at(circle, when: dt.datetime = AT, **kwargs) -> Post:
    """A post whose last activity is ``when`` (a reply would move it, so it is set last)."""
    post = PostFactory(circle=circle, **kwargs)
    Post.objects.filter(pk=post.pk).update(last_activity_at=when)
    return post


def test_a_row_reads_as_the_template_wrote_it(cast):
    """The section's HTML, byte for byte as the template loop wrote it before."""
    post = PostFactory(
        circle=cast.circle, kind=Kind.ASK, status=PostStatus.RESOLVED, title="Tea & <b>cake</b>"
    )
    ReplyFactory(post=post)
    Post.objects.filter(pk=post.pk).update(last_activity_at=AT)
    posts = f"/circles/{cast.circle.slug}/posts/"
    expected = "\n".join(
        [
            "",
            '<section class="circle-recent" aria-labelledby="circle-recent-title">',
            '  <div class="section-head">',
            '    <h2 id="circle-recent-title">Asks, gives and discussions</h2>',
            f'    <a href="{posts}">All posts</a>',
            "  </div>",
            "  ",
            "    ",
            '    <ul class="post-list">',
            "      ",
            '        <li class="post-row">',
            '          <span class="tag tag-ask">Ask</span>',
            f'          <a class="post-row-title" href="{posts}{post.pk}/">'
            "Tea &amp; &lt;b&gt;cake&lt;/b&gt;</a>",
            '          <span class="tag tag-resolved">Resolved</span>',
            '          <span class="meta">1 reply · '
            '<time datetime="2024-03-05T14:07:09.123456+00:00" data-relative'
            ' title="Tue 5 Mar 2024, 08:07 (America/Chicago)">5 Mar, 08:07</time></span>',
            "        </li>",
            "      ",
            "    </ul>",
            "    ",
            "  ",
            f'  <p><a class="button button-small" href="{posts}new/">New post</a></p>',
            "</section>",
            "",  # after {% endif %}
            "",
        ]
    )
    with translation.override("en"):
        assert render(cast.circle, cast.alice) == expected


def test_a_title_with_html_is_escaped(cast):
    PostFactory(circle=cast.circle, title="<script>alert('hi')</script> \"quoted\" & more")
    html = render(cast.circle, cast.alice)
    assert "<script>" not in html
    assert (
        "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; &quot;quoted&quot; &amp; more" in html
    )


def test_hidden_and_deleted_posts_are_left_out(cast):
    PostFactory(circle=cast.circle, title="Still here")
    PostFactory(circle=cast.circle, title="Buy my course", hidden_at=timezone.now())
    PostFactory(circle=cast.circle, title="Taken back", deleted_at=timezone.now())
    PostFactory(title="Another circle's post")
    html = render(cast.circle, cast.alice)
    assert "Still here" in html
    assert "Buy my course" not in html and "Taken back" not in html
    assert "Another circle" not in html
    assert html.count('class="post-row"') == 1


def test_people_who_may_not_see_the_inside_get_nothing(cast):
    PostFactory(circle=cast.circle, title="Members only")
    left = UserFactory()
    MembershipFactory(circle=cast.circle, user=left, status=Status.LEFT)
    requested = UserFactory()
    MembershipFactory(circle=cast.circle, user=requested, status=Status.REQUESTED, joined_at=None)
    for person in (cast.outsider, left, requested, AnonymousUser(), None):
        assert render(cast.circle, person).strip() == ""
    assert "Members only" in render(cast.circle, UserFactory(is_staff=True))


def test_a_non_member_sees_no_section_on_the_page(cast, as_user):
    PostFactory(circle=cast.circle, title="Members only")
    html = as_user(cast.outsider).get(cast.circle.get_absolute_url()).content.decode()
    assert 'class="circle-recent"' not in html and "Members only" not in html


def test_reply_counts_leave_out_deleted_and_hidden_replies(cast):
    none = post_at(cast.circle, AT, title="No replies")
    one = post_at(cast.circle, AT - dt.timedelta(hours=1), title="One reply")
    two = post_at(cast.circle, AT - dt.timedelta(hours=2), title="Two replies")
    ReplyFactory(post=one)
    ReplyFactory(post=one, deleted_at=timezone.now())
    ReplyFactory(post=one, hidden_at=timezone.now())
    ReplyFactory.create_batch(2, post=two)
    Post.objects.filter(pk__in=[none.pk, one.pk, two.pk]).update(last_activity_at=AT)
    with translation.override("en"):
        html = render(cast.circle, cast.alice)
    counts = re.findall(
        r'"post-row-title" href="[^"]+">([^<]+)</a>.*?"meta">([^<]+) · ', html, re.S
    )
    assert counts == [
        ("Two replies", "2 replies"),
        ("One reply", "1 reply"),
        ("No replies", "0 replies"),
    ]


def test_latest_activity_first_and_five_at_most(cast):
    for hours in range(7):
        post_at(cast.circle, AT - dt.timedelta(hours=hours), title=f"Post {hours} hours before")
    html = render(cast.circle, cast.alice)
    shown = [f"Post {hours} hours before" for hours in range(5)]
    assert [html.index(title) for title in shown] == sorted(html.index(title) for title in shown)
    assert "Post 5 hours before" not in html and "Post 6 hours before" not in html


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_dates_are_the_template_filters_in_the_circles_zone(cast, language):
    """What |timezone:zone|date:'D j M Y, H:i', |date:'j M, H:i' and |utc|date:'c' wrote."""
    post_at(cast.circle, AT)
    post_at(cast.circle, AT - dt.timedelta(days=40, hours=9))  # another month and weekday
    for when in (AT, AT - dt.timedelta(days=40, hours=9)):
        with translation.override(language):
            html = render(cast.circle, cast.alice)
            local = timezone.localtime(when, cast.circle.zone)
            long = dateformat.format(local, "D j M Y, H:i")
            short = dateformat.format(local, "j M, H:i")
        iso = when.isoformat()
        assert f'<time datetime="{iso}" data-relative title="{long} (America/Chicago)">' in html
        assert f">{short}</time>" in html


def test_a_german_viewer_reads_german_labels_and_dates(cast, as_user):
    german = UserFactory(language="de")
    MembershipFactory(circle=cast.circle, user=german)
    resolved = post_at(cast.circle, AT, kind=Kind.ASK, status=PostStatus.RESOLVED)
    ReplyFactory(post=resolved)
    post_at(cast.circle, AT - dt.timedelta(hours=1), kind=Kind.GIVE)
    post_at(cast.circle, AT - dt.timedelta(hours=2), kind=Kind.DISCUSSION)
    Post.objects.filter(pk=resolved.pk).update(last_activity_at=AT)
    html = as_user(german).get(cast.circle.get_absolute_url()).content.decode()
    for words in (
        "Anfragen, Angebote und Diskussionen",
        "Alle Beiträge",
        "Neuer Beitrag",
        '<span class="tag tag-ask">Anfrage</span>',
        '<span class="tag tag-give">Angebot</span>',
        '<span class="tag tag-discussion">Diskussion</span>',
        '<span class="tag tag-resolved">Gelöst</span>',
        "1 Antwort ·",
        "0 Antworten ·",
    ):
        assert words in html
    with translation.override("de"):
        long = dateformat.format(timezone.localtime(AT, cast.circle.zone), "D j M Y, H:i")
    assert long.startswith("Di 5 ")  # Dienstag
    assert f'title="{long} (America/Chicago)"' in html
    assert "Asks, gives and discussions" not in html


def test_the_empty_section_invites_a_first_post(cast):
    html = render(cast.circle, cast.alice)
    posts = f"/circles/{cast.circle.slug}/posts/"
    assert f'<a href="{posts}new/?kind=ask">Ask the circle</a>' in html
    assert 'class="post-list"' not in html


@pytest.mark.parametrize("posts", [2, 30])
def test_two_queries_at_most_whatever_the_number_of_posts(
    cast, posts, django_assert_max_num_queries, django_assert_num_queries
):
    """The membership check and the posts with their reply counts; one when the page
    already read the viewer's membership."""
    for post in PostFactory.create_batch(posts, circle=cast.circle):
        ReplyFactory.create_batch(2, post=post)
    render(cast.circle, cast.alice)  # compiled on first use: later calls only run it
    with django_assert_max_num_queries(2):
        html = render(cast.circle, cast.alice)
    assert html.count('class="post-row"') == min(posts, 5)
    assert html.count("2 replies") == min(posts, 5)
    remember_membership(cast.alice, cast.circle, membership_of(cast.alice, cast.circle))
    with django_assert_num_queries(1):
        render(cast.circle, cast.alice)
