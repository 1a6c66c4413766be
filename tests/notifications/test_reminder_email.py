"""The reminder email: both parts, both zones, the place, who is going, the agenda, the answer,
one-click links, the .ics attachment and the unsubscribe headers."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar

from meetings.models import AgendaTopic, Answer, Rsvp, Vote
from notifications import sending
from tests.notifications.conftest import T0, add_member, html_of, make_table, only_email_to

pytestmark = pytest.mark.django_db

DUE = T0 + dt.timedelta(hours=6)


@pytest.fixture
def table(clock):
    table = make_table(
        members=2,
        name="Tuesday Breakfast Thinkers",
        time_zone="America/Chicago",
        venue_name="Lou Mitchell's",
        venue_address="565 W Jackson Blvd",
    )
    # The meeting: Tuesday 3 March 2026 16:00 UTC = 10:00 CST in Chicago, 17:00 CET in Berlin.
    berliner = add_member(table.circle, display_name="Greta Berlin", time_zone="Europe/Berlin")
    table.members.append(berliner)
    going = table.members[0]
    going.display_name = "Ana Going"
    going.save()
    Rsvp.objects.create(meeting=table.meeting, user=going, answer=Answer.GOING)
    Rsvp.objects.create(meeting=table.meeting, user=berliner, answer=Answer.MAYBE)
    popular = AgendaTopic.objects.create(
        meeting=table.meeting, author=going, title="Pricing <without> fear"
    )
    AgendaTopic.objects.create(meeting=table.meeting, author=going, title="Hiring a first PM")
    for voter in (table.host, going):
        Vote.objects.create(topic=popular, meeting=table.meeting, user=voter)
    clock.move_to(DUE)
    sending.reminders_sweep()
    return table


def test_the_subject_leads_with_the_circle_and_names_the_local_time(table):
    message = only_email_to(table.host)
    assert message.subject == (
        "Tuesday Breakfast Thinkers: reminder for Tuesday 3 March, 10:00 CST"
    )


def test_both_parts_say_when_in_the_circles_zone_and_the_members_own(table):
    berliner = table.members[-1]
    message = only_email_to(berliner)
    circle_time = "Tuesday 3 March 2026, 10:00–11:15 CST (America/Chicago)"
    own_time = "Tuesday 3 March, 17:00 CET your time (Europe/Berlin)"
    assert circle_time in message.body and own_time in message.body
    assert circle_time in html_of(message) and own_time in html_of(message)
    # Someone in the circle's own zone is not told the same time twice.
    host_message = only_email_to(table.host)
    assert circle_time in host_message.body
    assert "your time" not in host_message.body


def test_where_who_is_going_the_agenda_and_my_answer(table):
    berliner = table.members[-1]
    message = only_email_to(berliner)
    html = html_of(message)
    for part in (message.body, html):
        assert "Lou Mitchell" in part and "565 W Jackson Blvd" in part
        assert "Who is going so far (1)" in part and "Ana Going" in part
        assert "Hiring a first PM" in part
        assert "Your answer:</strong> Maybe." in part or "Your answer: Maybe." in part
    # The most voted topic leads, and user text is escaped in HTML.
    assert message.body.index("Pricing <without> fear (2 votes)") < message.body.index("Hiring")
    assert "Pricing &lt;without&gt; fear" in html and "<without>" not in html
    assert "You have not answered yet." in only_email_to(table.members[1]).body


def test_one_click_links_for_each_answer_and_a_settings_link(table, settings):
    message = only_email_to(table.host)
    html = html_of(message)
    for label in ("Going", "Maybe", "Not going"):
        assert f">{label}</a>" in html
        assert f"  {label}: {settings.SITE_URL}/email/rsvp/" in message.body
    assert message.body.count("/email/rsvp/") == 3
    assert html.count("/email/rsvp/") == 3
    assert "/settings/notifications/" in message.body and "/settings/notifications/" in html


def test_online_circles_give_the_meeting_link(clock):
    table = make_table(
        members=0, is_online=True, city="", meeting_link="https://meet.example.org/breakfast"
    )
    clock.move_to(DUE)
    sending.reminders_sweep()
    message = only_email_to(table.host)
    assert "Meeting link: https://meet.example.org/breakfast" in message.body
    assert 'href="https://meet.example.org/breakfast"' in html_of(message)


def test_the_meetings_ics_is_attached(table):
    message = only_email_to(table.host)
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith("-2026-03-03.ics")
    assert mimetype == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Tuesday Breakfast Thinkers"
    assert event.decoded("dtstart") == table.meeting.starts_at
    assert str(event["uid"]).startswith(f"meeting-{table.meeting.pk}@")


def test_list_unsubscribe_headers_offer_one_click(table, settings):
    message = only_email_to(table.host)
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    unsubscribe = str(parsed["List-Unsubscribe"]).strip()  # folded: the URL is long
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/email/unsubscribe/")
    assert unsubscribe.endswith("/>")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert unsubscribe[1:-1] in message.body  # the footer offers the same link


def test_every_link_is_absolute(table, settings):
    html = html_of(only_email_to(table.host))
    assert 'href="/' not in html
    assert f'href="{settings.SITE_URL}{table.meeting.get_absolute_url()}"' in html
