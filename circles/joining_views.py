"""Joining and leaving a circle, and invitations: sending them, managing them, and the
page an invitation's link opens.

Who may do what is decided in circles.access; writes happen in
circles.membership_services and circles.invitation_services.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from circles import access, invitation_services, membership_services
from circles.forms import InvitationForm, JoinForm, PledgeForm
from circles.invitation_services import invitation_problem
from circles.models import HOST_ROLES, Circle, Invitation, JoinPolicy, Status
from circles.receivers import INVITATION_SESSION_KEY, invited_welcome
from circles.rules import CircleError
from circles.view_helpers import attempt, confirm, posted


def _already_member(request: HttpRequest, circle: Circle) -> None:
    messages.info(request, _("You are already a member of %(circle)s.") % {"circle": circle.name})


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """A signed-in person who can see the circle joins it (open) or asks to (request)."""
    circle = access.circle_for_viewer(request.user, slug)
    membership = access.viewer_membership(request.user, circle)
    if membership is not None and membership.status == Status.ACTIVE:
        _already_member(request, circle)
        return redirect(circle)
    form = JoinForm(posted(request), circle=circle)
    if request.method == "POST" and form.is_valid():
        pledge = bool(form.cleaned_data.get("accept_pledge"))
        try:
            if circle.join_policy == JoinPolicy.OPEN:
                membership_services.membership_join(
                    circle=circle, user=request.user, pledge_accepted=pledge
                )
                messages.success(request, _("Welcome to %(circle)s!") % {"circle": circle.name})
            else:
                membership_services.membership_request(
                    circle=circle,
                    user=request.user,
                    note=form.cleaned_data.get("note", ""),
                    pledge_accepted=pledge,
                )
                messages.success(
                    request,
                    _("Your request is with the hosts of %(circle)s. We'll email you.")
                    % {"circle": circle.name},
                )
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            return redirect(circle)
    return render(
        request, "circles/join.html", {"circle": circle, "form": form, "membership": membership}
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """An active member leaves, after a confirmation page. The last host must transfer first."""
    circle = access.circle_for_member(request.user, slug)
    membership = access.membership_of(request.user, circle)
    if membership is None:  # staff who are not members have nothing to leave
        return redirect(circle)
    if request.method == "POST":
        left = attempt(
            request,
            lambda: membership_services.membership_leave(membership=membership),
            _("You have left %(circle)s.") % {"circle": circle.name},
        )
        return redirect("circles:directory") if left else redirect(circle)
    return confirm(
        request,
        circle,
        title=_("Leave %(circle)s?") % {"circle": circle.name},
        explanation=_("You will no longer see its members, meetings or posts."),
        action=reverse("circles:leave", kwargs={"slug": slug}),
        button=_("Leave the circle"),
    )


# --- Invitations ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts (and members, when the circle allows it) invite by email; hosts see pending ones."""
    circle, membership = access.circle_for_inviter(request.user, slug)
    form = InvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_services.invitation_create(
                circle=circle,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect(reverse("circles:invitations", kwargs={"slug": slug}))
    is_host = membership.role in HOST_ROLES
    # Hosts see every invitation still open (expired ones too: they can resend);
    # a member sees the ones they sent.
    open_invitations = Invitation.objects.filter(
        circle=circle, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    if not is_host:
        open_invitations = open_invitations.filter(invited_by=request.user)
    open_invitations = list(open_invitations)
    if is_host:
        # Hosts see, instead of a Resend button that would be refused, when they may resend.
        resend_after = invitation_services.invitation_resend_times(open_invitations)
        for open_invitation in open_invitations:
            open_invitation.resend_after = resend_after.get(open_invitation.pk)
    return render(
        request,
        "circles/invitations.html",
        {"circle": circle, "form": form, "invitations": open_invitations, "is_host": is_host},
    )


@login_required
@require_POST
def invitation_manage(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """Hosts and co-hosts revoke or resend a pending invitation.

    A resend is refused, with a message saying when it may be sent again, when the
    invitation was emailed within INVITATION_RESEND_SECONDS or the host has sent
    INVITATION_RESENDS_PER_DAY again in 24 hours.
    """
    circle = access.circle_for_host(request.user, slug)
    invitation = access.invitation_in(circle, pk)
    email = {"email": invitation.email}
    if action == "revoke":
        attempt(
            request,
            lambda: invitation_services.invitation_revoke(invitation=invitation),
            _("The invitation to %(email)s is revoked.") % email,
        )
    else:
        attempt(
            request,
            lambda: invitation_services.invitation_resend(
                invitation=invitation, sent_by=request.user
            ),
            _("The invitation to %(email)s was sent again.") % email,
        )
    return redirect(reverse("circles:invitations", kwargs={"slug": slug}))


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Whoever holds the link (the token is the secret).

    GET shows the invitation: signed out, with sign-up and sign-in links that
    come back and finish it (circles.receivers accepts it on sign-in); signed
    in, with one "Join" button. The seat is only taken by that POST, never by
    the GET: mail scanners open links, and a single-use link must survive them.
    A used, revoked or expired link says so (410); an existing member is sent
    to the circle.
    """
    invite = access.invitation_for_token(token)
    circle = invite.circle
    context: dict[str, object] = {"invitation": invite, "circle": circle}
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        request.session[INVITATION_SESSION_KEY] = token
        back = urlencode({"next": request.get_full_path()})
        context["signup_url"] = f"{reverse('account_signup')}?{back}"
        context["login_url"] = f"{reverse('account_login')}?{back}"
        context["problem"] = invitation_problem(invite)
        return render(request, "circles/invitation.html", context)

    if access.membership_of(request.user, circle) is not None:
        if invite.accepted_by_id != request.user.pk:
            _already_member(request, circle)
        return redirect(circle)
    if not invite.is_pending:
        context["problem"] = invitation_problem(invite)
        return render(request, "circles/invitation.html", context, status=410)

    form = PledgeForm(posted(request)) if circle.pledge else None
    context["form"] = form
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            invitation_services.invitation_accept(
                invitation=invite, user=request.user, pledge_accepted=form is not None
            )
        except CircleError as error:
            context["problem"] = str(error)
            return render(request, "circles/invitation.html", context, status=409)
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(request, invited_welcome(invite))
        return redirect(circle)
    return render(request, "circles/invitation.html", context)
