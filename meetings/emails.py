"""Meeting emails: plain text and HTML, the circle's name leading every subject."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from circles.models import Circle, Membership
from meetings import timefmt
from meetings.models import Meeting


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    text = render_to_string(f"meetings/emails/{template}.txt", context)
    html = render_to_string(f"meetings/emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def _members(circle: Circle) -> Iterable[Membership]:
    return Membership.objects.active().filter(circle=circle).select_related("user")


def _describe(meeting: Meeting, user) -> dict:
    return {
        "meeting": meeting,
        "when": timefmt.when(meeting.starts_at, meeting.ends_at, meeting.circle.zone),
        "your_when": timefmt.viewer_when(meeting.starts_at, meeting.circle.zone, user.time_zone),
        "url": settings.SITE_URL + meeting.get_absolute_url(),
    }


def send_cancelled(meeting: Meeting) -> int:
    circle = meeting.circle
    sent = 0
    for membership in _members(circle):
        user = membership.user
        _send(
            to=user.email,
            subject=f"{circle.name}: the meeting on {meeting.local_starts_at:%A %-d %B} "
            "is cancelled",
            template="cancelled",
            context={"circle": circle, "person": user, **_describe(meeting, user)},
        )
        sent += 1
    return sent


def send_moved(meetings: list[Meeting]) -> int:
    """One email per member, listing every meeting that moved."""
    if not meetings:
        return 0
    circle = meetings[0].circle
    sent = 0
    for membership in _members(circle):
        user = membership.user
        _send(
            to=user.email,
            subject=f"{circle.name}: "
            + ("a meeting has moved" if len(meetings) == 1 else f"{len(meetings)} meetings moved"),
            template="moved",
            context={
                "circle": circle,
                "person": user,
                "moved": [_describe(meeting, user) for meeting in meetings],
            },
        )
        sent += 1
    return sent


def send_promoted(meeting: Meeting, user) -> None:
    circle = meeting.circle
    _send(
        to=user.email,
        subject=f"{circle.name}: a seat opened up, you are going on "
        f"{meeting.local_starts_at:%A %-d %B}",
        template="promoted",
        context={"circle": circle, "person": user, **_describe(meeting, user)},
    )
