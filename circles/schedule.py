"""A circle's weekly schedule, computed in its own wall-clock time.

The local time (06:30 on Tuesdays in America/Chicago) is the truth; the UTC
instant is derived for each date, so daylight-saving changes never move a
meeting on the clock people read.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# The circle's fields that decide when it meets (a change moves its future meetings).
SCHEDULE_FIELDS = (
    "time_zone",
    "weekday",
    "start_time",
    "duration_minutes",
    "frequency",
    "starts_on",
)


def local_start(date: dt.date, start_time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The aware datetime at ``start_time`` on ``date`` in ``zone``.

    A wall-clock time skipped by a spring-forward gap (02:30 on the change
    night) resolves with fold=0, i.e. the offset before the change, which
    zoneinfo turns into the equivalent later instant; an ambiguous fall-back
    time takes its first occurrence.
    """
    return dt.datetime.combine(date, start_time, tzinfo=zone)


def occurrences(
    *,
    weekday: int,
    start_time: dt.time,
    zone: ZoneInfo,
    after: dt.datetime,
    anchor: dt.date,
    every_weeks: int = 1,
    count: int = 1,
) -> list[dt.datetime]:
    """The next ``count`` starts strictly after ``after``, as aware local datetimes.

    ``anchor`` is a date in the series (its first week); fortnightly series
    only meet in weeks an even number of weeks from it.
    """
    after_utc = after.astimezone(dt.UTC)
    local_after = after.astimezone(zone)
    day = local_after.date()
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    anchor_monday = anchor - dt.timedelta(days=anchor.weekday())
    found: list[dt.datetime] = []
    while len(found) < count:
        weeks_from_anchor = ((day - dt.timedelta(days=day.weekday())) - anchor_monday).days // 7
        start = local_start(day, start_time, zone)
        # Compare instants in UTC: aware datetimes sharing one tzinfo compare
        # by wall-clock time, which is wrong across a daylight-saving change.
        if weeks_from_anchor % every_weeks == 0 and start.astimezone(dt.UTC) > after_utc:
            found.append(start)
        day += dt.timedelta(days=7)
    return found
