"""Writes for a circle's meetings as occurrences: schedule changes and a host's changes to one.

The other writes live with their aggregate: ``rsvp_services`` (answers and
the waitlist), ``agenda_services`` (topics and votes), ``record_services``
(notes, commitments, attendance) and ``calendar_services`` (feeds); the
horizon itself is ``meetings/horizon.py``. Every function is keyword-only and
atomic. Emails go out through Celery tasks queued on commit, so a worker
never reads a row that is not there yet.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import Circle
from meetings import tasks
from meetings.horizon import HORIZON_WEEKS, horizon_starts, meetings_materialize
from meetings.models import AgendaTopic, Meeting, MeetingStatus, Rsvp
from meetings.service_common import lock_meeting, queue_on_commit

# --- Schedule changes (the horizon itself is meetings/horizon.py) ----------------------


@transaction.atomic
def meetings_schedule_changed(*, circle: Circle, now: dt.datetime | None = None) -> list[int]:
    """Bring future meetings in line with a saved schedule; returns the ids of moved ones.

    Future scheduled meetings nobody has answered are regenerated. Those with
    RSVPs (or agenda topics) keep them and move to the nearest new date (within a week;
    otherwise they are cancelled), and members are told. Past, cancelled,
    one-off and host-moved meetings are never touched.
    """
    now = now or timezone.now()
    future = list(
        Meeting.objects.select_for_update()
        .filter(circle=circle, starts_at__gt=now, status=MeetingStatus.SCHEDULED)
        .filter(is_one_off=False, is_moved=False)
        .order_by("starts_at")
    )
    # A meeting people have answered for, or put topics on, keeps its rows and moves;
    # one nobody has touched is simply made again from the new schedule.
    ids = [m.pk for m in future]
    answered_ids = set(
        Rsvp.objects.filter(meeting_id__in=ids).values_list("meeting_id", flat=True)
    ) | set(AgendaTopic.objects.filter(meeting_id__in=ids).values_list("meeting_id", flat=True))
    Meeting.objects.filter(pk__in=[pk for pk in ids if pk not in answered_ids]).delete()
    keep = [m for m in future if m.pk in answered_ids]
    # Free their dates first so reassigning them never trips the unique constraint.
    Meeting.objects.filter(pk__in=[m.pk for m in keep]).update(series_date=None, is_one_off=True)

    taken = set(
        circle.meetings.filter(series_date__isnull=False).values_list("series_date", flat=True)
    )
    free = [s for s in horizon_starts(circle, now, HORIZON_WEEKS) if s.date() not in taken]
    duration = dt.timedelta(minutes=circle.duration_minutes)
    moved: list[int] = []
    cancelled: list[int] = []
    for meeting in keep:
        nearest = min(free, key=lambda s: abs(s - meeting.starts_at), default=None)
        if nearest is not None and abs(nearest - meeting.starts_at) < dt.timedelta(days=7):
            free.remove(nearest)
            changed = (
                nearest.astimezone(dt.UTC) != meeting.starts_at
                or (nearest + duration).astimezone(dt.UTC) != meeting.ends_at
            )
            meeting.starts_at = nearest.astimezone(dt.UTC)
            meeting.ends_at = (nearest + duration).astimezone(dt.UTC)
            meeting.local_date = meeting.series_date = nearest.date()
            meeting.is_one_off = False
            if changed:
                meeting.sequence += 1
                moved.append(meeting.pk)
        else:
            # Left without a date in the new schedule: it stays, visibly cancelled.
            meeting.status = MeetingStatus.CANCELLED
            meeting.cancelled_at = now
            meeting.sequence += 1
            cancelled.append(meeting.pk)
        meeting.save()
    meetings_materialize(circle=circle, now=now)
    if moved:
        queue_on_commit(tasks.send_meetings_moved, moved)
    for pk in cancelled:
        queue_on_commit(tasks.send_meeting_cancelled, pk)
    return moved


# --- Host changes to one meeting -------------------------------------------------------


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel one meeting; it stays visible as cancelled and members are emailed."""
    meeting = lock_meeting(meeting)
    if meeting.is_cancelled:
        return meeting
    if meeting.has_started:
        raise ValidationError(_("A meeting that has started cannot be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    meeting.refresh_from_db()
    queue_on_commit(tasks.send_meeting_cancelled, meeting.pk)
    return meeting


@transaction.atomic
def meeting_move(
    *,
    meeting: Meeting,
    starts_at: dt.datetime,
    duration_minutes: int,
    venue_name: str = "",
    venue_address: str = "",
) -> Meeting:
    """Move one meeting in time or place; calendars see a new SEQUENCE, members are emailed."""
    meeting = lock_meeting(meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("A cancelled meeting cannot be moved."))
    if meeting.has_started:
        raise ValidationError(_("A meeting that has started cannot be moved."))
    if starts_at <= timezone.now():
        raise ValidationError(_("Choose a time in the future."))
    _set_time_and_place(meeting, starts_at, duration_minutes, venue_name, venue_address)
    meeting.is_moved = True
    meeting.sequence += 1
    meeting.save()
    queue_on_commit(tasks.send_meetings_moved, [meeting.pk])
    return meeting


@transaction.atomic
def meeting_add_one_off(
    *,
    circle: Circle,
    starts_at: dt.datetime,
    duration_minutes: int,
    venue_name: str = "",
    venue_address: str = "",
) -> Meeting:
    """A host adds a meeting outside the schedule."""
    if starts_at <= timezone.now():
        raise ValidationError(_("Choose a time in the future."))
    meeting = Meeting(circle=circle, is_one_off=True)
    _set_time_and_place(meeting, starts_at, duration_minutes, venue_name, venue_address)
    meeting.save(force_insert=True)
    return meeting


def _set_time_and_place(
    meeting: Meeting,
    starts_at: dt.datetime,
    duration_minutes: int,
    venue_name: str,
    venue_address: str,
) -> None:
    """A host's chosen time (stored in UTC, dated in the circle's zone) and place.

    An address without a venue name is dropped: the page shows a place by its name.
    """
    meeting.starts_at = starts_at.astimezone(dt.UTC)
    meeting.ends_at = meeting.starts_at + dt.timedelta(minutes=duration_minutes)
    meeting.local_date = starts_at.astimezone(meeting.circle.zone).date()
    meeting.venue_name = venue_name
    meeting.venue_address = venue_address if venue_name else ""


# --- The series: which meeting comes before or after ----------------------------------


def next_meeting_after(meeting: Meeting) -> Meeting | None:
    """The circle's next scheduled meeting after this one (where parked topics are carried)."""
    return (
        Meeting.objects.scheduled()
        .filter(circle_id=meeting.circle_id, starts_at__gt=meeting.starts_at)
        .order_by("starts_at", "pk")
        .first()
    )


def previous_meeting_before(meeting: Meeting) -> Meeting | None:
    """The circle's last scheduled meeting before this one (whose commitments the page shows)."""
    return (
        Meeting.objects.scheduled()
        .filter(circle_id=meeting.circle_id, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at", "-pk")
        .first()
    )
