"""The meeting page is rendered for every request: nothing of it outlives a change.

It used to be kept per viewer (circles/member_pages.py); now the access check
runs first on every request, and the only thing kept between requests is the
empty topic form's HTML (the same for every person and meeting). These tests
show a page to a member, change something, and read it again, with the kept
pages of the other pages switched on (tests/conftest.py sets
MEMBER_PAGE_SECONDS).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from circles import membership_services as circle_services
from meetings import agenda_services, record_services, rsvp_services
from meetings.models import AgendaTopic, Answer
from moderation.services import person_suspend

from .conftest import add_member

pytestmark = pytest.mark.django_db


def test_a_removed_member_never_sees_the_page_again(client, circle, host, meeting, member):
    agenda_services.topic_propose(meeting=meeting, user=member, title="Pricing for agencies")
    client.force_login(member)
    assert "Pricing for agencies" in client.get(meeting.get_absolute_url()).content.decode()
    membership = circle.memberships.get(user=member)
    circle_services.membership_remove(membership=membership, removed_by=host)
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 404
    assert "Pricing for agencies" not in response.content.decode()


def test_a_suspended_member_never_sees_the_page_again(client, circle, meeting, member):
    staff = add_member(circle, is_staff=True)
    agenda_services.topic_propose(meeting=meeting, user=member, title="Pricing for agencies")
    client.force_login(member)
    assert client.get(meeting.get_absolute_url()).status_code == 200
    person_suspend(person=member, by=staff, reason="Spam")
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 302  # signed out: to the sign-in page
    assert "Pricing for agencies" not in response.content.decode()


def test_a_new_topic_rsvp_and_vote_show_on_the_next_request(client, circle, meeting, member):
    other = add_member(circle, display_name="Olu Other")
    client.force_login(member)
    before = client.get(meeting.get_absolute_url()).content.decode()
    assert "Olu Other" not in before
    topic = agenda_services.topic_propose(meeting=meeting, user=other, title="Hiring a first PM")
    rsvp_services.rsvp_set(meeting=meeting, user=other, answer=Answer.GOING)
    agenda_services.topic_vote(topic=topic, user=other)
    after = client.get(meeting.get_absolute_url()).content.decode()
    assert "Hiring a first PM" in after
    assert "<li>Olu Other</li>" in after
    assert 'aria-label="1 vote"' in after


def test_the_empty_topic_form_follows_the_readers_language(client, circle, meeting, member):
    client.force_login(member)
    english = client.get(meeting.get_absolute_url()).content.decode()
    member.language = "de"
    member.save(update_fields=["language"])
    german = client.get(meeting.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    with translation.override("de"):
        label = translation.gettext("Topic")
    assert label != "Topic"
    assert '<label for="id_title">Topic:</label>' in english
    assert f'<label for="id_title">{label}:</label>' in german


def test_topic_details_are_stored_as_sanitized_html_when_written(meeting, member):
    topic = agenda_services.topic_propose(
        meeting=meeting, user=member, title="Pricing", details="**really** <script>x</script>"
    )
    topic.refresh_from_db()
    assert "<strong>really</strong>" in topic.details_html
    assert "<script>" not in topic.details_html
    topic.details = "*now* this"
    topic.save(update_fields=["details"])
    topic.refresh_from_db()
    assert topic.details_html.strip() == "<p><em>now</em> this</p>"


def test_topics_written_without_save_are_still_shown_as_html(client, meeting, member):
    """bulk_create skips save() (carried topics, the benchmark's data): rendered when read."""
    AgendaTopic.objects.bulk_create(
        [AgendaTopic(meeting=meeting, author=member, title="Carried", details="**bold**")]
    )
    assert AgendaTopic.objects.get().details_html == ""
    client.force_login(member)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert '<div class="prose topic-details"><p><strong>bold</strong></p>' in html


def test_meeting_notes_are_stored_as_html_with_them(meeting):
    record_services.meeting_notes_set(meeting=meeting, notes="We agreed to **ship on Friday**.")
    meeting.refresh_from_db()
    assert "<strong>ship on Friday</strong>" in meeting.notes_html
    assert "<strong>ship on Friday</strong>" in meeting.notes_as_html()


def test_agenda_rows_escape_what_people_typed(client, circle, host, meeting):
    eve = add_member(circle, display_name="<b>Eve</b>")
    agenda_services.topic_propose(meeting=meeting, user=eve, title='<img src=x onerror="alert(1)">')
    client.force_login(host)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "Proposed by &lt;b&gt;Eve&lt;/b&gt;" in html
    assert html.count('name="direction" value="up" class="link-button" disabled') == 1
    assert html.count('<button type="submit" name="status" value="discussed"') == 1
    assert "&lt;button" not in html


def test_agenda_rows_show_status_and_carried_badges(client, circle, host, meeting):
    topic = agenda_services.topic_propose(meeting=meeting, user=host, title="Pricing")
    carried = AgendaTopic.objects.create(
        meeting=meeting, author=host, title="Hiring", carried_from=topic
    )
    AgendaTopic.objects.filter(pk=carried.pk).update(status="parked")
    client.force_login(host)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert '<span class="badge">Parked</span> <span class="badge">Carried over</span>' in html
    assert "&lt;span" not in html
