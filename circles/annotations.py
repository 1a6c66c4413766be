"""Columns the apps above circles add to a list of circles, without circles importing them.

A directory card and the circle page say when the circle next meets. That is
the meetings app's rows, and meetings builds on circles, so meetings registers how
to annotate a ``Circle`` queryset with them (meetings/circle_times.py, in
MeetingsConfig.ready()), and circles' views ask for them by name. A name no app
registered leaves the queryset as it is: the cards then fall back to the
circle's schedule (circles/directory_reads.py ``_cards``, circles/circle_page.py
``next_start``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from django.db.models import QuerySet

    from circles.models import Circle

    Annotator = Callable[..., QuerySet[Circle]]

# ``next_meeting_at``: the start of the circle's next scheduled meeting, or None.
NEXT_MEETING = "next_meeting"
_annotators: dict[str, Annotator] = {}


def register(name: str, annotator: Annotator) -> None:
    _annotators[name] = annotator


def annotate(
    name: str, circles: QuerySet[Circle], *, now: dt.datetime | None = None
) -> QuerySet[Circle]:
    """``circles`` with the named columns, as of ``now`` (default: this moment)."""
    annotator = _annotators.get(name)
    return circles if annotator is None else annotator(circles, now=now)
