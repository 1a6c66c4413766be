"""How a meeting's time is written: always naming its zone, and the reader's own when it differs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def when(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    """'Tuesday 24 November 2026, 06:30–07:45 CST (America/Chicago)'."""
    local_start = start.astimezone(zone)
    local_end = end.astimezone(zone)
    return (
        f"{local_start:%A} {local_start.day} {local_start:%B %Y}, "
        f"{local_start:%H:%M}–{local_end:%H:%M} {local_start:%Z} ({zone.key})"
    )


def viewer_when(start: dt.datetime, zone: ZoneInfo, viewer_zone: str | None) -> str:
    """The reader's own clock, or '' when it reads the same as the circle's."""
    if not viewer_zone or viewer_zone == zone.key:
        return ""
    try:
        theirs = ZoneInfo(viewer_zone)
    except (KeyError, ValueError):
        return ""
    mine = start.astimezone(theirs)
    if mine.utcoffset() == start.astimezone(zone).utcoffset():
        return ""
    return f"{mine:%A} {mine.day} {mine:%B}, {mine:%H:%M} {mine:%Z} your time ({theirs.key})"
