"""The bell speaks its reader's language, whoever acted and in whatever language they wrote.

A notification keeps which message it is and the values it names
(notifications.bell_texts); the words are written when it is read: on the list
page in the reader's language, in the digest in the recipient's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from circles.models import Role, Status
from conversations import services as conversation_services
from conversations.models import Kind
from meetings import rsvp_services
from meetings.models import Answer, Meeting
from members.language import language_set
from notifications import digest_emails, services
from notifications.models import ActivityEmail, Notification
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def member_of(circle, name: str, **fields):
    person = UserFactory(display_name=name, **fields)
    MembershipFactory(circle=circle, user=person, role=Role.MEMBER, status=Status.ACTIVE)
    return person


@pytest.fixture
def circle():
    circle, _host = make_circle_with_host(name="Tuesday Thinkers")
    return circle


def test_an_english_members_reply_reads_german_to_a_german_author(client, circle):
    greta = member_of(circle, "Greta", language="de")
    ed = member_of(circle, "Ed", language="en")
    post = conversation_services.post_create(
        circle=circle, author=greta, kind=Kind.ASK, title="Preise für Workshops?", body="Hilfe."
    )
    client.force_login(ed)  # the replier's request is in English
    client.post(
        reverse("conversations:reply_create", kwargs={"slug": circle.slug, "post_id": post.pk}),
        {"body": "Here is what worked for me."},
    )
    note = Notification.objects.get(recipient=greta)
    assert note.text == "Ed replied to your post “Preise für Workshops?”."  # the admin's copy

    client.force_login(greta)
    page = client.get(LIST).content.decode()
    assert "Ed hat auf deinen Beitrag „Preise für Workshops?“ geantwortet." in page
    assert "replied to your post" not in page


def test_an_in_the_room_post_is_named_by_its_kind_in_the_readers_language(client, circle):
    lucia = member_of(circle, "Lucía", language="es")
    ed = member_of(circle, "Ed")
    post = conversation_services.post_create(
        circle=circle,
        author=lucia,
        kind=Kind.GIVE,
        title="A private offer",
        body="Private.",
        in_the_room=True,
    )
    conversation_services.reply_create(post=post, author=ed, body="Thank you.")
    client.force_login(lucia)
    page = client.get(LIST).content.decode()
    assert "Ed respondió a tu publicación una oferta en la sala de Tuesday Thinkers." in page
    assert "private offer" not in page.lower()


def test_the_bell_follows_the_reader_when_they_change_language(client, circle):
    host = circle.memberships.get(role=Role.HOST).user
    waiting = member_of(circle, "Wanda", language="de")
    first = member_of(circle, "First")
    circle.seat_limit = 2
    circle.save()
    start = timezone.now() + dt.timedelta(days=3)
    meeting = Meeting.objects.create(
        circle=circle,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        local_date=dt.date(2031, 3, 4),  # a Tuesday
        is_one_off=True,
    )
    for person in (host, first, waiting):
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=first, answer=Answer.NOT_GOING)

    client.force_login(waiting)
    german = "Beim Treffen von Tuesday Thinkers am Dienstag, 4. März ist ein Platz frei geworden"
    assert german in client.get(LIST).content.decode()
    language_set(user=waiting, language="en")
    english = "meeting on Tuesday 4 March: you are going."  # the apostrophe is escaped
    assert english in client.get(LIST).content.decode()


def test_the_digest_lists_the_bell_in_the_recipients_language(circle):
    greta = member_of(circle, "Greta", language="de")
    ed = member_of(circle, "Ed")
    services.preferences_set(user=greta, activity_email=ActivityEmail.DIGEST)
    post = conversation_services.post_create(
        circle=circle, author=greta, kind=Kind.ASK, title="Preise?", body="Hilfe."
    )
    conversation_services.reply_create(post=post, author=ed, body="Here.")
    content = digest_emails.digest_content(user=greta, now=timezone.now())
    assert [notice.text for notice in content.notices] == [
        "Ed hat auf deinen Beitrag „Preise?“ geantwortet."
    ]


def test_a_row_written_before_messages_were_kept_shows_its_text(client):
    person = UserFactory(language="de")
    Notification.objects.create(recipient=person, kind="thanks", text="Old words.", url="/")
    client.force_login(person)
    assert "Old words." in client.get(LIST).content.decode()
