"""Signed in, the directory's cards come from the cache: the same cards, each viewer's zone,
and a change to a listed circle at once (circles/views.py, ``_signed_in_results_key``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles import membership_services
from circles.models import Role
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("circles:directory")
HTMX = {"HTTP_HX_REQUEST": "true"}


def fetch(client, data=None, **extra) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, data, **extra)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries]


def circle_queries(sql: list[str]) -> list[str]:
    """The cards' reads; not the filters' choices (topics and cities in one UNION)."""
    return [q for q in sql if 'FROM "circles_circle"' in q and "UNION" not in q]


@pytest.fixture
def berlin():
    return CircleFactory(name="Berlin Table", time_zone="Europe/Berlin", start_time=dt.time(7, 30))


def test_the_second_view_reuses_the_cards_and_skips_their_queries(client, berlin):
    client.force_login(UserFactory(time_zone="America/New_York"))
    first, sql = fetch(client)
    assert circle_queries(sql), "the first view reads the circles"
    second, sql = fetch(client)
    assert circle_queries(sql) == []
    assert "Berlin Table" in second and "America/New_York" in second
    results, footer = '<section id="results"', "<footer"  # the footer's form has a fresh token
    assert (
        second[second.index(results) : second.index(footer)]
        == first[first.index(results) : first.index(footer)]
    )


def test_each_zone_gets_its_own_cards(client, berlin):
    client.force_login(UserFactory(time_zone="America/New_York"))
    fetch(client)
    client.force_login(UserFactory(time_zone="Asia/Tokyo"))
    html, _ = fetch(client)
    # 07:30 in Berlin is 15:30 or 14:30 in Tokyo, never the New York card.
    assert "Asia/Tokyo" in html and "America/New_York" not in html
    assert ("15:30" in html) or ("14:30" in html)


def test_a_new_circle_and_a_taken_seat_show_at_once(client, berlin):
    client.force_login(UserFactory(time_zone="Europe/Berlin"))
    html, _ = fetch(client)
    assert "Lisbon Table" not in html
    lisbon = CircleFactory(name="Lisbon Table", seat_limit=2)
    MembershipFactory(circle=lisbon)
    html, _ = fetch(client)
    assert "Lisbon Table" in html
    membership_services.membership_join(circle=lisbon, user=UserFactory())
    html, _ = fetch(client)
    card = html[html.index("Lisbon Table") :]
    assert "Full" in card[: card.index("</article>")]


def test_htmx_answers_are_the_cached_fragment_alone(client, berlin):
    client.force_login(UserFactory())
    page, _ = fetch(client, {"place": "online"})
    fragment, sql = fetch(client, {"place": "online"}, **HTMX)
    assert circle_queries(sql) == []
    assert fragment.lstrip().startswith('<section id="results"')
    assert "<html" not in fragment
    assert fragment.strip() in page


def test_searches_and_signed_in_extras_are_not_shared(client, berlin):
    """Free-text searches are never kept; the signed-in empty state is not shown signed out."""
    client.force_login(UserFactory())
    fetch(client, {"q": "Berlin"})
    _, sql = fetch(client, {"q": "Berlin"})
    assert circle_queries(sql), "a search is read every time"
    fetch(client, {"place": "Nowhere"})
    client.logout()
    html, _ = fetch(client, {"place": "online", "weekday": "6"})
    assert "Start your own circle" not in html


def test_a_members_own_circle_is_unchanged(client, berlin):
    """The cards are the listed circles for everyone; membership shows on the circle page."""
    person = UserFactory()
    MembershipFactory(circle=berlin, user=person)
    client.force_login(person)
    mine, _ = fetch(client)
    client.force_login(UserFactory())
    theirs, _ = fetch(client)
    results, footer = '<section id="results"', "<footer"
    assert (
        mine[mine.index(results) : mine.index(footer)]
        == theirs[theirs.index(results) : theirs.index(footer)]
    )


def test_a_signed_in_persons_page_is_their_own_each_time(client, berlin):
    """Header and suggestions are rendered for each request; only the cards are shared."""
    person = UserFactory(display_name="Dana Directory", time_zone="Europe/Berlin")
    client.force_login(person)
    fetch(client, {"place": "online"})
    second, sql = fetch(client, {"place": "online"})
    assert circle_queries(sql) == [], "the cards come from the cache"
    assert "Dana Directory" in second and "Circles you might sit at" in second
    other = UserFactory(display_name="Omar Other", time_zone="Europe/Berlin")
    client.force_login(other)
    theirs, _ = fetch(client, {"place": "online"})
    assert "Omar Other" in theirs and "Dana Directory" not in theirs


def test_kept_cards_and_filters_are_never_a_removed_or_suspended_members_page(client, berlin):
    """The two things kept (the cards per zone, the empty filter form) hold nothing of one
    person: a member removed from a circle and a suspended person get what anyone gets,
    never a page kept from before (their name, their circle's inside)."""
    from moderation.services import person_suspend

    member = UserFactory(display_name="Rita Removed", time_zone="Europe/Berlin")
    host = UserFactory()
    MembershipFactory(circle=berlin, user=host, role=Role.HOST)
    membership = MembershipFactory(circle=berlin, user=member)
    staff = UserFactory(is_staff=True)
    client.force_login(member)
    kept, _ = fetch(client)
    assert "Rita Removed" in kept
    membership_services.membership_remove(membership=membership, removed_by=host)
    after, sql = fetch(client)
    assert circle_queries(sql), "a seat came free: the cards are rendered anew"
    assert "Rita Removed" in after  # her own header, rendered for her request

    person_suspend(person=member, by=staff, reason="Spam")
    suspended = client.get(URL)
    assert "Rita Removed" not in suspended.content.decode()
    anyone = UserFactory(time_zone="Europe/Berlin")
    client.force_login(anyone)
    theirs, _ = fetch(client)
    results, footer = '<section id="results"', "<footer"
    assert (
        theirs[theirs.index(results) : theirs.index(footer)]
        == after[after.index(results) : after.index(footer)]
    )


def test_directory_queries_are_the_same_for_5_and_60_circles(
    client, settings, django_assert_num_queries
):
    """Signed in, nothing kept: the person (read on every request), the filters' topics and
    cities (one query), the person's profile (no tags: no suggestions to look for) and the
    page of circles with their count and topics (circles/directory_reads.py). With the
    cards and the empty form kept: the person and their profile."""
    person = UserFactory()
    client.force_login(person)
    CircleFactory.create_batch(5)
    settings.SIGNED_OUT_PAGE_CACHE_SECONDS = 0
    client.get(URL)
    with django_assert_num_queries(4):
        assert client.get(URL).content.decode().count('class="card circle-card"') == 5
    CircleFactory.create_batch(55)
    with django_assert_num_queries(4):
        assert client.get(URL).content.decode().count('class="card circle-card"') == 12
    settings.SIGNED_OUT_PAGE_CACHE_SECONDS = 60
    client.get(URL)
    with django_assert_num_queries(2):
        assert client.get(URL).content.decode().count('class="card circle-card"') == 12
