"""What meetings add to a list of circles (circles/annotations.py): when each next meets.

One correlated subquery per column, in the same SELECT as the circles, so a
directory page costs the same queries whatever the number of meetings.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from circles import annotations
from circles.models import Circle
from meetings.models import Meeting, MeetingStatus


def with_next_meeting(
    circles: QuerySet[Circle], *, now: dt.datetime | None = None
) -> QuerySet[Circle]:
    """Annotate each circle's next scheduled meeting (moved or cancelled ones are honoured).

    Circles without meeting rows yet get None, and the directory falls back to
    their schedule.
    """
    upcoming = Meeting.objects.filter(
        circle=OuterRef("pk"), starts_at__gt=now or timezone.now(), status=MeetingStatus.SCHEDULED
    ).order_by("starts_at")
    return circles.annotate(next_meeting_at=Subquery(upcoming.values("starts_at")[:1]))


def register() -> None:
    annotations.register(annotations.NEXT_MEETING, with_next_meeting)
