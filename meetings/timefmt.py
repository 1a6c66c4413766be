"""How a meeting's time is written: always naming its zone, and the reader's own when it differs.

Written in the active language: the day and month names come from Django's
catalogs and the order of the parts from a format each language's catalog
sets (``pgettext("date format", …)``, in Django's ``date`` filter letters), so
a German reader sees "Dienstag, 24. November 2026, 06:30–07:45 CST
(America/Chicago)". The zone's abbreviation and its IANA name are always
there. Emails call these inside the recipient's language
(members.language.in_language_of).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def date_long(value: dt.datetime | dt.date) -> str:
    """'Tuesday 24 November 2026' (de: 'Dienstag, 24. November 2026')."""
    return dateformat.format(value, pgettext("date format", "l j F Y"))


def day(value: dt.datetime | dt.date) -> str:
    """'Tuesday 24 November' (de: 'Dienstag, 24. November'): a date in the coming weeks."""
    return dateformat.format(value, pgettext("date format", "l j F"))


def clock(value: dt.datetime | dt.time) -> str:
    """'06:30'."""
    return dateformat.time_format(value, pgettext("time format", "H:i"))


def day_and_time(local: dt.datetime) -> str:
    """'Tuesday 24 November, 06:30 CST': a meeting's start in a subject line."""
    return _("%(day)s, %(time)s %(zone)s") % {
        "day": day(local),
        "time": clock(local),
        "zone": local.tzname(),
    }


def when(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    """'Tuesday 24 November 2026, 06:30–07:45 CST (America/Chicago)'."""
    local_start = start.astimezone(zone)
    local_end = end.astimezone(zone)
    return _("%(date)s, %(start)s–%(end)s %(abbreviation)s (%(zone)s)") % {
        "date": date_long(local_start),
        "start": clock(local_start),
        "end": clock(local_end),
        "abbreviation": local_start.tzname(),
        "zone": zone.key,
    }


def when_kept(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    """``when``, kept per process and language: the same line for every viewer of a meeting."""
    return _when_in(start, end, zone, translation.get_language())


@lru_cache(maxsize=1024)
def _when_in(start: dt.datetime, end: dt.datetime, zone: ZoneInfo, language: str | None) -> str:
    return when(start, end, zone)


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
    return _("%(day)s, %(time)s %(abbreviation)s your time (%(zone)s)") % {
        "day": day(mine),
        "time": clock(mine),
        "abbreviation": mine.tzname(),
        "zone": theirs.key,
    }
