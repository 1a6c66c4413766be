"""Query budgets: meeting pages and htmx answers cost the same whatever the size of the table.

Each test builds the page twice, small and large, under the same budget, so
a query per RSVP, topic, vote or member (an N+1) fails here.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import agenda_services, calendar_services, record_services, rsvp_services
from meetings.models import AgendaTopic, Answer, CalendarFeed
from tests.factories import CircleFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db

# Session and user (the test client's database sessions), the meeting with its
# circle and the viewer's role (the access check), the RSVPs with their people,
# the topics with vote counts, authors and the viewer's votes, and the previous
# meeting's commitments (meetings/meeting_page.py). The same whatever the size.
MEETING_PAGE = 6
# A started meeting adds its own commitments; a host's view adds the members to
# mark with their attendance.
STARTED_MEETING_PAGE = MEETING_PAGE + 1
HOST_STARTED_MEETING_PAGE = MEETING_PAGE + 2
# The write (savepoints, the meeting's row lock, the answer or vote, the
# seat count) and then the page's reads again for the fragment.
HTMX_RSVP = 19
HTMX_VOTE = 20
# Session, user, circle, membership (access), meetings with their counts and my
# answers and waitlist places (one query: meetings/meeting_rows.py), membership (host
# links), the header bell's count.
MEETING_LIST = 6
# The feed by its token with its person, the version of what it shows (one aggregate),
# then, when it is not in the cache yet, every upcoming meeting with its circle.
FEED = 3
# The tag on its own: the viewer's membership (the circle page passes it in), the meetings.
CIRCLE_TAG = 2


def fill(circle, meeting, *, rsvps: int, topics: int) -> list:
    people = [add_member(circle) for _ in range(rsvps)]
    answers = [Answer.GOING, Answer.MAYBE, Answer.GOING, Answer.NOT_GOING]
    for i, person in enumerate(people):
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=answers[i % len(answers)])
    made = [
        AgendaTopic.objects.create(meeting=meeting, author=people[i % len(people)], title=f"T{i}")
        for i in range(topics)
    ]
    for i, person in enumerate(people):
        for topic in made[i % topics : i % topics + 3]:
            agenda_services.topic_vote(topic=topic, user=person)
    return people


@pytest.fixture
def big_circle():
    return CircleFactory(seat_limit=8)


@pytest.mark.parametrize(("rsvps", "topics"), [(3, 2), (30, 25)])
def test_meeting_page_queries_do_not_grow_with_rsvps_topics_or_votes(
    client, django_assert_num_queries, big_circle, rsvps, topics
):
    """The same count for 3 RSVPs and 2 topics as for 30 and 25: no query per row."""
    previous = make_meeting(big_circle, in_days=-6)
    meeting = make_meeting(big_circle)
    people = fill(big_circle, meeting, rsvps=rsvps, topics=topics)
    for person in people:
        record_services.commitment_set(meeting=previous, user=person, text="Call a customer")
    client.force_login(people[0])
    with django_assert_num_queries(MEETING_PAGE):
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="agenda-topic topic-') == topics
    assert html.count("Call a customer") == rsvps
    assert html.count('name="action" value="vote"') + html.count('value="unvote"') == topics


@pytest.mark.parametrize(("rsvps", "topics"), [(3, 2), (30, 25)])
def test_a_hosts_meeting_page_queries_do_not_grow(
    client, django_assert_num_queries, big_circle, rsvps, topics
):
    meeting = make_meeting(big_circle)
    fill(big_circle, meeting, rsvps=rsvps, topics=topics)
    host = add_member(big_circle, role="host")
    client.force_login(host)
    with django_assert_num_queries(MEETING_PAGE):
        html = client.get(meeting.get_absolute_url()).content.decode()
    assert html.count('name="direction" value="up"') == topics


@pytest.mark.parametrize("size", [4, 24])
def test_host_view_of_a_past_meeting_with_attendance(
    client, django_assert_num_queries, big_circle, size
):
    past = make_meeting(big_circle, in_days=-1)
    previous = make_meeting(big_circle, in_days=-8)
    host = add_member(big_circle, role="host")
    people = [add_member(big_circle) for _ in range(size)]
    for person in people:
        record_services.commitment_set(meeting=previous, user=person, text="Call a customer")
        record_services.commitment_set(meeting=past, user=person, text="Write the memo")
        record_services.attendance_set(meeting=past, user=person, attended=True)
    client.force_login(host)
    with django_assert_num_queries(HOST_STARTED_MEETING_PAGE):
        html = client.get(past.get_absolute_url()).content.decode()
    assert html.count("Call a customer") == size
    assert html.count("Write the memo") == size
    assert html.count('value="1" class="link-button" aria-pressed="true"') == size
    client.force_login(people[0])
    with django_assert_num_queries(STARTED_MEETING_PAGE):
        html = client.get(past.get_absolute_url()).content.decode()
    assert 'id="attendance"' not in html


@pytest.mark.parametrize("size", [4, 24])
def test_htmx_rsvp_and_vote(client, django_assert_max_num_queries, big_circle, size):
    meeting = make_meeting(big_circle)
    people = fill(big_circle, meeting, rsvps=size, topics=size)
    newcomer = add_member(big_circle)
    topic = meeting.topics.first()
    client.force_login(newcomer)
    url = reverse("meetings:rsvp", kwargs={"slug": big_circle.slug, "pk": meeting.pk})
    with django_assert_max_num_queries(HTMX_RSVP):
        assert client.post(url, {"answer": "going"}, HTTP_HX_REQUEST="true").status_code == 200
    vote = reverse(
        "meetings:topic_vote",
        kwargs={"slug": big_circle.slug, "pk": meeting.pk, "topic_pk": topic.pk},
    )
    with django_assert_max_num_queries(HTMX_VOTE):
        assert client.post(vote, HTTP_HX_REQUEST="true").status_code == 200
    assert len(people) == size


@pytest.mark.parametrize("weeks", [2, 8])
def test_meeting_list(client, django_assert_max_num_queries, big_circle, weeks):
    member = add_member(big_circle)
    for week in range(weeks):
        meeting = make_meeting(big_circle, in_days=7 * week + 1)
        rsvp_services.rsvp_set(meeting=meeting, user=member, answer=Answer.MAYBE)
        for _ in range(3):
            rsvp_services.rsvp_set(
                meeting=meeting, user=add_member(big_circle), answer=Answer.GOING
            )
    client.force_login(member)
    with django_assert_max_num_queries(MEETING_LIST):
        html = client.get(reverse("meetings:list", kwargs={"slug": big_circle.slug})).content
    assert html.decode().count('class="meeting-item') == weeks


@pytest.mark.parametrize("circles", [1, 6])
def test_calendar_feed(client, django_assert_max_num_queries, circles):
    person = add_member(CircleFactory())
    for _ in range(circles):
        circle = CircleFactory()
        add_member(circle)
        from tests.factories import MembershipFactory

        MembershipFactory(circle=circle, user=person)
        for week in range(4):
            make_meeting(circle, in_days=7 * week + 1)
    feed = calendar_services.calendar_feed_for(user=person)
    with django_assert_max_num_queries(FEED):
        response = client.get(reverse("calendar:feed", kwargs={"token": feed.token}))
    assert response.content.decode().count("BEGIN:VEVENT") == 4 * circles
    assert CalendarFeed.objects.count() == 1


@pytest.mark.parametrize("size", [3, 20])
def test_circle_upcoming_tag(big_circle, size):
    member = add_member(big_circle)
    for week in range(5):
        meeting = make_meeting(big_circle, in_days=7 * week + 1)
        for _ in range(size if week == 0 else 1):
            rsvp_services.rsvp_set(
                meeting=meeting, user=add_member(big_circle), answer=Answer.GOING
            )
    template = Template("{% load meetings_tags %}{% circle_upcoming_meetings circle user %}")
    request = RequestFactory().get("/")
    request.user = member
    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"circle": big_circle, "user": member, "request": request}))
    assert len(queries) <= CIRCLE_TAG, [q["sql"] for q in queries]
    assert html.count('class="meeting-item') == 4
