"""The reminder sweep picks exactly the due meetings, respects answers and preferences,
catches up after downtime and never sends after the start."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from circles.models import Status
from meetings.models import Answer, MeetingStatus, Rsvp
from notifications import ledger, sending, tasks
from notifications.models import Delivery, DeliveryState, NotificationPreferences
from tests.notifications.conftest import T0, add_member, make_meeting, make_table, recipients

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def test_nothing_is_sent_before_the_reminder_time(clock):
    make_table()  # starts T0+30h, reminder time T0+6h
    clock.move_to(T0 + 5 * HOUR + dt.timedelta(minutes=59))
    report = sending.reminders_sweep()
    assert report.created == 0
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_at_the_reminder_time_each_active_member_gets_one(clock):
    table = make_table(members=3)
    clock.move_to(T0 + 6 * HOUR)
    report = sending.reminders_sweep()
    assert report.sent == 4
    assert recipients(mail.outbox) == sorted(u.email for u in table.everyone)
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 4
    # The next sweeps find nothing new: exactly one each.
    clock.move_to(T0 + 8 * HOUR)
    sending.reminders_sweep()
    sending.reminders_sweep()
    assert len(mail.outbox) == 4


def test_a_sweep_after_downtime_catches_up_before_the_start(clock):
    table = make_table(members=2)
    clock.move_to(T0 + 29 * HOUR + dt.timedelta(minutes=50))  # down since the reminder time
    sending.reminders_sweep()
    assert recipients(mail.outbox) == sorted(u.email for u in table.everyone)


def test_after_the_start_nothing_is_ever_sent(clock):
    table = make_table(members=2)
    clock.move_to(table.meeting.starts_at)
    report = sending.reminders_sweep()
    clock.move_to(table.meeting.starts_at + HOUR)
    sending.reminders_sweep()
    assert report.created == 0
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_a_pending_reminder_is_not_sent_once_the_meeting_has_started(clock):
    table = make_table(members=1)
    clock.move_to(T0 + 6 * HOUR)
    ledger.reminders_create_due()
    clock.move_to(table.meeting.starts_at + dt.timedelta(minutes=1))
    report = sending.deliveries_send_due()
    assert mail.outbox == []
    assert report.skipped == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SKIPPED}
    assert Delivery.objects.filter(note__contains="started").count() == 2


def test_not_going_is_skipped_and_maybe_or_going_are_reminded(clock):
    table = make_table(members=3)
    declined, maybe, going = table.members
    Rsvp.objects.create(meeting=table.meeting, user=declined, answer=Answer.NOT_GOING)
    Rsvp.objects.create(meeting=table.meeting, user=maybe, answer=Answer.MAYBE)
    Rsvp.objects.create(meeting=table.meeting, user=going, answer=Answer.GOING)
    clock.move_to(T0 + 6 * HOUR)
    sending.reminders_sweep()
    assert recipients(mail.outbox) == sorted([table.host.email, maybe.email, going.email])
    assert not Delivery.objects.filter(user=declined).exists()


def test_answering_not_going_after_the_row_exists_still_skips_it(clock):
    table = make_table(members=1)
    clock.move_to(T0 + 6 * HOUR)
    ledger.reminders_create_due()
    Rsvp.objects.create(meeting=table.meeting, user=table.members[0], answer=Answer.NOT_GOING)
    sending.deliveries_send_due()
    assert recipients(mail.outbox) == [table.host.email]
    skipped = Delivery.objects.get(user=table.members[0])
    assert (skipped.state, skipped.note) == (DeliveryState.SKIPPED, "Answered not going.")


def test_reminders_off_is_skipped_and_other_choices_do_not_matter(clock):
    table = make_table(members=2)
    quiet, no_digest = table.members
    NotificationPreferences.objects.create(user=quiet, reminders=False)
    NotificationPreferences.objects.create(user=no_digest, digest=False, replies=False)
    clock.move_to(T0 + 6 * HOUR)
    sending.reminders_sweep()
    assert recipients(mail.outbox) == sorted([table.host.email, no_digest.email])


def test_only_active_members_with_active_accounts_are_reminded(clock):
    table = make_table(members=1)
    left = add_member(table.circle, status=Status.LEFT)
    add_member(table.circle, status=Status.INVITED)
    add_member(table.circle, status=Status.REQUESTED)
    suspended = add_member(table.circle)
    suspended.is_active = False
    suspended.save()
    clock.move_to(T0 + 6 * HOUR)
    sending.reminders_sweep()
    assert recipients(mail.outbox) == sorted([table.host.email, table.members[0].email])
    assert not Delivery.objects.filter(user=left).exists()


def test_a_member_who_joins_after_the_reminder_time_is_caught_up(clock):
    table = make_table(members=1)
    clock.move_to(T0 + 6 * HOUR)
    sending.reminders_sweep()
    newcomer = add_member(table.circle)
    clock.move_to(T0 + 7 * HOUR)
    sending.reminders_sweep()
    assert recipients(mail.outbox) == sorted(
        [table.host.email, table.members[0].email, newcomer.email]
    )


def test_cancelled_meetings_and_archived_circles_get_no_reminder(clock):
    cancelled = make_table(members=1)
    cancelled.meeting.status = MeetingStatus.CANCELLED
    cancelled.meeting.cancelled_at = T0
    cancelled.meeting.save()
    archived = make_table(members=1)
    archived.circle.archived_at = T0
    archived.circle.save()
    clock.move_to(T0 + 6 * HOUR)
    sending.reminders_sweep()
    assert mail.outbox == []


def test_each_circle_uses_its_own_lead_time(clock):
    two_hours = make_table(members=1, lead_hours=2)  # reminder at T0+28h
    day = make_table(members=1, lead_hours=24)  # reminder at T0+6h
    clock.move_to(T0 + 6 * HOUR)
    sending.reminders_sweep()
    assert recipients(mail.outbox) == sorted(u.email for u in day.everyone)
    clock.move_to(T0 + 28 * HOUR)
    sending.reminders_sweep()
    assert len(mail.outbox) == 4
    assert {m.subject.split(":")[0] for m in mail.outbox[2:]} == {two_hours.circle.name}


def test_only_the_due_meeting_of_a_circle_is_reminded(clock):
    table = make_table(members=1)
    later = make_meeting(table.circle, starts_at=table.meeting.starts_at + dt.timedelta(days=7))
    clock.move_to(T0 + 6 * HOUR)
    sending.reminders_sweep()
    assert set(Delivery.objects.values_list("meeting_id", flat=True)) == {table.meeting.pk}
    assert not Delivery.objects.filter(meeting=later).exists()


def test_the_management_command_runs_the_sweep(clock):
    make_table(members=2)
    clock.move_to(T0 + 6 * HOUR)
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert len(mail.outbox) == 3
    assert "sent 3" in out.getvalue()
    # Monday 10:00 in Chicago: the digests are due too, and nothing is reminded twice.
    call_command("send_due_reminders", "--digests", stdout=out)
    assert [m.subject.endswith("your week") for m in mail.outbox] == [False] * 3 + [True] * 3
    assert "Digests: created 3, sent 3" in out.getvalue()


def test_the_beat_task_runs_the_sweep(clock):
    make_table(members=2)
    clock.move_to(T0 + 6 * HOUR)
    result = tasks.send_due_reminders.apply()
    assert "sent 3" in result.get()
    assert len(mail.outbox) == 3
