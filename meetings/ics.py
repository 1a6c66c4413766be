"""iCalendar for meetings: one event per meeting, times in the circle's zone with a VTIMEZONE.

The UID never changes for a meeting; SEQUENCE rises with every change a
calendar must pick up; a cancelled meeting stays in the feed as CANCELLED so
calendar apps remove it instead of keeping a stale event. The words (a
cancelled event's summary, the description, the feed's name) are in the
active language: a reminder's attachment is made in its reader's
(notifications.emails), the private feed in its owner's
(meetings.calendar_views).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from meetings.models import Meeting


def meeting_uid(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "peertables"
    return f"meeting-{meeting.pk}@{host}"


def _event(meeting: Meeting, *, show_link: bool) -> Event:
    circle = meeting.circle
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.local_starts_at)
    event.add("dtend", meeting.local_ends_at)
    event.add("sequence", meeting.sequence)
    # The circle's name is the event's name; a cancelled one says so in words too,
    # since not every calendar app shows STATUS:CANCELLED.
    if meeting.is_cancelled:
        event.add("summary", _("Cancelled: %(circle)s") % {"circle": circle.name})
    else:
        event.add("summary", circle.name)
    url = settings.SITE_URL + meeting.get_absolute_url()
    event.add("url", url)
    location = ", ".join(p for p in (meeting.place_name, meeting.place_address) if p)
    if show_link and circle.meeting_link:
        location = f"{location} ({circle.meeting_link})" if location else circle.meeting_link
    if location:
        event.add("location", location)
    event.add(
        "description",
        _("%(circle)s meeting. Agenda and RSVPs: %(url)s") % {"circle": circle.name, "url": url},
    )
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def calendar_for(meetings: Iterable[Meeting], *, name: str, show_link: bool = True) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//PeerTables//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(_event(meeting, show_link=show_link))
    # As Calendar.add_missing_timezones, from the cache: VTIMEZONEs go first.
    known = [vtimezone(tzid) for tzid in sorted(cal.get_missing_tzids())]
    cal.subcomponents[:0] = [tz for tz in known if tz is not None]
    return cal.to_ical()


# Building a VTIMEZONE walks every transition of the zone from 1970 to 2038:
# most of the cost of a feed (docs/PERFORMANCE.md). A zone's rules change only
# with the tz database, i.e. a deploy, so each worker builds each zone once and
# only ever reads the component after.
@lru_cache(maxsize=128)
def vtimezone(tzid: str) -> Timezone | None:
    try:
        return Timezone.from_tzid(tzid)
    except ValueError:  # a zone the tz database does not know: leave it out, as icalendar does
        return None
