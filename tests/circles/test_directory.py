"""The directory: listed circles, filters (plain GET and htmx), paging, empty states."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from circles.models import Listing, Status
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("circles:directory")


def names(response) -> list[str]:
    return [circle.name for circle in response.context["page"].object_list]


def test_lists_listed_circles_only(client):
    CircleFactory(name="Listed Table")
    CircleFactory(name="Hidden Table", listing=Listing.UNLISTED)
    CircleFactory(name="Old Table", archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Listed Table"]
    assert b"Hidden Table" not in response.content
    assert b"Old Table" not in response.content


def test_card_shows_schedule_with_zone_seats_and_topics(client):
    topic = TopicFactory(name="Founders", slug="founders")
    circle = CircleFactory(name="Breakfast", seat_limit=5, time_zone="America/Chicago")
    circle.topics.add(topic)
    MembershipFactory.create_batch(2, circle=circle)
    html = client.get(URL).content.decode()
    assert "Tuesdays" in html and "06:30 America/Chicago" in html
    assert "3 seats open" in html
    assert "Founders" in html
    assert "Chicago" in html


def test_next_meeting_shown_in_the_viewers_zone(client):
    CircleFactory(name="Berlin Table", time_zone="Europe/Berlin", start_time=dt.time(7, 30))
    viewer = UserFactory(time_zone="America/New_York")
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    # 07:30 in Berlin is 01:30 or 02:30 in New York depending on the season.
    assert "Next:" in html and "America/New_York" in html
    assert ("01:30" in html) or ("02:30" in html)


def test_full_circle_says_full(client):
    circle = CircleFactory(seat_limit=2)
    MembershipFactory.create_batch(2, circle=circle)
    assert "Full" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"topic": "design"}, ["Design Table"]),
        ({"place": "online"}, ["Online Table"]),
        ({"place": "Berlin"}, ["Berlin Table"]),
        ({"weekday": "4"}, ["Design Table"]),
        ({"time_of_day": "evening"}, ["Online Table"]),
        ({"time_of_day": "morning"}, ["Berlin Table", "Design Table"]),
        ({"open_seats": "on"}, ["Berlin Table", "Online Table"]),
        ({"q": "kreuzberg"}, ["Berlin Table"]),
        ({"q": "design"}, ["Design Table"]),  # by topic name
        ({"place": "Berlin", "weekday": "4"}, []),
    ],
)
def test_filters(client, params, expected):
    design = TopicFactory(name="Design", slug="design")
    berlin = CircleFactory(name="Berlin Table", city="Berlin", purpose="Founders in Kreuzberg.")
    online = CircleFactory(
        name="Online Table", is_online=True, city="", start_time=dt.time(19, 0), weekday=2
    )
    full = CircleFactory(name="Design Table", weekday=4, seat_limit=2)
    full.topics.add(design)
    MembershipFactory.create_batch(2, circle=full)
    assert berlin and online
    response = client.get(URL, params)
    assert response.status_code == 200
    assert names(response) == expected


def test_htmx_request_gets_only_the_results_fragment(client):
    CircleFactory(name="Berlin Table", city="Berlin")
    CircleFactory(name="Chicago Table", city="Chicago")
    response = client.get(URL, {"place": "Berlin"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and "<form" not in html
    assert "Berlin Table" in html and "Chicago Table" not in html
    assert "HX-Request" in response["Vary"]


def test_plain_get_form_renders_the_whole_page_with_filters_kept(client):
    CircleFactory(name="Berlin Table", city="Berlin")
    response = client.get(URL, {"place": "Berlin", "q": "table"})
    html = response.content.decode()
    assert '<form method="get"' in html
    assert 'value="table"' in html
    assert '<option value="Berlin" selected>' in html
    assert "1 circle matches your filters" in html


def test_invalid_filter_values_do_not_fail(client):
    CircleFactory(name="Any Table")
    response = client.get(URL, {"weekday": "9", "topic": "nope", "page": "x"})
    assert response.status_code == 200


def test_pagination_keeps_the_filters(client):
    for n in range(15):
        CircleFactory(name=f"Table {n:02}", city="Berlin")
    response = client.get(URL, {"place": "Berlin"})
    html = response.content.decode()
    assert len(names(response)) == 12
    assert "place=Berlin&amp;page=2" in html
    second = client.get(URL, {"place": "Berlin", "page": 2})
    assert len(names(second)) == 3


def test_empty_states_help(client):
    assert "No circles are listed yet" in client.get(URL).content.decode()
    CircleFactory(city="Berlin")
    html = client.get(URL, {"place": "online"}).content.decode()
    assert "No circle matches all of these filters" in html
    assert "Show every circle" in html
    client.force_login(UserFactory())
    html = client.get(URL, {"place": "online"}).content.decode()
    assert reverse("circles:create") in html


def add_circles(count: int, topic) -> None:
    for _ in range(count):
        circle = CircleFactory()
        circle.topics.add(topic, TopicFactory())
        MembershipFactory(circle=circle, role="host")
        MembershipFactory.create_batch(2, circle=circle, status=Status.ACTIVE)


# Signed in, nothing kept (issue 16): the person, the filters' topics and cities, the
# person's profile (none: no suggestions to rank) and the page of circles with their
# count, seats, next meetings and topics (circles/directory_reads.py). An htmx answer
# leaves out the profile; a page past the last one reads the count and the last page.
WHOLE_PAGE_QUERIES = 4


def test_directory_queries_do_not_grow(client, settings, django_assert_max_num_queries):
    """The same queries for 15 circles and for 45: pages, filters and htmx answers."""
    settings.SIGNED_OUT_PAGE_CACHE_SECONDS = 0
    topic = TopicFactory()
    client.force_login(UserFactory())
    asks = [
        ({}, {}),
        ({"page": "2"}, {}),
        ({"topic": topic.slug}, {"HX-Request": "true"}),
        ({"topic": topic.slug, "open_seats": "on", "q": "a"}, {}),
        ({"page": "99"}, {}),  # past the last page: the count, then the last page
    ]
    counts = []
    for more in (15, 30):  # 15 circles, then 45: two pages, then four
        add_circles(more, topic)
        for params, headers in asks:
            client.get(URL, params, headers=headers)  # the bell's count and session, kept
            with django_assert_max_num_queries(WHOLE_PAGE_QUERIES + 2) as done:
                assert client.get(URL, params, headers=headers).status_code == 200
            counts.append(len(done.captured_queries))
    assert counts[:5] == counts[5:]
    assert counts[:5] == [WHOLE_PAGE_QUERIES] * 2 + [WHOLE_PAGE_QUERIES - 1] + [
        WHOLE_PAGE_QUERIES, WHOLE_PAGE_QUERIES + 2,
    ]  # fmt: skip


def test_monday_counts_as_a_filter(client):
    """Weekday 0 is a real choice: the empty state must say the filters found nothing."""
    CircleFactory(weekday=1)
    html = client.get(URL, {"weekday": "0"}).content.decode()
    assert "No circle matches all of these filters" in html
