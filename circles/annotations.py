"""Columns the apps above circles add to a list of circles, without circles importing them.

A directory card and the circle page say when the circle next meets, and the
circle page is kept until one of its meetings starts or ends. Those are the
meetings app's rows, and meetings builds on circles, so meetings registers how
to annotate a ``Circle`` queryset with them (meetings/circle_times.py, in
MeetingsConfig.ready()), and circles' views ask for them by name. A name no app
registered leaves the queryset as it is: the cards then fall back to the
circle's schedule (circles/views.py ``_next_start``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from circles.models import Circle

    Annotator = Callable[[QuerySet[Circle]], QuerySet[Circle]]

# ``next_meeting_at``: the start of the circle's next scheduled meeting, or None.
NEXT_MEETING = "next_meeting"
# ``soonest_start``, ``soonest_end``: the next moment one of its meetings starts, or ends.
MOMENTS = "moments"

_annotators: dict[str, Annotator] = {}


def register(name: str, annotator: Annotator) -> None:
    _annotators[name] = annotator


def annotate(name: str, circles: QuerySet[Circle]) -> QuerySet[Circle]:
    annotator = _annotators.get(name)
    return circles if annotator is None else annotator(circles)
