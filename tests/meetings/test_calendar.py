"""Calendars: a .ics per meeting and a private feed per member, valid iCalendar with VTIMEZONE."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from circles.models import Status
from meetings import services
from meetings.models import CalendarFeed, Meeting
from tests.factories import CircleFactory, MembershipFactory, UserFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


def ics_url(meeting) -> str:
    return reverse("meetings:ics", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk})


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def berlin_meeting(circle_zone="Europe/Berlin") -> Meeting:
    circle = CircleFactory(time_zone=circle_zone, city="Berlin", start_time=dt.time(7, 30))
    # Tuesday 30 March 2027 07:30 Berlin summer time (CEST, +2) = 05:30 UTC.
    starts = dt.datetime(2027, 3, 30, 5, 30, tzinfo=dt.UTC)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=75),
        local_date=dt.date(2027, 3, 30),
        series_date=dt.date(2027, 3, 30),
    )


def test_a_meetings_ics_parses_and_holds_the_local_time_with_its_zone(client):
    meeting = berlin_meeting()
    member = add_member(meeting.circle, time_zone="America/Chicago")
    client.force_login(member)
    response = client.get(ics_url(meeting))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment;" in response["Content-Disposition"]
    assert f"{meeting.circle.slug}-2027-03-30.ics" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, start.date()) == (7, 30, dt.date(2027, 3, 30))
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert "DTSTART;TZID=Europe/Berlin:20270330T073000" in response.content.decode()
    assert "DTEND;TZID=Europe/Berlin:20270330T084500" in response.content.decode()
    assert start.astimezone(dt.UTC) == meeting.starts_at
    assert str(event["SUMMARY"]) == meeting.circle.name
    assert str(event["STATUS"]) == "CONFIRMED"
    assert meeting.get_absolute_url() in str(event["URL"])


def test_the_uid_is_stable_and_sequence_rises_with_every_change(client, circle, host):
    meeting = make_meeting(circle, in_days=5)
    client.force_login(host)
    (first,) = events(client.get(ics_url(meeting)).content)
    services.meeting_move(
        meeting=meeting, starts_at=meeting.starts_at + dt.timedelta(hours=1), duration_minutes=60
    )
    (moved,) = events(client.get(ics_url(meeting)).content)
    services.meeting_cancel(meeting=meeting)
    (cancelled,) = events(client.get(ics_url(meeting)).content)
    assert str(first["UID"]) == str(moved["UID"]) == str(cancelled["UID"])
    assert [int(e["SEQUENCE"]) for e in (first, moved, cancelled)] == [0, 1, 2]
    assert str(moved["STATUS"]) == "CONFIRMED"
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_outsiders_cannot_download_a_meetings_ics(client, meeting):
    client.force_login(UserFactory())
    assert client.get(ics_url(meeting)).status_code == 404


def make_feed(client, user) -> str:
    client.force_login(user)
    client.post(reverse("calendar:rotate"))
    return CalendarFeed.objects.get(user=user).get_absolute_url()


def test_the_private_feed_lists_the_members_upcoming_meetings_in_all_their_circles(client):
    person = UserFactory()
    chicago = CircleFactory()
    berlin = CircleFactory(time_zone="Europe/Berlin", city="Berlin")
    left = CircleFactory()
    stranger_circle = CircleFactory()
    for circle in (chicago, berlin):
        MembershipFactory(circle=circle, user=person)
    MembershipFactory(circle=left, user=person, status=Status.LEFT, joined_at=None)
    mine = [make_meeting(chicago, in_days=2), make_meeting(berlin, in_days=3)]
    cancelled = make_meeting(chicago, in_days=9)
    services.meeting_cancel(meeting=cancelled)
    make_meeting(chicago, in_days=-3)  # over
    make_meeting(left, in_days=2)
    make_meeting(stranger_circle, in_days=2)
    feed_url = make_feed(client, person)
    client.logout()  # calendar apps have no session: the token is the key

    response = client.get(feed_url)

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    expected = {f"meeting-{m.pk}@" for m in [*mine, cancelled]}
    assert {uid.split("@")[0] + "@" for uid in found} == expected
    assert str(
        found[next(u for u in found if u.startswith(f"meeting-{cancelled.pk}@"))]["STATUS"]
    ) == ("CANCELLED")
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == {"America/Chicago", "Europe/Berlin"}


def test_a_wrong_or_rotated_token_is_a_404(client):
    circle = CircleFactory()
    person = add_member(circle)
    make_meeting(circle)
    old_url = make_feed(client, person)
    assert client.get(old_url).status_code == 200
    assert (
        client.get(reverse("calendar:feed", kwargs={"token": "not-the-token"})).status_code == 404
    )

    client.force_login(person)
    response = client.post(reverse("calendar:rotate"), follow=True)
    assert "the old one no longer works" in response.content.decode()
    new_url = CalendarFeed.objects.get(user=person).get_absolute_url()
    assert new_url != old_url
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_a_deactivated_persons_feed_is_a_404(client):
    person = add_member(CircleFactory())
    url = make_feed(client, person)
    person.is_active = False
    person.save()
    assert client.get(url).status_code == 404


def test_the_calendar_page_shows_the_feed_address_and_never_rotates_on_get(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("calendar:settings")).content.decode()
    assert "Make my feed address" in page
    assert client.get(reverse("calendar:rotate")).status_code == 405
    assert not CalendarFeed.objects.exists()
    client.post(reverse("calendar:rotate"))
    feed = CalendarFeed.objects.get(user=person)
    page = client.get(reverse("calendar:settings")).content.decode()
    assert f"http://testserver/calendar/{feed.token}.ics" in page
    assert len(feed.token) >= 32


def test_the_calendar_page_needs_sign_in(client):
    assert client.get(reverse("calendar:settings")).status_code == 302


def test_a_feed_with_no_meetings_is_still_valid(client):
    url = make_feed(client, UserFactory())
    calendar = Calendar.from_ical(client.get(url).content)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_a_german_members_feed_is_in_german_whatever_the_calendar_app_asks_for(client):
    """The feed is read by a calendar app without a session: its owner's language decides."""
    circle = CircleFactory(name="Tuesday Breakfast Thinkers")
    greta = add_member(circle, language="de")
    ed = add_member(circle, language="en")
    scheduled = make_meeting(circle, in_days=2)
    cancelled = make_meeting(circle, in_days=9)
    services.meeting_cancel(meeting=cancelled)
    greta_url, ed_url = make_feed(client, greta), make_feed(client, ed)
    client.logout()

    german = Calendar.from_ical(client.get(greta_url, HTTP_ACCEPT_LANGUAGE="en").content)
    assert str(german["X-WR-CALNAME"]) == "PeerTables-Treffen"
    by_pk = {int(str(e["UID"]).split("-")[1].split("@")[0]): e for e in german.walk("VEVENT")}
    assert str(by_pk[cancelled.pk]["SUMMARY"]) == "Abgesagt: Tuesday Breakfast Thinkers"
    assert str(by_pk[scheduled.pk]["SUMMARY"]) == "Tuesday Breakfast Thinkers"
    assert "Agenda und Rückmeldungen" in str(by_pk[scheduled.pk]["DESCRIPTION"])

    english = Calendar.from_ical(client.get(ed_url, HTTP_ACCEPT_LANGUAGE="de").content)
    assert str(english["X-WR-CALNAME"]) == "PeerTables meetings"
    summaries = {str(e["SUMMARY"]) for e in english.walk("VEVENT")}
    assert "Cancelled: Tuesday Breakfast Thinkers" in summaries


def test_choosing_another_language_rewrites_the_kept_feed(client):
    circle = CircleFactory(name="Tuesday Breakfast Thinkers")
    person = add_member(circle, language="en")
    services.meeting_cancel(meeting=make_meeting(circle, in_days=2))
    feed_url = make_feed(client, person)
    (event,) = events(client.get(feed_url).content)
    assert str(event["SUMMARY"]) == "Cancelled: Tuesday Breakfast Thinkers"
    person.language = "es"
    person.save()
    (event,) = events(client.get(feed_url).content)
    assert str(event["SUMMARY"]) == "Cancelada: Tuesday Breakfast Thinkers"
