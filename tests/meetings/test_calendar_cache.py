"""The private calendar feed is built once per change and kept in the cache (calendar_views).

The token is checked on every request, so a rotated token or a deactivated
person is refused at once even while the body is cached; any change the feed
shows (a meeting moved or cancelled, a circle renamed, a circle joined or
left) gives a new body and a new ETag at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from circles import membership_services
from meetings import calendar_services, services
from tests.factories import CircleFactory, MembershipFactory, UserFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory()


@pytest.fixture
def feed_url(person) -> str:
    return calendar_services.calendar_feed_rotate(user=person).get_absolute_url()


def fetch(client, url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def events(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_an_unchanged_feed_comes_from_the_cache(client, person, feed_url):
    circle = CircleFactory()
    MembershipFactory(circle=circle, user=person)
    meeting = make_meeting(circle, in_days=2)
    first, built = fetch(client, feed_url)
    again, cached = fetch(client, feed_url)
    # token, version; the build reads the meetings too
    assert (built, cached) == (3, 2)
    assert again.content == first.content
    assert set(events(again)) == {f"meeting-{meeting.pk}"}
    cache_control = again["Cache-Control"]
    assert "private" in cache_control and "no-cache" in cache_control


def test_a_rotated_token_is_refused_at_once_though_its_feed_is_cached(client, person, feed_url):
    MembershipFactory(circle=CircleFactory(), user=person)
    assert client.get(feed_url).status_code == 200
    assert client.get(feed_url).status_code == 200

    new_url = calendar_services.calendar_feed_rotate(user=person).get_absolute_url()

    assert client.get(feed_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_a_deactivated_persons_cached_feed_is_refused_at_once(client, person, feed_url):
    assert client.get(feed_url).status_code == 200
    person.is_active = False
    person.save()
    assert client.get(feed_url).status_code == 404


def test_the_feed_shows_every_change_at_once(client, person, feed_url):
    circle = CircleFactory(name="Tuesday Breakfast Thinkers")
    MembershipFactory(circle=circle, user=person)
    meeting = make_meeting(circle, in_days=2)
    uid = f"meeting-{meeting.pk}"
    assert str(events(client.get(feed_url))[uid]["STATUS"]) == "CONFIRMED"

    services.meeting_cancel(meeting=meeting)
    assert str(events(client.get(feed_url))[uid]["STATUS"]) == "CANCELLED"

    later = (meeting.starts_at + dt.timedelta(days=1)).replace(microsecond=0)
    other = make_meeting(circle, in_days=4)
    services.meeting_move(meeting=other, starts_at=later, duration_minutes=60)
    moved = events(client.get(feed_url))[f"meeting-{other.pk}"]
    assert moved["DTSTART"].dt == later

    circle.name = "Wednesday Breakfast Thinkers"
    circle.save()
    summary = str(events(client.get(feed_url))[uid]["SUMMARY"])
    assert summary == "Cancelled: Wednesday Breakfast Thinkers"  # the cancelled one says so

    joined = CircleFactory()
    elsewhere = make_meeting(joined, in_days=3)
    membership_services.membership_join(circle=joined, user=person)
    assert f"meeting-{elsewhere.pk}" in events(client.get(feed_url))

    membership = joined.memberships.get(user=person)
    membership_services.membership_leave(membership=membership)
    assert f"meeting-{elsewhere.pk}" not in events(client.get(feed_url))


def test_a_calendar_app_polling_with_the_etag_gets_304_until_something_changes(
    client, person, feed_url
):
    circle = CircleFactory()
    add_member(circle)
    MembershipFactory(circle=circle, user=person)
    meeting = make_meeting(circle, in_days=2)
    etag = client.get(feed_url)["ETag"]

    response, queries = fetch(client, feed_url, if_none_match=etag)
    assert response.status_code == 304 and response.content == b""
    assert queries == 2  # the token is still checked

    services.meeting_cancel(meeting=meeting)
    response = client.get(feed_url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_old_body_is_not_served_under_a_new_token(client, person, feed_url):
    """The cache key carries the token: a rotated URL never reads what the old one kept."""
    assert client.get(feed_url).status_code == 200
    new_url = calendar_services.calendar_feed_rotate(user=person).get_absolute_url()
    _, queries = fetch(client, new_url)
    assert queries == 3  # built afresh
