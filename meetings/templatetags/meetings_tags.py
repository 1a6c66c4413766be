"""Meeting pieces other apps' pages show, e.g. the circle page's next meetings."""

from __future__ import annotations

from django import template

from circles.access import membership_of
from meetings.models import Answer, Meeting, Rsvp

register = template.Library()

UPCOMING_ON_CIRCLE_PAGE = 4


@register.inclusion_tag("meetings/includes/circle_upcoming.html", takes_context=True)
def circle_upcoming_meetings(context, circle, user, count: int = UPCOMING_ON_CIRCLE_PAGE) -> dict:
    """{% circle_upcoming_meetings circle user %}: the next meetings with the viewer's RSVP.

    Members (and staff) only: anyone else gets an empty fragment, since a
    circle's meetings are private. Three queries whatever the size: the
    membership, the meetings with their counts, and the viewer's RSVPs.
    """
    base = {"circle": circle, "meetings": [], "visible": False, "request": context.get("request")}
    base["csrf_token"] = context.get("csrf_token")
    if not getattr(user, "is_authenticated", False):
        return base
    membership = membership_of(user, circle)
    if membership is None and not user.is_staff:
        return base
    meetings = list(
        Meeting.objects.filter(circle=circle)
        .upcoming()
        .with_counts()
        .order_by("starts_at", "pk")[:count]
    )
    mine = {
        rsvp.meeting_id: rsvp
        for rsvp in Rsvp.objects.filter(meeting__in=[m.pk for m in meetings], user=user)
    }
    for meeting in meetings:
        meeting.circle = circle
        rsvp = mine.get(meeting.pk)
        meeting.my_answer = rsvp.answer if rsvp else None
        meeting.my_waitlisted = bool(rsvp and rsvp.waitlisted)
        meeting.seats_left = max(circle.seat_limit - meeting.going_count, 0)
    return {
        **base,
        "visible": True,
        "user": user,
        "meetings": meetings,
        "answers": Answer.choices,
        "is_member": membership is not None,
        "is_host": membership is not None and membership.is_host,
    }
