"""The weekly digest: Monday morning in each member's zone, open asks and gives from their
circles and their meetings this week; never empty, once per week, never quoting the room."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from conversations.models import Kind, Post, PostStatus
from meetings.models import Answer, Rsvp
from notifications import sending, tasks
from notifications.models import Delivery, DeliveryState, NotificationPreferences
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host
from tests.notifications.conftest import T0, add_member, make_meeting, recipients

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
CHICAGO_MONDAY_7AM = T0 + 3 * HOUR  # T0 is Monday 10:00 UTC = 04:00 in Chicago


def post(circle, author, title, *, kind=Kind.ASK, body="Details.", **fields) -> Post:
    return Post.objects.create(
        circle=circle, author=author, kind=kind, title=title, body=body, **fields
    )


def html_of(message) -> str:
    return message.alternatives[0][0]


@pytest.fixture
def circles(clock):
    """Ana is in two circles with a little going on in each."""
    breakfast, host = make_circle_with_host(name="Breakfast Thinkers")
    founders, other_host = make_circle_with_host(name="Founders Table")
    ana = add_member(breakfast, display_name="Ana", email="ana@example.com")
    MembershipFactory(circle=founders, user=ana)
    return breakfast, founders, host, other_host, ana


def test_the_digest_lists_open_asks_and_gives_and_my_meetings(clock, circles):
    breakfast, founders, host, other_host, ana = circles
    clock.move_to(T0 - 2 * 24 * HOUR)
    post(breakfast, host, "Who knows a good bookkeeper?")
    post(founders, other_host, "I can review pitch decks", kind=Kind.GIVE)
    post(breakfast, host, "Solved already", status=PostStatus.RESOLVED, resolved_at=T0)
    post(breakfast, host, "Weekend plans", kind=Kind.DISCUSSION)
    post(breakfast, ana, "My own ask is not news to me")
    post(breakfast, host, "Deleted ask", deleted_at=T0)
    clock.move_to(T0 - 9 * 24 * HOUR)
    post(breakfast, host, "An old quiet ask")
    meeting = make_meeting(breakfast, starts_at=T0 + 20 * HOUR)
    make_meeting(founders, starts_at=T0 + 9 * 24 * HOUR)  # beyond this week
    Rsvp.objects.create(meeting=meeting, user=ana, answer=Answer.MAYBE)

    clock.move_to(CHICAGO_MONDAY_7AM)
    sending.digests_sweep()
    [message] = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert message.subject == "Breakfast Thinkers and Founders Table: your week"
    for part in (message.body, html_of(message)):
        assert "Who knows a good bookkeeper?" in part
        assert "I can review pitch decks" in part
        for absent in ("Solved already", "Weekend plans", "My own ask", "Deleted", "old quiet"):
            assert absent not in part
        assert "Tuesday 3 March 2026, 00:00–01:15 CST (America/Chicago)" in part
        assert "Maybe." in part
        assert "/settings/notifications/" in part
    assert message.body.count("/meetings/") == 1
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/email/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_in_the_room_posts_are_never_quoted(clock, circles):
    breakfast, founders, host, other_host, ana = circles
    secret = post(
        breakfast,
        host,
        "Layoffs at Acme next month",
        body="Please keep this between us: Acme cuts 30%.",
        in_the_room=True,
    )
    clock.move_to(CHICAGO_MONDAY_7AM)
    sending.digests_sweep()
    [message] = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    for part in (message.body, html_of(message)):
        assert "Layoffs" not in part and "Acme" not in part
        assert "in-the-room ask" in part
        assert secret.get_absolute_url() in part
        assert host.name not in part  # not even who wrote it


def test_nothing_to_say_means_no_email(clock):
    circle, host = make_circle_with_host()
    clock.move_to(CHICAGO_MONDAY_7AM)
    report = sending.digests_sweep()
    assert mail.outbox == []
    row = Delivery.objects.get(user=host)
    assert (row.state, row.note) == (DeliveryState.SKIPPED, "Nothing to say this week.")
    assert report.skipped == 1


def test_once_per_week(clock, circles):
    breakfast, *_ = circles
    make_meeting(breakfast, starts_at=T0 + 30 * HOUR)
    clock.move_to(CHICAGO_MONDAY_7AM)
    sending.digests_sweep()
    first = len(mail.outbox)
    assert first == 2  # Ana and the breakfast host; the founders' host has nothing this week
    for later in (HOUR, 10 * HOUR):
        clock.move_to(CHICAGO_MONDAY_7AM + later)
        sending.digests_sweep()
    assert len(mail.outbox) == first
    # Next Monday, another (the meeting is over; a new one is coming).
    make_meeting(breakfast, starts_at=T0 + 8 * 24 * HOUR)
    clock.move_to(CHICAGO_MONDAY_7AM + 7 * 24 * HOUR)
    sending.digests_sweep()
    assert len(mail.outbox) == first + 2
    assert Delivery.objects.digests().filter(user__email="ana@example.com").count() == 2


def test_monday_morning_in_each_members_own_zone(clock):
    circle, host = make_circle_with_host()  # host in Chicago
    tokyo = add_member(circle, time_zone="Asia/Tokyo")
    berlin = add_member(circle, time_zone="Europe/Berlin")
    make_meeting(circle, starts_at=T0 + 48 * HOUR)
    # Sunday 22:00 UTC: Monday 07:00 in Tokyo, still Sunday elsewhere.
    clock.move_to(T0 - 12 * HOUR)
    sending.digests_sweep()
    assert recipients(mail.outbox) == [tokyo.email]
    # Monday 06:00 UTC: 07:00 in Berlin; 00:00 in Chicago.
    clock.move_to(T0 - 4 * HOUR)
    sending.digests_sweep()
    assert recipients(mail.outbox) == sorted([tokyo.email, berlin.email])
    clock.move_to(CHICAGO_MONDAY_7AM - dt.timedelta(minutes=1))
    sending.digests_sweep()
    assert len(mail.outbox) == 2
    clock.move_to(CHICAGO_MONDAY_7AM)
    sending.digests_sweep()
    assert recipients(mail.outbox) == sorted([tokyo.email, berlin.email, host.email])


def test_a_missed_monday_is_not_sent_on_tuesday(clock, circles):
    breakfast, *_ = circles
    make_meeting(breakfast, starts_at=T0 + 48 * HOUR)
    clock.move_to(T0 + 20 * HOUR)  # Tuesday 06:00 UTC: Monday is over in Chicago
    sending.digests_sweep()
    assert mail.outbox == []


def test_digest_off_or_no_circle_means_no_digest(clock, circles):
    breakfast, founders, host, other_host, ana = circles
    make_meeting(breakfast, starts_at=T0 + 30 * HOUR)
    NotificationPreferences.objects.create(user=ana, digest=False)
    UserFactory()  # in no circle
    clock.move_to(CHICAGO_MONDAY_7AM)
    sending.digests_sweep()
    assert "ana@example.com" not in recipients(mail.outbox)
    assert recipients(mail.outbox) == [host.email]  # the other host has nothing this week


def test_the_beat_task_runs_the_digest_sweep(clock, circles):
    breakfast, *_ = circles
    make_meeting(breakfast, starts_at=T0 + 30 * HOUR)
    clock.move_to(CHICAGO_MONDAY_7AM)
    assert "sent 2" in tasks.send_due_digests.apply().get()
    assert recipients(mail.outbox) == sorted(
        ["ana@example.com", breakfast.memberships.get(role="host").user.email]
    )
