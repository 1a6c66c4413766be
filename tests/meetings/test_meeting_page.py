"""The meeting page: when and where (naming zones), who is coming, seats; members only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from circles.models import Status
from meetings import agenda_services, rsvp_services, services
from meetings.models import Answer, Meeting
from tests.factories import CircleFactory, MembershipFactory, UserFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def tuesday(circle):
    """Tuesday 1 December 2026, 06:30 in Chicago (12:30 UTC)."""
    starts = dt.datetime(2026, 12, 1, 12, 30, tzinfo=dt.UTC)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=75),
        local_date=dt.date(2026, 12, 1),
        series_date=dt.date(2026, 12, 1),
    )


def test_members_see_when_and_where_naming_the_zone(client, tuesday, member):
    client.force_login(member)  # member's own zone is the circle's: one time shown
    html = client.get(tuesday.get_absolute_url()).content.decode()
    assert "Tuesday 1 December 2026, 06:30–07:45 CST (America/Chicago)" in html
    assert "your time" not in html
    assert "The Corner Diner, 1 Main St" in html


def test_a_member_elsewhere_also_sees_their_own_time(client, circle, tuesday):
    berliner = add_member(circle, time_zone="Europe/Berlin")
    client.force_login(berliner)
    html = client.get(tuesday.get_absolute_url()).content.decode()
    assert "06:30–07:45 CST (America/Chicago)" in html
    assert "Tuesday 1 December, 13:30 CET your time (Europe/Berlin)" in html


def test_the_page_shows_who_is_going_maybe_and_waitlisted_and_seats_left(client):
    circle = CircleFactory(seat_limit=2)
    meeting = make_meeting(circle)
    ana, ben, cy, dee = (add_member(circle, display_name=n) for n in ("Ana", "Ben", "Cy", "Dee"))
    rsvp_services.rsvp_set(meeting=meeting, user=ana, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=ben, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=cy, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=dee, answer=Answer.MAYBE)
    client.force_login(dee)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "2 going · 0 of 2 seats left · 1 on the waitlist" in html
    assert "Going (2)" in html and "<li>Ana</li><li>Ben</li>" in html
    assert "Maybe (1)" in html and "<li>Dee</li>" in html
    assert "Waitlist (1)" in html and '<ol class="people"><li>Cy</li></ol>' in html
    assert 'answering "Going" puts you on the waitlist' in html


def test_a_cancelled_meeting_shows_as_cancelled_without_rsvp_buttons(client, meeting, member):
    services.meeting_cancel(meeting=meeting)
    client.force_login(member)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "This meeting is cancelled" in html
    assert 'name="answer"' not in html


@pytest.mark.parametrize(
    "name", ["detail", "ics", "rsvp", "topic_propose", "notes", "commitment", "attendance"]
)
def test_outsiders_get_404_for_every_meeting_url(client, meeting, name):
    topic_owner = add_member(meeting.circle)
    agenda_services.topic_propose(meeting=meeting, user=topic_owner, title="Pricing")
    outsider = UserFactory()
    client.force_login(outsider)
    target = reverse(f"meetings:{name}", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk})
    method = client.get if name in ("detail", "ics") else client.post
    assert method(target).status_code == 404
    assert method(target, HTTP_HX_REQUEST="true").status_code == 404


def test_outsiders_get_404_for_topic_urls_too(client, meeting):
    topic = agenda_services.topic_propose(
        meeting=meeting, user=add_member(meeting.circle), title="Hiring"
    )
    client.force_login(UserFactory())
    kwargs = {"slug": meeting.circle.slug, "pk": meeting.pk, "topic_pk": topic.pk}
    for name in ("topic_vote", "topic_status", "topic_move"):
        assert client.post(reverse(f"meetings:{name}", kwargs=kwargs)).status_code == 404
    assert not topic.votes.exists()


@pytest.mark.parametrize("status", [Status.REQUESTED, Status.INVITED, Status.LEFT, Status.REMOVED])
def test_people_who_are_not_active_members_get_404(client, meeting, status):
    person = UserFactory()
    MembershipFactory(circle=meeting.circle, user=person, status=status, joined_at=None)
    client.force_login(person)
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_a_meeting_is_only_found_under_its_own_circle(client, meeting):
    other = CircleFactory()
    member_of_both = add_member(other)
    MembershipFactory(circle=meeting.circle, user=member_of_both)
    client.force_login(member_of_both)
    wrong = reverse("meetings:detail", kwargs={"slug": other.slug, "pk": meeting.pk})
    assert client.get(wrong).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, meeting):
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 302
    assert "/login/" in response.url or "/accounts/" in response.url


def test_the_page_varies_on_hx_request(client, meeting, member):
    client.force_login(member)
    assert "HX-Request" in client.get(meeting.get_absolute_url())["Vary"]


def test_circle_upcoming_tag_shows_members_their_answers_and_nothing_to_others(circle, member):
    meetings = [make_meeting(circle, in_days=d) for d in (2, 9, 16, 23, 30)]
    rsvp_services.rsvp_set(meeting=meetings[1], user=member, answer=Answer.MAYBE)
    services.meeting_cancel(meeting=meetings[2])
    template = Template("{% load meetings_tags %}{% circle_upcoming_meetings circle user %}")
    request = RequestFactory().get(circle.get_absolute_url())
    request.user = member
    html = template.render(Context({"circle": circle, "user": member, "request": request}))
    assert html.count('class="meeting-item') == 4  # the next four
    items = html.split('class="meeting-item')
    assert re.search(r"Your answer:\s*not yet", items[1])
    assert re.search(r"Your answer:\s*Maybe", items[2])
    assert "Cancelled" in html
    assert reverse("meetings:list", kwargs={"slug": circle.slug}) in html
    outsider = UserFactory()
    request.user = outsider
    html = template.render(Context({"circle": circle, "user": outsider, "request": request}))
    assert "meeting-item" not in html and "Next meetings" not in html


def test_a_sydney_breakfast_is_on_its_own_day_for_everyone(client):
    """Thursday 06:45 in Sydney is still Wednesday in UTC and in Chicago."""
    circle = CircleFactory(time_zone="Australia/Sydney", city="Sydney", seat_limit=12)
    starts = dt.datetime(2026, 11, 25, 19, 45, tzinfo=dt.UTC)  # 06:45 AEDT on Thursday 26th
    meeting = Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=75),
        local_date=dt.date(2026, 11, 26),
        series_date=dt.date(2026, 11, 26),
    )
    chicagoan = add_member(circle, time_zone="America/Chicago")
    client.force_login(chicagoan)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert f"<title>{circle.name}: Thursday 26 November" in html
    assert "Thursday 26 November 2026, 06:45–08:00 AEDT (Australia/Sydney)" in html
    assert "Wednesday 25 November, 13:45 CST your time (America/Chicago)" in html
