"""What meetings add to a list of circles (circles/annotations.py): when each next meets.

One correlated subquery per column, in the same SELECT as the circles, so a
directory page costs the same queries whatever the number of meetings.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from circles import annotations
from circles.models import Circle
from meetings.models import Meeting, MeetingStatus


def with_next_meeting(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    """Annotate each circle's next scheduled meeting (moved or cancelled ones are honoured).

    Circles without meeting rows yet get None, and the directory falls back to
    their schedule.
    """
    upcoming = Meeting.objects.filter(
        circle=OuterRef("pk"), starts_at__gt=timezone.now(), status=MeetingStatus.SCHEDULED
    ).order_by("starts_at")
    return circles.annotate(next_meeting_at=Subquery(upcoming.values("starts_at")[:1]))


def with_moments(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    """When the circle page next changes by itself: a meeting in its list starts (its answers
    close) or ends (it leaves the list)."""
    now = timezone.now()
    ahead = Meeting.objects.filter(circle=OuterRef("pk"))
    return circles.annotate(
        soonest_start=Subquery(
            ahead.filter(starts_at__gt=now).order_by("starts_at").values("starts_at")[:1]
        ),
        soonest_end=Subquery(
            ahead.filter(ends_at__gt=now).order_by("ends_at").values("ends_at")[:1]
        ),
    )


def register() -> None:
    annotations.register(annotations.NEXT_MEETING, with_next_meeting)
    annotations.register(annotations.MOMENTS, with_moments)
