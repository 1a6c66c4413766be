"""Cross-app reactions run through signals the lower app defines and the higher app receives.

circles, meetings and conversations never import the apps built on them: their
services send a signal inside their own transaction (circles/signals.py,
meetings/signals.py, conversations/signals.py) and meetings and notifications
receive it (meetings/receivers.py, notifications/receivers.py). What a receiver
writes must commit or roll back with the event, and a receiver that fails must
undo the event, exactly as when the services called each other directly.
"""

from __future__ import annotations

import datetime as dt
import gc
import weakref

import pytest
from django.core import mail
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from circles import membership_services
from circles import services as circle_services
from circles import signals as circle_signals
from circles.models import JoinPolicy, Membership, Status
from conversations import services as conversation_services
from conversations import signals as conversation_signals
from conversations.models import Kind
from meetings import rsvp_services
from meetings import signals as meeting_signals
from meetings.models import Answer, Meeting, Rsvp
from members import signals as member_signals
from members.models import User
from members.services import AccountError, account_delete
from notifications.models import ActivityEmail, Notification, NotificationPreferences
from notifications.receivers import reply_email_wanted
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db

RECEIVERS = [
    (circle_signals.circle_created, "meetings-circle_created"),
    (circle_signals.schedule_changed, "meetings-schedule_changed"),
    (circle_signals.seats_added, "meetings-seats_added"),
    (circle_signals.member_departed, "meetings-member_departed"),
    (circle_signals.join_approved, "bell-join_approved"),
    (circle_signals.invitation_created, "bell-invitation_sent"),
    (meeting_signals.waitlist_promoted, "bell-waitlist_promoted"),
    (conversation_signals.reply_posted, "bell-reply_posted"),
    (conversation_signals.thanks_given, "bell-thanks_given"),
    (conversation_signals.introduction_requested, "bell-introduction_requested"),
    (conversation_signals.introduction_closed, "bell-introduction_closed"),
    (conversation_signals.reply_email_wanted, "notifications-reply-email-wanted"),
    (member_signals.account_delete_blockers, "circles-sole-host-keeps-account"),
]


class Boom(Exception):
    pass


def _connected(signal: Signal, uid: str):
    for (lookup_uid, _sender), receiver, *_ in signal.receivers:
        if lookup_uid == uid:
            return receiver
    return None


@pytest.mark.parametrize(("signal", "uid"), RECEIVERS)
def test_each_receiver_is_connected_and_held_for_good(signal, uid):
    gc.collect()
    receiver = _connected(signal, uid)
    assert receiver is not None, f"{uid} is not connected"
    assert not isinstance(receiver, weakref.ReferenceType), f"connect {uid} with weak=False"


def test_the_bell_rolls_back_with_the_approval_that_rang_it():
    circle, host = make_circle_with_host(join_policy=JoinPolicy.REQUEST)
    asker = UserFactory()
    request = membership_services.membership_request(circle=circle, user=asker)
    with pytest.raises(Boom), transaction.atomic():
        membership_services.membership_approve(membership=request, approved_by=host)
        assert Notification.objects.filter(recipient=asker).exists()
        raise Boom
    request.refresh_from_db()
    assert request.status == Status.REQUESTED
    assert not Notification.objects.exists()


def test_a_receiver_that_fails_undoes_the_circle_change():
    circle, _host = make_circle_with_host(seat_limit=8)

    def fail(**kwargs):
        raise Boom

    circle_signals.seats_added.connect(fail, weak=False, dispatch_uid="test-fail")
    try:
        with pytest.raises(Boom):
            circle_services.circle_update(circle=circle, seat_limit=10)
    finally:
        circle_signals.seats_added.disconnect(dispatch_uid="test-fail")
    circle.refresh_from_db()
    assert circle.seat_limit == 8


def test_a_new_circle_has_its_meetings_and_a_departed_member_frees_their_seat():
    host = UserFactory()
    circle = circle_services.circle_create(
        host=host,
        name="Two Seats",
        purpose="p",
        city="Chicago",
        time_zone="America/Chicago",
        weekday=1,
        start_time=dt.time(6, 30),
        seat_limit=2,
    )
    assert Meeting.objects.filter(circle=circle).count() >= 8  # circle_created
    seated, waiting = UserFactory(), UserFactory()
    for person in (seated, waiting):
        MembershipFactory(circle=circle, user=person)
    meeting = Meeting.objects.filter(circle=circle).order_by("starts_at").first()
    for person in (host, seated, waiting):
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    assert Rsvp.objects.get(meeting=meeting, user=waiting).waitlisted
    membership = Membership.objects.get(circle=circle, user=seated)
    membership_services.membership_leave(membership=membership)  # member_departed
    assert not Rsvp.objects.filter(meeting=meeting, user=seated).exists()
    assert not Rsvp.objects.get(meeting=meeting, user=waiting).waitlisted


def test_a_changed_schedule_moves_the_meetings():
    circle, _host = make_circle_with_host(start_time=dt.time(6, 30))
    circle_services.circle_update(circle=circle, start_time=dt.time(7, 15))
    upcoming = Meeting.objects.filter(circle=circle, starts_at__gt=timezone.now())
    assert upcoming.exists()
    assert {m.starts_at.astimezone(circle.zone).time() for m in upcoming} == {dt.time(7, 15)}


def test_reply_emails_follow_the_settings_and_go_when_no_app_keeps_settings(
    django_capture_on_commit_callbacks,
):
    circle, host = make_circle_with_host()
    asker, helper = UserFactory(), UserFactory()
    for person in (asker, helper):
        MembershipFactory(circle=circle, user=person)
    NotificationPreferences.objects.create(user=asker, activity_email=ActivityEmail.DIGEST)
    post = conversation_services.post_create(
        circle=circle, author=asker, kind=Kind.ASK, title="Pricing?", body="Help."
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = conversation_services.reply_create(post=post, author=helper, body="Charge more.")
    first.refresh_from_db()
    assert first.author_notified_at is not None  # the email task ran, and sent nothing:
    assert mail.outbox == []  # the asker chose the digest

    conversation_signals.reply_email_wanted.disconnect(
        dispatch_uid="notifications-reply-email-wanted"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            conversation_services.reply_create(post=post, author=helper, body="Really.")
    finally:
        conversation_signals.reply_email_wanted.connect(
            reply_email_wanted, weak=False, dispatch_uid="notifications-reply-email-wanted"
        )
    assert [message.to for message in mail.outbox] == [[asker.email]]


def test_the_only_host_of_a_circle_keeps_their_account_until_they_hand_it_on():
    circle, host = make_circle_with_host(name="Quiet Makers")
    MembershipFactory(circle=circle, user=UserFactory())
    with pytest.raises(AccountError, match="You are the only host of Quiet Makers"):
        account_delete(user=host)
    assert User.objects.filter(pk=host.pk).exists()

    member_signals.account_delete_blockers.disconnect(
        dispatch_uid="circles-sole-host-keeps-account"
    )
    try:  # members alone has no rule about circles
        account_delete(user=host)
    finally:
        from circles.receivers import sole_host_keeps_account

        member_signals.account_delete_blockers.connect(
            sole_host_keeps_account, weak=False, dispatch_uid="circles-sole-host-keeps-account"
        )
    assert not User.objects.filter(pk=host.pk).exists()
