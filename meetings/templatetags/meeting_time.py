from __future__ import annotations

from django import template

from meetings import timefmt

register = template.Library()


@register.simple_tag(takes_context=True)
def meeting_when(context, meeting) -> str:
    """{% meeting_when meeting %}: the circle's local time, naming its zone."""
    return timefmt.when(meeting.starts_at, meeting.ends_at, meeting.circle.zone)


@register.simple_tag(takes_context=True)
def meeting_when_viewer(context, meeting) -> str:
    """{% meeting_when_viewer meeting %}: the viewer's own time when it differs, else ''."""
    user = context.get("user")
    zone = getattr(user, "time_zone", None) if user is not None else None
    return timefmt.viewer_when(meeting.starts_at, meeting.circle.zone, zone)
