"""Circles' answers to what members and allauth tell or ask (connected in CirclesConfig.ready()).

Sign-in: finish an invitation whose link the person opened while signed out.
The invitation page keeps the token in the session and sends the person to
sign up or sign in with ?next= back to the link. Email confirmation can lose
that ?next= on the way (another device, a long pause), so on sign-in we also
accept the invitation the session remembers. Circles with a pledge wait for
the person to accept it on the invitation page.

Account deletion (members/signals.py): a circle must keep a host, so the only
host of a circle with other members hands it on before their account goes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from circles import invitation_services, rules
from circles.models import HOST_ROLES, Invitation, Membership, Status

INVITATION_SESSION_KEY = "circles_invitation_token"


def accept_invitation_on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.get(INVITATION_SESSION_KEY)
    if not token:
        return
    invite = (
        Invitation.objects.pending()
        .select_related("circle", "invited_by")
        .filter(token=token)
        .first()
    )
    if invite is None or invite.circle.pledge:
        return
    try:
        invitation_services.invitation_accept(invitation=invite, user=user)
    except rules.CircleError:
        return  # the invitation page explains why, when they open the link again
    request.session.pop(INVITATION_SESSION_KEY, None)
    messages.success(
        request,
        invited_welcome(invite),
        fail_silently=True,  # a sign-in outside a page request (tests, scripts) has no messages
    )


def invited_welcome(invite: Invitation) -> str:
    """The greeting once an invitation is accepted (here on sign-in, or on its page)."""
    return _("Welcome to %(circle)s! %(name)s invited you.") % {
        "circle": invite.circle.name,
        "name": invite.invited_by.name,
    }


def sole_host_circles(user: Any) -> list[str]:
    """Circles that would be left with members but no host if this person went."""
    hosted = Membership.objects.filter(
        user=user, status=Status.ACTIVE, role__in=HOST_ROLES, circle__archived_at__isnull=True
    ).values("circle_id")
    rows = (
        Membership.objects.filter(circle_id__in=hosted, status=Status.ACTIVE)
        .values("circle__name")
        .annotate(
            others=Count("pk", filter=~Q(user=user)),
            other_hosts=Count("pk", filter=~Q(user=user) & Q(role__in=HOST_ROLES)),
        )
        .order_by("circle__name")
    )
    return [row["circle__name"] for row in rows if row["others"] and not row["other_hosts"]]


def sole_host_keeps_account(sender: Any, user: Any, **kwargs: Any) -> str | None:
    """members asks before an account is deleted: not while it alone hosts a circle."""
    circles = sole_host_circles(user)
    if not circles:
        return None
    return _(
        "You are the only host of %(circles)s. Name another host (or archive the circle) "
        "before you delete your account."
    ) % {"circles": ", ".join(circles)}
