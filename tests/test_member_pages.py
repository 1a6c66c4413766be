"""The kept member pages (circles/member_pages.py): how a body is kept, served and refused.

tests/test_member_page_freshness.py shows, write by write, that the pages stay
true; these show the mechanism: a second view costs no SQL, each viewer gets
their own page and their own working CSRF token, a generation lost from the
cache or a moment passed means the full path, and nothing is kept when it is
switched off, for htmx requests, or for pages a person may not see.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles import member_pages, membership_services
from circles.models import Role
from meetings.models import Rsvp
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_TOKEN = re.compile(r'x-csrftoken": "[^"]+"')


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def table():
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    member = UserFactory(display_name="Mo Member")
    MembershipFactory(circle=circle, user=member, role=Role.MEMBER)
    meeting = make_meeting(circle, in_days=3)
    return circle, host, member, meeting


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def fetch(client: Client, url: str, **extra) -> tuple[str, int]:
    """The page's HTML and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def pages(circle, meeting) -> list[str]:
    return [circle.get_absolute_url(), meeting.get_absolute_url()]


def test_a_second_view_comes_whole_from_the_cache(table):
    circle, host, member, meeting = table
    client = signed_in(member)
    for url in pages(circle, meeting):
        first, cold = fetch(client, url)
        second, warm = fetch(client, url)
        assert cold > 3
        assert warm == 0, url  # session and person come from the cache too
        assert client.get(url).templates == [], "kept whole: no template rendered"
        assert HEADER_TOKEN.sub("", TOKEN.sub("", first)) == HEADER_TOKEN.sub(
            "", TOKEN.sub("", second)
        )


def test_each_viewer_gets_their_own_page(table):
    circle, host, member, meeting = table
    Rsvp.objects.create(meeting=meeting, user=member, answer="going")
    host_client, member_client = signed_in(host), signed_in(member)
    for _ in range(2):
        as_member, _ = fetch(member_client, meeting.get_absolute_url())
        as_host, _ = fetch(host_client, meeting.get_absolute_url())
        assert "You answered: <strong>Going</strong>" in as_member
        assert "You have not answered yet." in as_host
        assert "Cancel this meeting" in as_host
        assert "Cancel this meeting" not in as_member


def test_the_kept_page_carries_the_viewers_own_working_csrf_token(table):
    circle, host, member, meeting = table
    fetch(signed_in(host), meeting.get_absolute_url())  # someone else's copy, first
    client = signed_in(member)
    fetch(client, meeting.get_absolute_url())
    html, queries = fetch(client, meeting.get_absolute_url())
    assert queries == 0
    assert "peertables-csrf-token" not in html
    token = TOKEN.search(html)[1]
    response = client.post(
        reverse("meetings:rsvp", args=[circle.slug, meeting.pk]),
        {"answer": "going", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Rsvp.objects.get(meeting=meeting, user=member).answer == "going"
    html, _ = fetch(client, meeting.get_absolute_url())
    assert "You answered: <strong>Going</strong>" in html


def test_a_lost_generation_means_the_full_path(table):
    circle, host, member, meeting = table
    client = signed_in(member)
    fetch(client, circle.get_absolute_url())
    cache.delete(f"circlegen:{circle.slug}")  # evicted, or Redis restarted
    _, queries = fetch(client, circle.get_absolute_url())
    assert queries > 3
    _, queries = fetch(client, circle.get_absolute_url())
    assert queries == 0


def test_a_page_is_not_served_past_the_moment_it_changes(table):
    circle, host, member, meeting = table
    client = signed_in(member)
    fetch(client, meeting.get_absolute_url())
    html, queries = fetch(client, meeting.get_absolute_url())
    assert queries == 0
    assert "RSVPs are closed" not in html
    with time_machine.travel(meeting.starts_at + dt.timedelta(minutes=1)):
        html, queries = fetch(client, meeting.get_absolute_url())
    assert queries > 3
    assert "This meeting has started; RSVPs are closed." in html


def test_nothing_is_kept_when_switched_off_or_for_htmx(table, settings):
    circle, host, member, meeting = table
    client = signed_in(member)
    fetch(client, circle.get_absolute_url(), HTTP_HX_REQUEST="true")
    _, queries = fetch(client, circle.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert queries > 3
    settings.MEMBER_PAGE_SECONDS = 0
    fetch(client, circle.get_absolute_url())
    _, queries = fetch(client, circle.get_absolute_url())
    assert queries > 3


def test_a_page_someone_may_not_see_is_never_kept_nor_served_to_them(table):
    circle, host, member, meeting = table
    outsider = signed_in(UserFactory())
    fetch(signed_in(member), meeting.get_absolute_url())
    for _ in range(2):
        assert outsider.get(meeting.get_absolute_url()).status_code == 404
        assert outsider.get(circle.get_absolute_url()).status_code == 200  # the outside only
    html, _ = fetch(outsider, circle.get_absolute_url())
    assert "Members (" not in html


def test_a_member_removed_gets_404_at_once(table):
    circle, host, member, meeting = table
    client = signed_in(member)
    fetch(client, meeting.get_absolute_url())
    fetch(client, meeting.get_absolute_url())
    membership_services.membership_remove(
        membership=circle.memberships.get(user=member), removed_by=host
    )
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_the_circle_of_a_meeting_is_looked_up_once_for_a_burst_of_writes(table):
    circle, host, member, meeting = table
    others = [UserFactory() for _ in range(3)]
    for person in others:
        MembershipFactory(circle=circle, user=person)
    with CaptureQueriesContext(connection) as queries:
        for person in others:
            Rsvp.objects.create(meeting_id=meeting.pk, user=person, answer="going")
    lookups = [q for q in queries.captured_queries if '"circles_circle"."slug"' in q["sql"]]
    assert len(lookups) == 1
    assert member_pages._slug_of("meeting", meeting.pk) == circle.slug


def test_the_soonest_moment_ignores_the_past():
    now = dt.datetime.now(dt.UTC)
    past, soon = now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)
    later = now + dt.timedelta(days=1)
    assert member_pages.soonest(past, later, None, soon) == soon
    assert member_pages.soonest(past, None) is None


def test_an_address_with_a_query_string_is_neither_kept_nor_given_a_kept_page(table):
    """Forms on these pages send people back to the address they came from (``next``)."""
    circle, host, member, meeting = table
    client = signed_in(member)
    fetch(client, circle.get_absolute_url())
    for _ in range(2):
        html, queries = fetch(client, circle.get_absolute_url() + "?ref=mail")
        assert queries > 3
    _, queries = fetch(client, circle.get_absolute_url())
    assert queries == 0


def test_the_header_of_a_kept_page_shows_the_viewers_new_name_and_bell(table):
    """Kept whole, the page's header carries the viewer's name (in the key) and bell count."""
    from notifications.models import Notification, NotificationKind

    circle, host, member, meeting = table
    staff = UserFactory(display_name="Sam Staff", is_staff=True)  # not in the circle
    client = signed_in(staff)
    fetch(client, circle.get_absolute_url())
    html, queries = fetch(client, circle.get_absolute_url())
    assert queries == 0
    assert "Sam Staff" in html
    staff.display_name = "Samantha Staff"
    staff.save()
    html, _ = fetch(client, circle.get_absolute_url())
    assert "Samantha Staff" in html and "Sam Staff<" not in html
    assert 'data-unread="0"' in html
    Notification.objects.create(
        recipient=staff, kind=NotificationKind.THANKS, text="A reply", url="/"
    )
    html, _ = fetch(client, circle.get_absolute_url())
    assert 'data-unread="1"' in html
