"""Hosting a circle: starting, editing and archiving it, its members page and the hosts'
controls there (roles, removal, handing hosting on), and the queue of join requests.

Who may do what is decided in circles.access; writes happen in circles.services and
circles.membership_services. htmx requests get the named partial of the same template.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles import access, membership_services, services
from circles.forms import CircleForm
from circles.models import HOST_ROLES, Circle, Membership, Role, Status
from circles.rules import CircleError
from circles.view_helpers import attempt, confirm, page_or_fragment, posted
from circles.views import _members


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Any signed-in person may start a circle and becomes its host."""
    initial = {"time_zone": request.user.time_zone, "seat_limit": 12, "start_time": "06:30"}
    form = CircleForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.circle_create(
                host=request.user,
                topics=form.cleaned_data["topics"],
                **form.service_fields(),
            )
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(circle)s is ready. Invite the first members.") % {"circle": circle.name},
            )
            return redirect(circle)
    return render(request, "circles/form.html", {"form": form, "circle": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts and co-hosts edit the circle and its schedule."""
    circle = access.circle_for_host(request.user, slug)
    form = CircleForm(posted(request), instance=circle)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            services.circle_update(
                circle=Circle.objects.get(pk=circle.pk),
                topics=form.cleaned_data["topics"],
                **fields,
            )
        except CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(circle)s is saved.") % {"circle": circle.name})
            return redirect(reverse("circles:detail", kwargs={"slug": slug}))
    return render(request, "circles/form.html", {"form": form, "circle": circle})


@login_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts and co-hosts archive the circle, after a confirmation page."""
    circle = access.circle_for_host(request.user, slug)
    if request.method == "POST":
        services.circle_archive(circle=circle)
        messages.success(
            request,
            _("%(circle)s is archived. Members can still open it.") % {"circle": circle.name},
        )
        return redirect(circle)
    return confirm(
        request,
        circle,
        title=_("Archive %(circle)s?") % {"circle": circle.name},
        explanation=_(
            "The circle leaves the directory and takes no new members. Nothing is "
            "deleted: members can still open it."
        ),
        action=reverse("circles:archive", kwargs={"slug": slug}),
        button=_("Archive the circle"),
    )


# --- The members page and the hosts' controls on it --------------------------------


def _render_members(request: HttpRequest, circle: Circle) -> HttpResponse:
    """The members page, or for htmx its member list (also after a host's action)."""
    membership = access.membership_of(request.user, circle)
    context = {
        "circle": circle,
        "members": _members(circle),
        "me": membership,
        "is_host": membership is not None and membership.role in HOST_ROLES,
        "is_main_host": membership is not None and membership.role == Role.HOST,
    }
    return page_or_fragment(request, "circles/members.html", "member-list", context)


@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Active members (and staff) see who is in the circle; hosts also get the controls."""
    circle = access.circle_for_member(request.user, slug, Circle.objects.with_directory_data())
    return _render_members(request, circle)


def _host_action_done(request: HttpRequest, circle: Circle) -> HttpResponse:
    if request.htmx:
        fresh = Circle.objects.with_directory_data().get(pk=circle.pk)
        return _render_members(request, fresh)
    return redirect(reverse("circles:members", kwargs={"slug": circle.slug}))


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts and co-hosts name co-hosts or make them members again (POST role=co_host|member)."""
    circle = access.circle_for_host(request.user, slug)
    target = access.membership_in(circle, pk, Status.ACTIVE)
    role = request.POST.get("role", "")
    if role not in (Role.CO_HOST, Role.MEMBER):
        messages.error(request, _("Choose co-host or member."))
        return _host_action_done(request, circle)
    done = (
        _("%(name)s is now a co-host.") if role == Role.CO_HOST else _("%(name)s is now a member.")
    )
    attempt(
        request,
        lambda: membership_services.membership_set_role(
            membership=target, role=Role(role), changed_by=request.user
        ),
        done % {"name": target.user.name},
    )
    return _host_action_done(request, circle)


def _confirmed(
    request: HttpRequest, circle: Circle, write: Callable[[], object], done: str, **page: str
) -> HttpResponse:
    """A host's action on a member: asked first (GET), done on POST, back to the members page."""
    if request.method == "POST":
        attempt(request, write, done)
        return redirect(reverse("circles:members", kwargs={"slug": circle.slug}))
    return confirm(request, circle, **page)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts and co-hosts remove a member, after a confirmation page."""
    circle = access.circle_for_host(request.user, slug)
    target = access.membership_in(circle, pk, Status.ACTIVE)
    names = {"name": target.user.name, "circle": circle.name}
    return _confirmed(
        request,
        circle,
        lambda: membership_services.membership_remove(membership=target, removed_by=request.user),
        _("%(name)s is no longer in %(circle)s.") % names,
        title=_("Remove %(name)s from %(circle)s?") % names,
        explanation=_(
            "They will no longer see the circle's members, meetings or posts, "
            "and cannot rejoin unless invited."
        ),
        action=reverse("circles:member_remove", kwargs={"slug": slug, "pk": pk}),
        button=_("Remove %(name)s") % names,
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The host hands hosting to another active member (after confirming); they become co-host."""
    circle = access.circle_for_lead_host(request.user, slug)
    target = access.membership_in(circle, pk, Status.ACTIVE)
    names = {"name": target.user.name, "circle": circle.name}
    return _confirmed(
        request,
        circle,
        lambda: membership_services.hosting_transfer(
            circle=circle, from_user=request.user, to_membership=target
        ),
        _("%(name)s now hosts %(circle)s; you are a co-host.") % names,
        title=_("Make %(name)s the host of %(circle)s?") % names,
        explanation=_("You will stay in the circle as a co-host."),
        action=reverse("circles:transfer", kwargs={"slug": slug, "pk": pk}),
        button=_("Transfer hosting"),
    )


# --- Join requests -----------------------------------------------------------------


def _render_requests(request: HttpRequest, circle: Circle) -> HttpResponse:
    pending = (
        Membership.objects.filter(circle=circle, status=Status.REQUESTED)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    context = {"circle": circle, "pending": pending}
    return page_or_fragment(request, "circles/requests.html", "queue", context)


@login_required
@require_GET
def requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts and co-hosts see the queue of join requests, oldest first."""
    circle = access.circle_for_host(request.user, slug, Circle.objects.with_directory_data())
    return _render_requests(request, circle)


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, pk: int, decision: str) -> HttpResponse:
    """Hosts and co-hosts approve or decline one request; both sides hear by email."""
    circle = access.circle_for_host(request.user, slug)
    target = access.membership_in(circle, pk, Status.REQUESTED)
    names = {"name": target.user.name, "circle": circle.name}
    if decision == "approve":
        attempt(
            request,
            lambda: membership_services.membership_approve(
                membership=target, approved_by=request.user
            ),
            _("%(name)s is now a member of %(circle)s.") % names,
        )
    else:
        attempt(
            request,
            lambda: membership_services.membership_decline(membership=target),
            _("You declined %(name)s's request.") % names,
        )
    if request.htmx:
        return _render_requests(request, Circle.objects.with_directory_data().get(pk=circle.pk))
    return redirect(reverse("circles:requests", kwargs={"slug": slug}))
