"""The meeting horizon: every active circle has its next weeks of meetings as rows.

The daily beat sweep (meetings.tasks.extend_meeting_horizon) and a new circle
call ``meetings_materialize``; a saved schedule (meetings.services
``meetings_schedule_changed``) moves what is answered and then fills the horizon
again. Kept apart from meetings/services.py, which queues the meetings' tasks,
so the tasks can call the sweep without the two modules importing each other.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from circles.models import Circle
from meetings.models import Meeting

HORIZON_WEEKS = 8


def horizon_starts(circle: Circle, now: dt.datetime, weeks: int) -> list[dt.datetime]:
    """The circle's scheduled starts from ``now`` to ``weeks`` weeks ahead."""
    until = now + dt.timedelta(weeks=weeks)
    starts = circle.next_starts(after=now, count=weeks + 1)
    return [start for start in starts if start <= until]


@transaction.atomic
def meetings_materialize(
    *, circle: Circle, now: dt.datetime | None = None, weeks: int = HORIZON_WEEKS
) -> int:
    """Create the circle's scheduled meetings for the next ``weeks`` weeks; returns how many.

    Idempotent: a date that already has a meeting (even a moved or cancelled
    one) is skipped, and the unique constraint settles a race with another run.
    """
    if circle.is_archived:
        return 0
    now = now or timezone.now()
    taken = set(
        circle.meetings.filter(series_date__isnull=False).values_list("series_date", flat=True)
    )
    duration = dt.timedelta(minutes=circle.duration_minutes)
    new = [
        Meeting(
            circle=circle,
            starts_at=start.astimezone(dt.UTC),
            ends_at=(start + duration).astimezone(dt.UTC),
            local_date=start.date(),
            series_date=start.date(),
        )
        for start in horizon_starts(circle, now, weeks)
        if start.date() not in taken
    ]
    Meeting.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def meetings_extend_horizon(*, now: dt.datetime | None = None) -> int:
    """The daily sweep: every active circle has its next eight weeks of meetings."""
    created = 0
    for circle in Circle.objects.active().iterator():
        created += meetings_materialize(circle=circle, now=now)
    return created
