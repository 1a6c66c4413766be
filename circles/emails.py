"""Circle emails: plain text and HTML from templates, the circle's name leading the subject.

Each is written in its recipient's language (members.language): subject and
both bodies are built inside ``in_language_of``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from circles.models import Invitation, Membership
from members.language import by_language, in_language_of
from members.models import User


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
    hosts = [m.user for m in circle.memberships.hosts().select_related("user")]
    # One message to the hosts, or one per language when they read different ones.
    for language, group in by_language(hosts):
        with language:
            send(
                template="join_request",
                subject=_("%(circle)s: %(name)s asks to join")
                % {"circle": circle.name, "name": membership.user.name},
                to=[host.email for host in group],
                context={
                    "circle": circle,
                    "membership": membership,
                    "queue_url": absolute(
                        reverse("circles:requests", kwargs={"slug": circle.slug})
                    ),
                },
            )


def join_decision_to_requester(membership: Membership, *, approved: bool) -> None:
    circle = membership.circle
    with in_language_of(membership.user):
        subject = (
            _("%(circle)s: you're in") if approved else _("%(circle)s: your request was declined")
        )
        send(
            template="join_approved" if approved else "join_declined",
            subject=subject % {"circle": circle.name},
            to=[membership.user.email],
            context={
                "circle": circle,
                "membership": membership,
                "circle_url": absolute(circle.get_absolute_url()),
                "directory_url": absolute(reverse("circles:directory")),
            },
        )


def invitation(invitation: Invitation) -> None:
    """To the invitee in their own language when they have an account and chose one, else
    in the inviter's (a friend is most likely invited in the language the two share)."""
    circle = invitation.circle
    invitee = User.objects.filter(email__iexact=invitation.email).exclude(language="").first()
    with in_language_of(invitee or invitation.invited_by):
        send(
            template="invitation",
            subject=_("%(circle)s: %(name)s invites you to join")
            % {"circle": circle.name, "name": invitation.invited_by.name},
            to=[invitation.email],
            context={
                "circle": circle,
                "invitation": invitation,
                "accept_url": absolute(invitation.get_absolute_url()),
            },
        )
