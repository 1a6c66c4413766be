"""Circles you might sit at: ranked, explained, and never a full, archived or own circle."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from circles.models import Frequency, Listing, Role, Status
from circles.suggestions import suggest_circles
from members.models import Industry
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory
from tests.members.factories import ProfileFactory

pytestmark = pytest.mark.django_db

# A Monday in winter: America/Chicago is UTC-6, Europe/Berlin UTC+1.
NOW = dt.datetime(2026, 1, 12, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def design():
    return TopicFactory(name="Design", slug="design")


@pytest.fixture
def person(design):
    user = UserFactory(time_zone="America/Chicago")
    ProfileFactory(user=user, industry=Industry.DESIGN, city="Chicago", can_help_with=[design])
    return user


def circle_about(topic, **kwargs):
    kwargs.setdefault("starts_on", dt.date(2026, 1, 5))
    circle = CircleFactory(**kwargs)
    circle.topics.add(topic)
    MembershipFactory(circle=circle, role=Role.HOST)
    return circle


def names(suggestions):
    return [s.circle.name for s in suggestions]


def test_a_matching_circle_is_suggested_with_its_reason(person, design):
    circle_about(design, name="Tuesday Breakfast Thinkers", weekday=1, start_time=dt.time(6, 30))
    [suggestion] = suggest_circles(person)
    assert suggestion.circle.name == "Tuesday Breakfast Thinkers"
    assert suggestion.reason == (
        "no one in design yet; on design; meets Tuesdays 6:30 your time; in Chicago"
    )


def test_the_time_is_told_on_the_persons_own_clock(design):
    berliner = UserFactory(time_zone="Europe/Berlin")
    ProfileFactory(user=berliner, industry=Industry.FINANCE, city="", can_help_with=[design])
    # 09:00 in Chicago on a Tuesday is 16:00 in Berlin.
    circle_about(design, name="Online Design Crit", is_online=True, city="", start_time=dt.time(9))
    [suggestion] = suggest_circles(berliner)
    assert "meets Tuesdays 16:00 your time" in suggestion.reason
    assert suggestion.reason.endswith("online")


def test_outside_waking_hours_is_not_suggested(design):
    berliner = UserFactory(time_zone="Europe/Berlin")
    ProfileFactory(user=berliner, city="", can_help_with=[design])
    # 18:30 in Chicago is 01:30 in Berlin.
    circle_about(design, is_online=True, city="", start_time=dt.time(18, 30))
    assert suggest_circles(berliner) == []


def test_full_archived_unlisted_and_own_circles_are_never_suggested(person, design):
    full = circle_about(design, name="Full", seat_limit=2)
    MembershipFactory(circle=full)
    circle_about(design, name="Archived", archived_at=timezone.now())
    circle_about(design, name="Unlisted", listing=Listing.UNLISTED)
    mine = circle_about(design, name="Mine")
    MembershipFactory(circle=mine, user=person)
    asked = circle_about(design, name="Asked")
    MembershipFactory(circle=asked, user=person, status=Status.REQUESTED)
    circle_about(design, name="Open table")
    assert names(suggest_circles(person, limit=10)) == ["Open table"]


def test_a_circle_i_left_can_be_suggested_again(person, design):
    left = circle_about(design, name="Left once")
    MembershipFactory(circle=left, user=person, status=Status.LEFT)
    assert names(suggest_circles(person)) == ["Left once"]


def test_only_my_city_or_online(person, design):
    circle_about(design, name="Berlin table", city="Berlin", time_zone="America/Chicago")
    circle_about(design, name="Online table", is_online=True, city="")
    circle_about(design, name="Chicago table", city="chicago")
    assert sorted(names(suggest_circles(person, limit=10))) == ["Chicago table", "Online table"]


def test_topics_must_match(person):
    circle_about(TopicFactory(name="Sales", slug="sales"))
    assert suggest_circles(person) == []


def test_variety_ranks_a_circle_without_my_industry_first(person, design):
    crowded = circle_about(design, name="A crowded design table")
    for _ in range(2):
        MembershipFactory(circle=crowded, user=ProfileFactory(industry=Industry.DESIGN).user)
    circle_about(design, name="Z table of engineers")
    suggestions = suggest_circles(person, limit=10)
    assert names(suggestions) == ["Z table of engineers", "A crowded design table"]
    assert suggestions[0].reason.startswith("no one in design yet")
    assert "no one in design" not in suggestions[1].reason


def test_more_matching_topics_rank_higher(person, design):
    sales = TopicFactory(name="Sales", slug="sales")
    person.profile.looking_for.add(sales)
    circle_about(design, name="A one-topic table")
    both = circle_about(design, name="B two-topic table")
    both.topics.add(sales)
    suggestions = suggest_circles(person, limit=10)
    assert names(suggestions) == ["B two-topic table", "A one-topic table"]
    assert "on design and sales;" in suggestions[0].reason


def test_fortnightly_circles_say_so(person, design):
    circle_about(design, frequency=Frequency.FORTNIGHTLY)
    [suggestion] = suggest_circles(person)
    assert "meets every other Tuesday 6:30 your time" in suggestion.reason


def test_no_profile_or_no_tags_means_no_suggestions(design):
    circle_about(design)
    assert suggest_circles(UserFactory()) == []
    assert suggest_circles(ProfileFactory().user) == []


def test_queries_do_not_grow_with_circles(person, design, django_assert_max_num_queries):
    for _ in range(3):
        circle_about(design)
    # The profile with its topics, the candidates, their topics, the industry counts.
    with django_assert_max_num_queries(4) as few:
        suggest_circles(person)
    for _ in range(25):
        circle = circle_about(design)
        MembershipFactory(circle=circle, user=ProfileFactory(industry=Industry.DESIGN).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(suggest_circles(person)) == 3


# --- On the directory page -------------------------------------------------------


def test_the_directory_shows_suggestions_to_a_signed_in_member(client, person, design):
    circle_about(design, name="Tuesday Breakfast Thinkers", weekday=1, start_time=dt.time(6, 30))
    client.force_login(person)
    html = client.get(reverse("circles:directory")).content.decode()
    assert "Circles you might sit at" in html
    assert "No one in design yet; on design; meets Tuesdays 6:30 your time; in Chicago." in html


def test_signed_out_visitors_see_no_suggestions(client, design):
    circle_about(design)
    assert (
        "Circles you might sit at" not in client.get(reverse("circles:directory")).content.decode()
    )


def test_without_a_profile_the_section_asks_for_one(client):
    client.force_login(UserFactory())
    html = client.get(reverse("circles:directory")).content.decode()
    assert reverse("members:profile_edit") in html


def test_htmx_filter_answers_leave_the_suggestions_alone(client, person, design):
    circle_about(design)
    client.force_login(person)
    html = client.get(reverse("circles:directory"), headers={"HX-Request": "true"}).content.decode()
    assert "Circles you might sit at" not in html


def test_directory_queries_do_not_grow_with_suggestions(
    client, settings, person, design, django_assert_max_num_queries
):
    settings.SIGNED_OUT_PAGE_CACHE_SECONDS = 0  # nothing kept
    for _ in range(3):
        circle_about(design)
    client.force_login(person)
    client.get(reverse("circles:directory"))  # the session and the bell's count, kept
    # The person, the filters' choices, the suggestions' four (above), the page of circles.
    with django_assert_max_num_queries(7) as few:
        client.get(reverse("circles:directory"))
    for _ in range(25):
        circle = circle_about(design)
        MembershipFactory(circle=circle, user=ProfileFactory(industry=Industry.DESIGN).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("circles:directory")).status_code == 200


def directory_with_queries(client) -> tuple[str, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("circles:directory")).content.decode()
    return html, [q["sql"] for q in queries]


def test_suggestions_are_worked_out_each_time_and_a_profile_change_shows_at_once(
    client, person, design
):
    """Nothing about one person is kept: each page reads their profile again."""
    from members.services import profile_update

    circle_about(design, name="Tuesday Breakfast Thinkers", weekday=1, start_time=dt.time(6, 30))
    sales = TopicFactory(name="Sales", slug="sales")
    circle_about(sales, name="Sales Supper", weekday=2, start_time=dt.time(19, 0))
    client.force_login(person)
    directory_with_queries(client)
    html, sql = directory_with_queries(client)
    assert [q for q in sql if "members_profile" in q], "read for this request"
    assert "Tuesday Breakfast Thinkers" in html.split('id="results"')[0]
    assert "Sales Supper" not in html.split('id="results"')[0]
    profile_update(
        user=person,
        display_name=person.display_name,
        time_zone=person.time_zone,
        can_help_with=[sales],
        city="Chicago",
    )
    html, _ = directory_with_queries(client)
    suggestions = html.split('id="results"')[0]
    assert "Sales Supper" in suggestions
    assert "Tuesday Breakfast Thinkers" not in suggestions


def test_another_members_industry_changes_the_reason_at_once(client, person, design):
    table = circle_about(design, name="Tuesday Breakfast Thinkers", weekday=1)
    neighbour = ProfileFactory(industry=Industry.FINANCE)
    MembershipFactory(circle=table, user=neighbour.user)
    client.force_login(person)
    html, _ = directory_with_queries(client)
    assert "No one in design yet" in html
    neighbour.industry = Industry.DESIGN
    neighbour.save()
    html, _ = directory_with_queries(client)
    assert "No one in design yet" not in html
    assert "Tuesday Breakfast Thinkers" in html.split('id="results"')[0]
