"""Meeting pieces other apps' pages show, e.g. the circle page's next meetings."""

from __future__ import annotations

from django import template
from django.db.models import OuterRef, Subquery

from circles.access import membership_of
from meetings.models import Answer, Meeting, Rsvp

register = template.Library()

UPCOMING_ON_CIRCLE_PAGE = 4


@register.inclusion_tag("meetings/includes/circle_upcoming.html", takes_context=True)
def circle_upcoming_meetings(context, circle, user, count: int = UPCOMING_ON_CIRCLE_PAGE) -> dict:
    """{% circle_upcoming_meetings circle user %}: the next meetings with the viewer's RSVP.

    Members (and staff) only: anyone else gets an empty fragment, since a
    circle's meetings are private. At most two queries whatever the size: the
    membership (none when the page already read it: circles.access.remember_membership)
    and the meetings with their counts and the viewer's own answer, in one query.
    """
    base = {"circle": circle, "meetings": [], "visible": False, "request": context.get("request")}
    base["csrf_token"] = context.get("csrf_token")
    if not getattr(user, "is_authenticated", False):
        return base
    membership = membership_of(user, circle)
    if membership is None and not user.is_staff:
        return base
    mine = Rsvp.objects.filter(meeting=OuterRef("pk"), user=user).order_by()
    meetings = list(
        Meeting.objects.filter(circle=circle)
        .upcoming()
        .with_counts()
        .annotate(
            viewer_answer=Subquery(mine.values("answer")[:1]),
            viewer_waitlisted=Subquery(mine.values("waitlisted")[:1]),
        )
        .order_by("starts_at", "pk")[:count]
    )
    for meeting in meetings:
        meeting.circle = circle
        meeting.my_answer = meeting.viewer_answer
        meeting.my_waitlisted = bool(meeting.viewer_waitlisted)
        meeting.seats_left = max(circle.seat_limit - meeting.going_count, 0)
    return {
        **base,
        "visible": True,
        "user": user,
        "meetings": meetings,
        # Translated once for the page, not once per button of every row.
        "answers": [(value, str(label)) for value, label in Answer.choices],
        "is_member": membership is not None,
        "is_host": membership is not None and membership.is_host,
    }
