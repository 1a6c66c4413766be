"""Meeting pieces other apps' pages show, e.g. the circle page's next meetings."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from circles.access import membership_of
from meetings import meeting_rows

register = template.Library()

UPCOMING_ON_CIRCLE_PAGE = 4


@register.inclusion_tag("meetings/includes/circle_upcoming.html", takes_context=True)
def circle_upcoming_meetings(context, circle, user, count: int = UPCOMING_ON_CIRCLE_PAGE) -> dict:
    """{% circle_upcoming_meetings circle user %}: the next meetings with the viewer's RSVP.

    Members (and staff) only: anyone else gets an empty fragment, since a
    circle's meetings are private. At most two queries whatever the size: the
    membership (none when the page already read it: circles.access.remember_membership)
    and the meetings with their counts and the viewer's own answer, in one query
    compiled once per process. The rows are written in Python (meetings/meeting_rows.py,
    as on the meetings list page); the template keeps the section's frame.
    """
    if not getattr(user, "is_authenticated", False):
        return {"visible": False}
    membership = membership_of(user, circle)
    if membership is None and not user.is_staff:
        return {"visible": False}
    request = context.get("request")
    rows = meeting_rows.write(
        meeting_rows.upcoming(circle, user, limit=count),
        circle=circle,
        user=user,
        is_member=membership is not None,
        csrf_token=context.get("csrf_token"),
        next_url=request.get_full_path() if request is not None else "",
    )
    return {
        "visible": True,
        "rows": mark_safe("".join(rows)),  # noqa: S308 - meeting_rows.write's escaped rows
        "urls": meeting_rows.urls(circle),
        "is_host": membership is not None and membership.is_host,
    }
