"""Saving a new schedule: untouched meetings are regenerated, answered ones move (members told)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from meetings import agenda_services, rsvp_services, services
from meetings.models import Answer, Meeting, MeetingStatus
from tests.factories import CircleFactory, make_circle_with_host

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(circle_and_host):
    """A Tuesday 06:30 Chicago circle with its eight weeks of meetings from now."""
    circle, host = circle_and_host
    services.meetings_materialize(circle=circle)
    return circle, host


def local(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at.astimezone(meeting.circle.zone)


def change_schedule(circle, capture, **fields):
    for name, value in fields.items():
        setattr(circle, name, value)
    circle.save()
    with capture(execute=True):
        return services.meetings_schedule_changed(circle=circle)


def test_meetings_nobody_answered_are_regenerated_at_the_new_time(
    scheduled, django_capture_on_commit_callbacks
):
    circle, _ = scheduled
    old_ids = set(circle.meetings.values_list("pk", flat=True))
    moved = change_schedule(
        circle, django_capture_on_commit_callbacks, weekday=2, start_time=dt.time(7, 15)
    )
    assert moved == []
    meetings = list(circle.meetings.order_by("starts_at"))
    assert len(meetings) == 8
    assert not old_ids & {m.pk for m in meetings}
    assert all((local(m).weekday(), local(m).hour, local(m).minute) == (2, 7, 15) for m in meetings)
    assert mail.outbox == []  # nobody had answered: nobody to tell


def test_a_meeting_with_rsvps_moves_keeping_them_and_members_are_emailed(
    scheduled, django_capture_on_commit_callbacks
):
    circle, host = scheduled
    member = add_member(circle)
    answered = circle.meetings.order_by("starts_at")[1]
    rsvp_services.rsvp_set(meeting=answered, user=member, answer=Answer.GOING)
    mail.outbox.clear()

    moved = change_schedule(
        circle, django_capture_on_commit_callbacks, weekday=2, start_time=dt.time(7, 15)
    )

    assert moved == [answered.pk]
    answered.refresh_from_db()
    assert local(answered).weekday() == 2
    assert (local(answered).hour, local(answered).minute) == (7, 15)
    assert answered.local_date == answered.series_date == local(answered).date()
    assert answered.sequence == 1
    assert answered.rsvps.get().user == member
    assert circle.meetings.count() == 8
    dates = list(circle.meetings.values_list("series_date", flat=True))
    assert len(set(dates)) == 8
    assert sorted(m.to[0] for m in mail.outbox) == sorted([host.email, member.email])
    message = mail.outbox[0]
    assert message.subject.startswith(f"{circle.name}: ")
    assert "07:15" in message.body and "America/Chicago" in message.body
    assert "http" in message.body and answered.get_absolute_url() in message.body
    assert message.alternatives and answered.get_absolute_url() in message.alternatives[0][0]


def test_a_meeting_with_agenda_topics_moves_instead_of_losing_them(
    scheduled, django_capture_on_commit_callbacks
):
    circle, host = scheduled
    meeting = circle.meetings.order_by("starts_at")[2]
    topic = agenda_services.topic_propose(meeting=meeting, user=host, title="Pricing")
    change_schedule(circle, django_capture_on_commit_callbacks, start_time=dt.time(8, 0))
    topic.refresh_from_db()
    assert topic.meeting_id == meeting.pk
    meeting.refresh_from_db()
    assert local(meeting).hour == 8


def test_only_a_time_change_moves_answered_meetings_on_the_same_day(
    scheduled, django_capture_on_commit_callbacks
):
    circle, host = scheduled
    meeting = circle.meetings.order_by("starts_at").first()
    rsvp_services.rsvp_set(meeting=meeting, user=host, answer=Answer.MAYBE)
    day = meeting.local_date
    change_schedule(circle, django_capture_on_commit_callbacks, start_time=dt.time(6, 0))
    meeting.refresh_from_db()
    assert meeting.local_date == day
    assert local(meeting).strftime("%H:%M") == "06:00"


def test_a_change_of_duration_alone_moves_the_end(scheduled, django_capture_on_commit_callbacks):
    circle, host = scheduled
    meeting = circle.meetings.order_by("starts_at").first()
    rsvp_services.rsvp_set(meeting=meeting, user=host, answer=Answer.GOING)
    starts = meeting.starts_at
    moved = change_schedule(circle, django_capture_on_commit_callbacks, duration_minutes=90)
    meeting.refresh_from_db()
    assert moved == [meeting.pk]
    assert meeting.starts_at == starts
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=90)


def test_past_cancelled_one_off_and_host_moved_meetings_are_never_touched(
    scheduled, django_capture_on_commit_callbacks
):
    circle, host = scheduled
    past = make_meeting(circle, in_days=-7, is_one_off=False, series_date=dt.date(2020, 1, 7))
    past_state = (past.starts_at, past.ends_at, past.sequence, past.status)
    one_off = make_meeting(circle, in_days=3.5)
    meetings = list(circle.meetings.filter(is_one_off=False, starts_at__gt=timezone.now()))
    cancelled, moved_by_host = meetings[3], meetings[4]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=cancelled)
        services.meeting_move(
            meeting=moved_by_host,
            starts_at=moved_by_host.starts_at + dt.timedelta(hours=2),
            duration_minutes=60,
        )
    snapshot = {
        m.pk: (m.starts_at, m.ends_at, m.sequence, m.status)
        for m in Meeting.objects.filter(pk__in=[cancelled.pk, moved_by_host.pk, one_off.pk])
    }

    change_schedule(circle, django_capture_on_commit_callbacks, weekday=4)

    past.refresh_from_db()
    assert (past.starts_at, past.ends_at, past.sequence, past.status) == past_state
    for meeting in Meeting.objects.filter(pk__in=snapshot):
        assert (meeting.starts_at, meeting.ends_at, meeting.sequence, meeting.status) == (
            snapshot[meeting.pk]
        )
    assert Meeting.objects.get(pk=cancelled.pk).status == MeetingStatus.CANCELLED


def test_an_answered_meeting_with_no_date_left_is_cancelled_visibly(
    django_capture_on_commit_callbacks,
):
    """Weekly to fortnightly: half the answered weeks have no meeting any more."""
    circle, host = make_circle_with_host(starts_on=timezone.localdate())
    services.meetings_materialize(circle=circle)
    meetings = list(circle.meetings.order_by("starts_at"))
    for meeting in meetings:
        rsvp_services.rsvp_set(meeting=meeting, user=host, answer=Answer.GOING)
    circle.frequency = "fortnightly"
    circle.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.meetings_schedule_changed(circle=circle)
    statuses = [m.status for m in Meeting.objects.filter(pk__in=[m.pk for m in meetings])]
    assert statuses.count(MeetingStatus.CANCELLED) == 4
    assert statuses.count(MeetingStatus.SCHEDULED) == 4
    assert any("cancelled" in m.subject for m in mail.outbox)


def test_other_circles_are_not_affected(scheduled, django_capture_on_commit_callbacks):
    circle, _ = scheduled
    other = CircleFactory()
    services.meetings_materialize(circle=other)
    before = list(other.meetings.values_list("pk", "starts_at"))
    change_schedule(circle, django_capture_on_commit_callbacks, weekday=5)
    assert list(other.meetings.values_list("pk", "starts_at")) == before
