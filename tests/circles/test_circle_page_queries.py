"""The circle page renders on every request in a fixed number of queries, and keeps nothing.

Issue 16: the page used to be kept per viewer (circles/member_pages.py) because it
was slow. It is now read in the same few queries whatever the size of the circle
(circles/circle_page.py), and a member who is removed or suspended sees none of
the inside on their very next request, with the page cache's setting on.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circles.membership_services import membership_remove
from circles.models import Role, Status
from meetings.models import Meeting, Rsvp
from moderation.services import person_suspend
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://meet.example.com/secret-room"


def make_circle(*, members: int, meetings: int, posts: int):
    """A circle of ``members`` (host and a sponsored co-host included), with topics,
    ``meetings`` upcoming meetings each with an RSVP, and ``posts`` posts each with a reply."""
    circle = CircleFactory(seat_limit=30, is_online=True, city="", meeting_link=SECRET_LINK)
    circle.topics.add(TopicFactory(), TopicFactory())
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    sponsor = MembershipFactory(circle=circle, role=Role.CO_HOST).user
    others = MembershipFactory.create_batch(members - 2, circle=circle, invited_by=sponsor)
    member = others[0].user
    MembershipFactory(circle=circle, status=Status.REQUESTED)
    now = timezone.now()
    for day in range(1, meetings + 1):
        starts_at = now + dt.timedelta(days=day)
        meeting = Meeting.objects.create(
            circle=circle,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=75),
            local_date=starts_at.astimezone(circle.zone).date(),
            is_one_off=True,
        )
        Rsvp.objects.create(meeting=meeting, user=member, answer="going")
    for _ in range(posts):
        ReplyFactory(post=PostFactory(circle=circle, author=member), author=host)
    return circle, {"host": host, "member": member, "outsider": UserFactory(), "anon": None}


def count_queries(client, circle, person) -> tuple[int, str]:
    client.logout()
    if person is not None:
        client.force_login(person)
    client.get(circle.get_absolute_url())  # the session and the user are cached after this
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(circle.get_absolute_url())
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize(
    ("who", "queries"),
    [
        # circle (+ next meeting), topics, memberships; meetings (+ the viewer's answers);
        # posts (+ reply counts). Hosts: the request count. Signed in: the user's row (read
        # on every request); the session and the header bell's count come from the cache.
        ("member", 6),
        ("host", 7),
        # the user; circle, topics, memberships (the hosts' names).
        ("outsider", 4),
        # circle, topics, memberships: nothing of a signed-in person to read.
        ("anon", 3),
    ],
)
def test_queries_are_the_same_for_a_small_and_a_large_circle(
    client, django_assert_num_queries, who, queries
):
    """A failure here means a query per member, meeting, post or topic crept in (a missing
    select_related, prefetch or annotation), or a section started asking on its own."""
    small, small_people = make_circle(members=3, meetings=2, posts=2)
    large, large_people = make_circle(members=30, meetings=40, posts=40)

    small_count, small_html = count_queries(client, small, small_people[who])
    client.logout()
    if large_people[who] is not None:
        client.force_login(large_people[who])
    client.get(large.get_absolute_url())
    with django_assert_num_queries(small_count):
        response = client.get(large.get_absolute_url())
    assert small_count == queries
    html = response.content.decode()
    if who in ("member", "host"):
        assert html.count('class="member-row"') == 30
        assert html.count('class="post-row"') == 5  # the five latest posts
        assert html.count('class="meeting-item card') == 4  # the next four meetings
        assert "1 reply" in html
    else:
        assert 'class="member-row"' not in html and SECRET_LINK not in html


def test_staff_queries_do_not_grow(client, django_assert_num_queries):
    small, _ = make_circle(members=3, meetings=2, posts=2)
    large, _ = make_circle(members=30, meetings=40, posts=40)
    staff = UserFactory(is_staff=True)
    small_count, _ = count_queries(client, small, staff)
    client.get(large.get_absolute_url())
    with django_assert_num_queries(small_count):
        html = client.get(large.get_absolute_url()).content.decode()
    assert html.count('class="member-row"') == 30 and SECRET_LINK in html


@pytest.mark.parametrize("kept_seconds", [0, 600])
def test_a_removed_member_sees_no_inside_on_the_next_request(client, settings, kept_seconds):
    """With the old per-viewer page cache's setting on or off, nothing of the inside is kept."""
    settings.MEMBER_PAGE_SECONDS = kept_seconds
    circle, people = make_circle(members=4, meetings=2, posts=2)
    member = people["member"]
    client.force_login(member)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert SECRET_LINK in html and 'class="post-row"' in html

    membership = circle.memberships.get(user=member)
    membership_remove(membership=membership, removed_by=people["host"])

    response = client.get(circle.get_absolute_url())
    html = response.content.decode()
    assert SECRET_LINK not in html
    assert 'class="member-row"' not in html and 'class="post-row"' not in html
    assert "Next meetings" not in html
    assert "You can no longer join this circle." in html


@pytest.mark.parametrize("kept_seconds", [0, 600])
def test_a_suspended_member_sees_no_inside_on_the_next_request(client, settings, kept_seconds):
    settings.MEMBER_PAGE_SECONDS = kept_seconds
    circle, people = make_circle(members=4, meetings=2, posts=2)
    member = people["member"]
    client.force_login(member)
    assert SECRET_LINK in client.get(circle.get_absolute_url()).content.decode()

    person_suspend(person=member, by=UserFactory(is_staff=True), reason="spam")

    response = client.get(circle.get_absolute_url())
    html = response.content.decode()
    # The session no longer resolves to anyone: the listed circle's header, signed out.
    assert response.status_code == 200
    assert SECRET_LINK not in html and 'class="member-row"' not in html
    assert 'class="post-row"' not in html and "Sign in to join" in html
