"""Sign-in hook: finish an invitation whose link the person opened while signed out.

The invitation page keeps the token in the session and sends the person to
sign up or sign in with ?next= back to the link. Email confirmation can lose
that ?next= on the way (another device, a long pause), so on sign-in we also
accept the invitation the session remembers. Circles with a pledge wait for
the person to accept it on the invitation page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from circles import services
from circles.models import Invitation

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
        services.invitation_accept(invitation=invite, user=user)
    except services.CircleError:
        return  # the invitation page explains why, when they open the link again
    request.session.pop(INVITATION_SESSION_KEY, None)
    messages.success(
        request,
        _("Welcome to %(circle)s! %(name)s invited you.")
        % {"circle": invite.circle.name, "name": invite.invited_by.name},
        fail_silently=True,  # a sign-in outside a page request (tests, scripts) has no messages
    )
