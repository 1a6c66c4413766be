"""Circle emails: plain text and HTML from templates, the circle's name leading the subject."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from circles.models import Invitation, Membership


def absolute(path: str) -> str:
    """A link that works from a mailbox: settings.SITE_URL plus the path."""
    return settings.SITE_URL + path


def send(*, template: str, subject: str, to: Sequence[str], context: dict[str, Any]) -> None:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    text = render_to_string(f"circles/emails/{template}.txt", context)
    html = render_to_string(f"circles/emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=list(to))
    message.attach_alternative(html, "text/html")
    message.send()


def join_request_to_hosts(membership: Membership) -> None:
    circle = membership.circle
    hosts = [m.user.email for m in circle.memberships.hosts().select_related("user")]
    if not hosts:
        return
    send(
        template="join_request",
        subject=f"{circle.name}: {membership.user.name} asks to join",
        to=hosts,
        context={
            "circle": circle,
            "membership": membership,
            "queue_url": absolute(reverse("circles:requests", kwargs={"slug": circle.slug})),
        },
    )


def join_decision_to_requester(membership: Membership, *, approved: bool) -> None:
    circle = membership.circle
    verdict = "you're in" if approved else "your request was declined"
    send(
        template="join_approved" if approved else "join_declined",
        subject=f"{circle.name}: {verdict}",
        to=[membership.user.email],
        context={
            "circle": circle,
            "membership": membership,
            "circle_url": absolute(circle.get_absolute_url()),
            "directory_url": absolute(reverse("circles:directory")),
        },
    )


def invitation(invitation: Invitation) -> None:
    circle = invitation.circle
    send(
        template="invitation",
        subject=f"{circle.name}: {invitation.invited_by.name} invites you to join",
        to=[invitation.email],
        context={
            "circle": circle,
            "invitation": invitation,
            "accept_url": absolute(invitation.get_absolute_url()),
        },
    )
