"""Meeting emails: plain text and HTML, the circle's name leading every subject.

Each member's email is written in their language (members.language): subject,
times and both bodies are built inside ``in_language_of``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles.models import Circle, Membership
from meetings import timefmt
from meetings.models import Meeting
from members.language import in_language_of


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
        with in_language_of(user):
            _send(
                to=user.email,
                subject=_("%(circle)s: the meeting on %(day)s is cancelled")
                % {"circle": circle.name, "day": timefmt.day(meeting.local_starts_at)},
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
        with in_language_of(user):
            subject = ngettext(
                "%(circle)s: a meeting has moved",
                "%(circle)s: %(count)d meetings moved",
                len(meetings),
            ) % {"circle": circle.name, "count": len(meetings)}
            _send(
                to=user.email,
                subject=subject,
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
    with in_language_of(user):
        _send(
            to=user.email,
            subject=_("%(circle)s: a seat opened up, you are going on %(day)s")
            % {"circle": circle.name, "day": timefmt.day(meeting.local_starts_at)},
            template="promoted",
            context={"circle": circle, "person": user, **_describe(meeting, user)},
        )
