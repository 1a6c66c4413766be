"""The bell: who is told of what, the unread count, the list, marking read, and where a click leads.

Every event that sends an email also leaves a notification for the right
people (never the person who acted), in one INSERT whatever their number.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circles import invitation_services, membership_services
from circles.models import JoinPolicy, Role, Status
from conversations import services as conversation_services
from conversations.models import Kind
from meetings import rsvp_services
from meetings.models import Answer, Meeting
from notifications import digest_emails, services
from notifications.models import (
    ActivityEmail,
    Notification,
    NotificationKind,
    NotificationPreferences,
)
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
COUNT = reverse("notifications:count")
READ_ALL = reverse("notifications:read_all")


def member_of(circle, name: str, **fields):
    person = UserFactory(display_name=name, **fields)
    MembershipFactory(circle=circle, user=person, role=Role.MEMBER, status=Status.ACTIVE)
    return person


def kinds_for(person) -> list[str]:
    return sorted(Notification.objects.filter(recipient=person).values_list("kind", flat=True))


@pytest.fixture
def thread():
    """Alice asks in a circle; Bob and Carol are members too."""
    circle, host = make_circle_with_host(name="Tuesday Thinkers")
    alice = member_of(circle, "Alice Asker")
    bob = member_of(circle, "Bob Helper")
    carol = member_of(circle, "Carol Chimes")
    post = conversation_services.post_create(
        circle=circle, author=alice, kind=Kind.ASK, title="How to price a workshop?", body="Help."
    )
    return circle, host, alice, bob, carol, post


def reply(post, author, body="Here is what worked for me."):
    return conversation_services.reply_create(post=post, author=author, body=body)


# --- Who hears of what ------------------------------------------------------------------------


def test_a_reply_tells_the_author_and_earlier_repliers_never_the_replier(thread):
    circle, host, alice, bob, carol, post = thread
    first = reply(post, bob)
    assert kinds_for(alice) == [NotificationKind.REPLY_TO_MY_POST]
    assert kinds_for(bob) == []

    reply(post, carol)
    assert kinds_for(alice) == [NotificationKind.REPLY_TO_MY_POST] * 2
    assert kinds_for(bob) == [NotificationKind.REPLY_IN_THREAD]
    assert kinds_for(carol) == []
    assert kinds_for(host) == []  # never replied: not in the thread

    # The asker answering in her own thread tells the two repliers, not herself.
    reply(post, alice)
    assert kinds_for(alice) == [NotificationKind.REPLY_TO_MY_POST] * 2
    assert kinds_for(bob) == [NotificationKind.REPLY_IN_THREAD] * 2
    assert kinds_for(carol) == [NotificationKind.REPLY_IN_THREAD]

    note = Notification.objects.filter(recipient=bob).first()
    assert note.text == "Alice Asker also replied to “How to price a workshop?”."
    assert note.actor == alice and note.circle == circle
    assert note.url == post.get_absolute_url() + f"#reply-{post.replies.last().pk}"
    assert first.pk != post.replies.last().pk


def test_someone_who_left_the_circle_is_not_told(thread):
    circle, host, alice, bob, carol, post = thread
    reply(post, bob)
    circle.memberships.filter(user=bob).update(status=Status.LEFT)
    reply(post, carol)
    assert kinds_for(bob) == []
    assert kinds_for(alice) == [NotificationKind.REPLY_TO_MY_POST] * 2


def test_an_in_the_room_post_is_never_quoted(thread):
    circle, host, alice, bob, carol, _ = thread
    secret = conversation_services.post_create(
        circle=circle,
        author=alice,
        kind=Kind.ASK,
        title="My divorce and the business",
        body="Very private.",
        in_the_room=True,
    )
    reply(secret, bob, body="Sorry to hear about the divorce.")
    reply(secret, carol)
    conversation_services.post_resolve(post=secret, by=alice, replies=list(secret.replies.all()))
    texts = list(Notification.objects.values_list("text", flat=True))
    assert len(texts) == 5  # two to Alice, one to Bob, thanks to Bob and Carol
    for text in texts:
        assert "divorce" not in text.lower() and "private" not in text.lower()
        assert "in-the-room ask in Tuesday Thinkers" in text


def test_thanks_tell_each_thanked_replier_once(thread):
    circle, host, alice, bob, carol, post = thread
    replies = [reply(post, bob), reply(post, bob, body="And one more."), reply(post, carol)]
    Notification.objects.all().delete()
    conversation_services.post_resolve(post=post, by=alice, replies=replies, note="Thank you!")
    assert kinds_for(bob) == [NotificationKind.THANKS]
    assert kinds_for(carol) == [NotificationKind.THANKS]
    assert kinds_for(alice) == []
    assert Notification.objects.get(recipient=carol).text == (
        "Alice Asker thanked you for your reply to “How to price a workshop?”."
    )
    # Thanking the same replies again thanks nobody new, and tells nobody again.
    conversation_services.post_resolve(post=post, by=alice, replies=replies)
    assert Notification.objects.count() == 2


def test_introductions_ask_both_then_tell_the_outcome(thread):
    circle, host, alice, bob, carol, _ = thread
    intro = conversation_services.introduction_create(
        circle=circle,
        introducer=host,
        person_a=alice,
        person_b=bob,
        note_for_a="Bob prices workshops.",
        note_for_b="Alice runs some.",
    )
    assert kinds_for(alice) == kinds_for(bob) == [NotificationKind.INTRODUCTION]
    assert kinds_for(host) == []
    assert Notification.objects.get(recipient=alice).url == intro.get_absolute_url()

    conversation_services.introduction_answer(introduction=intro, user=alice, accept=True)
    assert Notification.objects.count() == 2  # one yes is not news yet
    conversation_services.introduction_answer(introduction=intro, user=bob, accept=True)
    # Bob's yes closed it: Alice and the introducer hear; Bob saw it on the page.
    assert len(kinds_for(alice)) == 2 and len(kinds_for(bob)) == 1
    assert Notification.objects.get(recipient=host).text == (
        "Alice Asker and Bob Helper both accepted your introduction."
    )


def test_a_declined_introduction_tells_the_introducer_only(thread):
    circle, host, alice, bob, carol, _ = thread
    intro = conversation_services.introduction_create(
        circle=circle, introducer=carol, person_a=alice, person_b=bob, note_for_a="", note_for_b=""
    )
    Notification.objects.all().delete()
    conversation_services.introduction_answer(introduction=intro, user=bob, accept=False)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [carol.pk]
    assert "will not go ahead" in Notification.objects.get().text


def test_an_approved_join_request_tells_the_requester():
    circle, host = make_circle_with_host(name="Quiet Makers", join_policy=JoinPolicy.REQUEST)
    asker = UserFactory(display_name="Nina New")
    membership = membership_services.membership_request(circle=circle, user=asker, note="Hi!")
    assert not Notification.objects.exists()
    membership_services.membership_approve(membership=membership, approved_by=host)
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.actor) == (asker, "join_approved", host)
    assert note.url == circle.get_absolute_url()
    assert "Quiet Makers" in note.text


def test_an_invitation_shows_under_the_bell_only_for_an_existing_account():
    circle, host = make_circle_with_host(name="Quiet Makers")
    known = UserFactory(email="known@example.com")
    invitation_services.invitation_create(circle=circle, invited_by=host, email="Known@Example.com")
    invitation_services.invitation_create(
        circle=circle, invited_by=host, email="nobody@example.com"
    )
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (known, NotificationKind.INVITATION)
    assert note.url == circle.invitations.get(email="known@example.com").get_absolute_url()


def test_a_seat_from_the_waitlist_tells_the_person_seated():
    circle, host = make_circle_with_host(name="Small Table", seat_limit=2)
    first, waiting = member_of(circle, "First"), member_of(circle, "Waiting")
    start = timezone.now() + dt.timedelta(days=3)
    meeting = Meeting.objects.create(
        circle=circle,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        local_date=start.astimezone(circle.zone).date(),
        is_one_off=True,
    )
    rsvp_services.rsvp_set(meeting=meeting, user=host, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=first, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=waiting, answer=Answer.GOING)
    assert not Notification.objects.exists()
    rsvp_services.rsvp_set(meeting=meeting, user=first, answer=Answer.NOT_GOING)
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (waiting, NotificationKind.WAITLIST_PROMOTED)
    assert note.url == meeting.get_absolute_url()
    assert "Small Table" in note.text


def test_a_reply_costs_the_same_queries_for_a_thread_of_three_or_thirty(thread):
    """One read for who is listening and one INSERT for all of them, however many."""
    circle, host, alice, bob, carol, post = thread

    def queries_for_one_reply(people: int) -> int:
        for n in range(people):
            reply(post, member_of(circle, f"Helper {people}-{n}"))
        with CaptureQueriesContext(connection) as queries:
            reply(post, carol)
        return len(queries)

    small = queries_for_one_reply(3)
    assert queries_for_one_reply(30) == small
    # Carol's replies told Alice and the 3 helpers, then Alice and all 33 helpers.
    assert Notification.objects.filter(actor=carol).count() == 4 + 34


# --- The service itself ------------------------------------------------------------------------


def test_notify_refuses_anything_but_a_path_on_this_site():
    person = UserFactory()
    for bad in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]:
        with pytest.raises(ValueError):
            services.notify(recipient=person, kind="thanks", text="x", url=bad)
    assert services.notify(recipient=person, kind="thanks", text="x", url="/ok/") is not None


def test_the_database_refuses_an_off_site_target_too():
    person = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=person, kind="thanks", text="x", url="//evil/")


def test_notify_never_tells_the_actor_and_unknown_kinds_are_refused():
    person = UserFactory()
    assert services.notify(recipient=person, kind="thanks", text="x", url="/", actor=person) is None
    with pytest.raises(ValueError):
        services.notify(recipient=person, kind="nonsense", text="x", url="/")


def test_unread_count_and_mark_read_touch_only_ones_own():
    me, other = UserFactory(), UserFactory()
    mine = [services.notify(recipient=me, kind="thanks", text=f"n{i}", url="/") for i in range(3)]
    theirs = services.notify(recipient=other, kind="thanks", text="theirs", url="/")
    assert services.unread_count(me) == 3
    assert services.notifications_mark_read(user=me, ids=[mine[0].pk, theirs.pk]) == 1
    assert services.unread_count(me) == 2 and services.unread_count(other) == 1
    assert services.notifications_mark_read(user=me) == 2
    assert services.unread_count(me) == 0 and services.unread_count(other) == 1


# --- The bell, the list, opening one, marking all read --------------------------------------------


def make_notes(person, count: int, circle=None) -> None:
    for n in range(count):
        services.notify(recipient=person, kind="thanks", text=f"Note {n}", url="/", circle=circle)


def test_the_bell_shows_the_count_in_the_first_render_for_one_query(client):
    circle, person = make_circle_with_host()
    make_notes(person, 4)
    client.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("circles:directory")).content.decode()
    bell_queries = [q for q in queries if "notifications_notification" in q["sql"]]
    assert len(bell_queries) == 1
    assert 'class="bell bell-unread"' in html
    assert 'data-unread="4"' in html
    assert f'hx-get="{COUNT}"' in html and 'hx-trigger="every 30s"' in html


def test_the_poll_interval_is_a_setting(client, settings):
    settings.NOTIFICATIONS_BELL_POLL_SECONDS = 1
    client.force_login(UserFactory())
    assert 'hx-trigger="every 1s"' in client.get(COUNT, HTTP_HX_REQUEST="true").content.decode()


def test_signed_out_pages_have_no_bell(client):
    assert 'id="bell"' not in client.get(reverse("circles:directory")).content.decode()


def test_the_count_fragment_for_htmx(client, django_assert_max_num_queries):
    person = UserFactory()
    make_notes(person, 2)
    client.force_login(person)
    with django_assert_max_num_queries(3):  # session, person, the count
        response = client.get(COUNT, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<a id="bell"') and "<html" not in html
    assert 'data-unread="2"' in html and 'hx-trigger="every 30s"' in html
    assert response["Cache-Control"] == "no-store"
    services.notifications_mark_read(user=person)
    assert 'data-unread="0"' in client.get(COUNT, HTTP_HX_REQUEST="true").content.decode()


def test_the_count_query_budget_does_not_grow(client, django_assert_max_num_queries):
    person = UserFactory()
    make_notes(person, 60)
    client.force_login(person)
    with django_assert_max_num_queries(3):
        html = client.get(COUNT, HTTP_HX_REQUEST="true").content.decode()
    assert "99+" not in html and 'data-unread="60"' in html


def test_a_poll_after_signing_out_stops_polling_instead_of_swapping_a_sign_in_page(client):
    assert client.get(COUNT, HTTP_HX_REQUEST="true").status_code == 286
    response = client.get(COUNT)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_list_is_newest_first_marks_unread_and_shows_only_ones_own(client):
    circle, person = make_circle_with_host(name="Tuesday Thinkers")
    old = services.notify(recipient=person, kind="thanks", text="The old one", url="/")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    services.notify(recipient=person, kind="thanks", text="The new one", url="/", circle=circle)
    services.notifications_mark_read(user=person, ids=[old.pk])
    services.notify(recipient=UserFactory(), kind="thanks", text="Someone else's", url="/")
    client.force_login(person)
    html = client.get(LIST).content.decode()
    assert html.index("The new one") < html.index("The old one")
    assert "Someone else&#x27;s" not in html and "Someone else's" not in html
    assert html.count('class="notice notice-unread"') == 1
    assert "Tuesday Thinkers" in html
    assert "Mark all as read" in html


def test_the_list_has_an_empty_state(client):
    client.force_login(UserFactory())
    html = client.get(LIST).content.decode()
    assert "Nothing yet." in html and "Mark all as read" not in html


def test_the_list_is_for_signed_in_people(client):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_list_query_budget_does_not_grow_with_rows(client, django_assert_max_num_queries):
    """Session, person, the bell's count, the page's count and the page of rows (circle joined)."""
    circle, person = make_circle_with_host()
    make_notes(person, 3, circle=circle)
    client.force_login(person)
    with django_assert_max_num_queries(6):
        assert client.get(LIST).status_code == 200
    make_notes(person, 45, circle=circle)
    with django_assert_max_num_queries(6):
        html = client.get(LIST).content.decode()
    assert html.count('class="notice notice-unread"') == 20
    assert "Page 1 of 3" in html


def test_the_list_answers_its_fragment_to_htmx(client):
    person = UserFactory()
    make_notes(person, 1)
    client.force_login(person)
    response = client.get(LIST, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.strip().startswith('<div id="notification-list"') and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_opening_one_marks_it_read_and_goes_where_it_leads(client):
    person = UserFactory()
    note = services.notify(recipient=person, kind="thanks", text="x", url="/circles/?q=a#r-1")
    other = services.notify(recipient=person, kind="thanks", text="y", url="/")
    client.force_login(person)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/circles/?q=a#r-1"
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None and other.read_at is None


def test_opening_is_a_post_a_get_changes_nothing(client):
    person = UserFactory()
    note = services.notify(recipient=person, kind="thanks", text="x", url="/")
    client.force_login(person)
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_someone_elses_notification_is_404(client):
    owner, snoop = UserFactory(), UserFactory()
    note = services.notify(recipient=owner, kind="thanks", text="x", url="/")
    client.force_login(snoop)
    assert client.post(reverse("notifications:open", args=[note.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[987654])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("target", ["/\\evil.example/", "/\tevil", "/ok\r\nLocation: x"])
def test_a_target_that_is_not_a_path_on_this_site_leads_to_the_list(client, target):
    """Even a row written around the service (its check passes "/\\…") cannot redirect off-site."""
    person = UserFactory()
    note = Notification.objects.create(recipient=person, kind="thanks", text="x", url=target)
    client.force_login(person)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == LIST


def test_mark_all_read_plain_post(client):
    person, other = UserFactory(), UserFactory()
    make_notes(person, 3)
    make_notes(other, 1)
    client.force_login(person)
    response = client.post(READ_ALL, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "All your notifications are marked read." in response.content.decode()
    assert services.unread_count(person) == 0 and services.unread_count(other) == 1
    assert 'data-unread="0"' in response.content.decode()


def test_mark_all_read_with_htmx_swaps_the_list_and_the_bell(client):
    person = UserFactory()
    make_notes(person, 3)
    client.force_login(person)
    response = client.post(READ_ALL, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert '<div id="notification-list"' in html
    assert 'hx-swap-oob="true"' in html and 'data-unread="0"' in html
    assert "notice-unread" not in html and "All read." in html


def test_mark_all_read_needs_csrf_and_a_post():
    person = UserFactory()
    make_notes(person, 2)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    assert strict.post(READ_ALL).status_code == 403
    assert strict.post(READ_ALL, HTTP_HX_REQUEST="true").status_code == 403
    assert strict.get(READ_ALL).status_code == 405
    note = Notification.objects.filter(recipient=person).first()
    assert strict.post(reverse("notifications:open", args=[note.pk])).status_code == 403
    assert services.unread_count(person) == 2


# --- Email: at once, or left to the digest --------------------------------------------------------


def test_digest_only_people_get_no_reply_email_but_the_bell_and_the_digest(
    thread, django_capture_on_commit_callbacks
):
    circle, host, alice, bob, carol, post = thread
    services.preferences_set(user=alice, activity_email=ActivityEmail.DIGEST)
    assert services.wants(alice, "replies") is False
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(post, bob)
    assert mail.outbox == []
    assert kinds_for(alice) == [NotificationKind.REPLY_TO_MY_POST]

    content = digest_emails.digest_content(user=alice, now=timezone.now())
    assert [n.text for n in content.notices] == [
        "Bob Helper replied to your post “How to price a workshop?”."
    ]
    assert content.notices[0].url.startswith("http")
    message = digest_emails.digest_message(user=alice, content=content)
    assert "Unread under your bell this week" in message.body
    assert "Bob Helper replied to your post" in message.alternatives[0][0]

    # Read ones, and ones older than a week, are not listed.
    services.notifications_mark_read(user=alice)
    assert digest_emails.digest_content(user=alice, now=timezone.now()).notices == []


def test_people_who_get_emails_at_once_find_no_bell_list_in_the_digest(
    thread, django_capture_on_commit_callbacks
):
    circle, host, alice, bob, carol, post = thread
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(post, bob)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]
    assert digest_emails.digest_content(user=alice, now=timezone.now()).notices == []


def test_a_digest_with_only_unread_notifications_is_not_empty(thread):
    circle, host, alice, bob, carol, post = thread
    services.preferences_set(user=carol, activity_email=ActivityEmail.DIGEST)
    services.notify(recipient=carol, kind="thanks", text="Thanked.", url="/", circle=circle)
    later = timezone.now() + dt.timedelta(days=6)
    content = digest_emails.digest_content(user=carol, now=later)
    assert content.notices and not content.is_empty
    assert digest_emails.digest_content(user=carol, now=later + dt.timedelta(days=2)).notices == []


def test_a_full_digest_says_how_many_more_are_unread(thread):
    circle, host, alice, bob, carol, post = thread
    services.preferences_set(user=carol, activity_email=ActivityEmail.DIGEST)
    for n in range(digest_emails.DIGEST_MAX_NOTICES + 5):
        services.notify(
            recipient=carol, kind="thanks", text=f"Thanked {n}.", url="/", circle=circle
        )
    content = digest_emails.digest_content(user=carol, now=timezone.now())
    assert len(content.notices) == digest_emails.DIGEST_MAX_NOTICES
    assert content.unread_more == 5
    assert "and 5 more" in digest_emails.digest_message(user=carol, content=content).body


def test_turning_the_digest_off_sends_digest_only_activity_at_once(thread):
    """The one-click unsubscribe skips the settings form's check: nothing may go silent."""
    circle, host, alice, bob, carol, post = thread
    services.preferences_set(user=alice, activity_email=ActivityEmail.DIGEST)
    assert services.wants(alice, "replies") is False
    prefs = services.preferences_set(user=alice, digest=False)
    assert prefs.activity_email == ActivityEmail.IMMEDIATE and prefs.digest is False
    assert services.wants(alice, "replies") is True


def test_the_settings_page_saves_the_choice_and_refuses_digest_only_without_a_digest(client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("notifications:settings")
    response = client.post(url, {"digest": "on", "activity_email": "digest"})
    assert response.status_code == 302
    prefs = NotificationPreferences.objects.get(user=person)
    assert prefs.activity_email == ActivityEmail.DIGEST and prefs.digest is True
    response = client.post(url, {"activity_email": "digest", "replies": "on"})
    assert response.status_code == 200
    assert "The Monday digest is off" in response.content.decode()
    prefs.refresh_from_db()
    assert prefs.digest is True and prefs.replies is False
