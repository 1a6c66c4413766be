"""The pages with meeting rows ask the same few queries whatever the number of meetings.

The circle page ("Next meetings"), the meetings list and the answer to an RSVP
from a row (meetings/meeting_rows.py) are each built at two sizes, small and
large, under the same budget: a query per meeting, RSVP or member fails here.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.access import membership_of, remember_membership
from circles.models import Role
from meetings.models import Answer, Rsvp
from tests.factories import CircleFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db

# Signed in, the session comes from the cache; the user's row is read on every request.
# Circle page: the user; the circle with its next meeting, its topics, the memberships
# (circles/circle_page.py); the next meetings with their counts and the viewer's answers;
# the latest posts. A host's page adds the open join requests.
CIRCLE_PAGE = 6
HOST_CIRCLE_PAGE = 7
# The list: the user, the circle, the membership (the access check), the meetings with
# their counts and the viewer's answers and waitlist places in one query (three before:
# meetings/meeting_rows.py), the membership again (the host's links).
MEETING_LIST = 5
# The write (savepoints, the meeting's row lock, the answer, the seat count) and the row:
# the meeting with its counts and the viewer's answer in one query (two before).
RSVP_ROW = 13
# The membership, and the meetings with their counts and the viewer's answers.
SECTION = 2


def circle_of(size: int):
    """A circle with ``size`` upcoming meetings and ``size`` members answering each."""
    circle = CircleFactory(seat_limit=size)
    host = add_member(circle, role=Role.HOST)
    member = add_member(circle)
    people = [add_member(circle) for _ in range(size)]
    answers = [Answer.GOING, Answer.MAYBE, Answer.NOT_GOING]
    for day in range(size):
        meeting = make_meeting(circle, in_days=day + 1, is_moved=day % 3 == 1)
        for index, person in enumerate(people):
            Rsvp.objects.create(meeting=meeting, user=person, answer=answers[index % 3])
        Rsvp.objects.create(meeting=meeting, user=member, answer=answers[day % 3])
    return circle, host, member


def queries_for(client, person, url: str, at_most) -> tuple[int, str]:
    """How many queries the page asks (within the budget ``at_most`` gives), and its HTML."""
    client.force_login(person)
    client.get(url)  # the session is cached, and the compiled queries compiled, after this
    with CaptureQueriesContext(connection) as captured, at_most:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize(("who", "budget"), [("member", CIRCLE_PAGE), ("host", HOST_CIRCLE_PAGE)])
def test_the_circle_page_asks_the_same_at_two_sizes(
    client, django_assert_max_num_queries, who, budget
):
    counts = []
    for size in (2, 12):
        circle, host, member = circle_of(size)
        person = host if who == "host" else member
        count, html = queries_for(
            client, person, circle.get_absolute_url(), django_assert_max_num_queries(budget)
        )
        counts.append(count)
        assert html.count('class="meeting-item card') == min(size, 4)
    assert counts[0] == counts[1]


def test_the_meetings_list_asks_the_same_at_two_sizes(client, django_assert_max_num_queries):
    counts = []
    for size in (2, 12):
        circle, _host, member = circle_of(size)
        url = reverse("meetings:list", kwargs={"slug": circle.slug})
        count, html = queries_for(client, member, url, django_assert_max_num_queries(MEETING_LIST))
        counts.append(count)
        assert html.count('class="meeting-item card') == size
    assert counts[0] == counts[1]


def test_an_answer_from_a_row_asks_the_same_at_two_sizes(client, django_assert_max_num_queries):
    counts = []
    for size in (2, 12):
        circle, _host, _member = circle_of(size)
        newcomer = add_member(circle)
        meeting = circle.meetings.order_by("starts_at").last()
        url = reverse("meetings:rsvp", kwargs={"slug": circle.slug, "pk": meeting.pk})
        client.force_login(newcomer)
        data = {"answer": "maybe", "row": "1"}
        client.post(url, {"answer": "going", "row": "1"}, HTTP_HX_REQUEST="true")
        with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(RSVP_ROW):
            html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
        counts.append(len(captured))
        assert html.count('class="meeting-item card') == 1
    assert counts[0] == counts[1]


@pytest.mark.parametrize("size", [2, 12])
def test_the_section_asks_two_queries_at_most_and_one_when_the_page_knows(
    size, django_assert_max_num_queries, django_assert_num_queries
):
    circle, _host, member = circle_of(size)
    template = Template("{% load meetings_tags %}{% circle_upcoming_meetings circle user %}")
    template.render(Context({"circle": circle, "user": member}))  # compiled on first use
    with django_assert_max_num_queries(SECTION):
        html = template.render(Context({"circle": circle, "user": member}))
    assert html.count('class="meeting-item card') == min(size, 4)
    remember_membership(member, circle, membership_of(member, circle))
    with django_assert_num_queries(1):
        template.render(Context({"circle": circle, "user": member}))
