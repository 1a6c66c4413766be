"""Circle pages: the directory, a circle's page, hosting, joining and invitations.

Who may see what is decided in circles.access; writes happen in
circles.services. htmx requests get the named partial of the same template.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from circles import access, annotations, directory_page, member_pages, services
from circles.directory_cache import DIRECTORY
from circles.forms import CircleForm, InvitationForm, JoinForm, PledgeForm
from circles.models import (
    HOST_ROLES,
    Circle,
    Invitation,
    JoinPolicy,
    Membership,
    Role,
    Status,
)
from circles.receivers import INVITATION_SESSION_KEY
from circles.suggestions import suggest_circles
from config.pagecache import fetch_kept, signed_out_page, store_kept

DIRECTORY_PAGE_SIZE = 12


def _viewer_zone(request: HttpRequest, circle: Circle) -> ZoneInfo:
    """The zone a person reads times in: their own when signed in, else the circle's."""
    if request.user.is_authenticated and request.user.time_zone:
        try:
            return ZoneInfo(request.user.time_zone)
        except (ValueError, KeyError):
            pass
    return circle.zone


def _posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, also when it is empty (an unticked box alone)."""
    return request.POST if request.method == "POST" else None


def _next_start(circle: Circle) -> dt.datetime:
    """The next meeting's start in the circle's own zone."""
    if getattr(circle, "next_meeting_at", None) is not None:
        return circle.next_meeting_at.astimezone(circle.zone)
    return circle.next_starts()[0]


def _partial(request: HttpRequest, template: str, name: str) -> str:
    return f"{template}#{name}" if request.htmx else template


# --- Directory and circle page ------------------------------------------------


# Query parameters a directory page may be cached under; anything else is not kept.
DIRECTORY_PARAMS = frozenset(
    {"q", "topic", "place", "weekday", "time_of_day", "open_seats", "page"}
)


def _directory_page_name(request: HttpRequest) -> str | None:
    """The directory page a signed-out request asks for, or None to render it uncached.

    Every value of a kept page must come from a small, known set, so query
    strings cannot fill the cache: unknown or repeated parameters, a search
    (free text) and any ``open_seats`` but the checkbox's "on" are not kept;
    ``_directory_page_fit_to_keep`` refuses invalid filters and page numbers.
    """
    params = request.GET
    if not params.keys() <= DIRECTORY_PARAMS or any(len(params.getlist(k)) > 1 for k in params):
        return None
    if params.get("q", "") != "" or params.get("open_seats", "on") != "on":
        return None
    return urlencode(sorted(params.items()))


def _directory_page_fit_to_keep(request: HttpRequest, context: dict) -> bool:
    form, page = context["form"], context["page"]
    valid = not form.is_bound or form.is_valid()
    return valid and str(page.number) == request.GET.get("page", "1")


@vary_on_headers("HX-Request")
@require_GET
@signed_out_page(version=DIRECTORY, key=_directory_page_name, keep=_directory_page_fit_to_keep)
def directory(request: HttpRequest) -> HttpResponse:
    """Anyone may browse and filter listed, non-archived circles.

    Signed-out visitors get whole pages and htmx answers from the page cache
    (config/pagecache.py) for the filters a form sends, not for searches.
    Signed in, the page is rendered for each request: the filters as plain
    HTML (circles/directory_page.py) and the person's own suggestions; only
    the cards, the same for everyone signed in but for the zone of the next
    meeting, come from the cache under the directory's version.
    """
    form = directory_page.filter_form(request.GET)
    context: dict[str, object] = {"form": form}
    if not request.htmx:
        context["filters_html"] = directory_page.filters_html(request, form)
        # "Circles you might sit at": whole pages only, not the filters' answers.
        context["suggestions_html"] = _suggestions_html(request)
    results_key = _signed_in_results_key(request)
    if results_key is not None:
        kept, version = fetch_kept(results_key, DIRECTORY)
        if kept is not None:
            if request.htmx:
                return HttpResponse(kept)
            context["results_html"] = mark_safe(kept)  # noqa: S308 - our own rendering, below
            return TemplateResponse(request, "circles/directory.html", context)
    circles = form.filter(Circle.objects.listed().with_directory_data()).order_by("name", "pk")
    circles = annotations.annotate(annotations.NEXT_MEETING, circles)
    page = Paginator(circles, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for circle in page.object_list:
        circle.next_local = _next_start(circle).astimezone(_viewer_zone(request, circle))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        query_string=query.urlencode(),
        filtered=form.is_bound and form.is_valid() and form.is_filtered(),
    )
    if results_key is not None and _directory_page_fit_to_keep(request, context):
        results_html = render_to_string("circles/directory.html#results", context, request)
        seconds = settings.SIGNED_OUT_PAGE_CACHE_SECONDS
        store_kept(results_key, version, results_html, seconds)
        if request.htmx:
            return HttpResponse(results_html)
        context["results_html"] = mark_safe(results_html)  # noqa: S308 - our own rendering
    return TemplateResponse(
        request, _partial(request, "circles/directory.html", "results"), context
    )


def _suggestions_html(request: HttpRequest) -> SafeString:
    """The "Circles you might sit at" panel for this person, worked out for each request.

    A fixed number of queries (circles/suggestions.py); nothing about one person is kept.
    """
    if not request.user.is_authenticated:
        return mark_safe("")  # noqa: S308 - nothing
    context = {"suggestions": suggest_circles(request.user)}
    return mark_safe(render_to_string("circles/_suggestions.html", context, request))  # noqa: S308


def _signed_in_results_key(request: HttpRequest) -> str | None:
    """Where the cards a signed-in person's directory page lists are kept, or None.

    The cards are the same for everyone signed in but for the zone the next
    meeting is shown in; they are kept under the same version and for the same
    time as the signed-out pages (config/pagecache.py), for the same filters.
    """
    name = _directory_page_name(request)
    if not request.user.is_authenticated or name is None:
        return None
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    return f"directory:results:v5:{request.user.time_zone}:{digest}"


def _members(circle: Circle) -> list[Membership]:
    """Active members, hosts first, with their sponsors, in one query."""
    members = list(
        Membership.objects.active()
        .filter(circle=circle)
        .select_related("user", "invited_by")
        .order_by("joined_at", "pk")
    )
    order = {Role.HOST: 0, Role.CO_HOST: 1, Role.MEMBER: 2}
    return sorted(members, key=lambda m: order.get(m.role, 3))


def _differs(zone: ZoneInfo, circle: Circle) -> bool:
    return str(zone) != circle.time_zone


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone who may see the circle gets its header; active members (and staff) the inside.

    Unlisted and archived circles are 404 to everyone but their members and staff.
    """
    keeper = member_pages.circle_page(request, "circle", slug)
    if keeper.page is not None:
        return keeper.response()
    circles = Circle.objects.with_directory_data()
    for name in (annotations.NEXT_MEETING, annotations.MOMENTS):
        circles = annotations.annotate(name, circles)
    circle = access.circle_for_viewer(request.user, slug, circles)
    membership = access.viewer_membership(request.user, circle)
    access.remember_membership(request.user, circle, membership)  # for the page's template tags
    is_active = membership is not None and membership.status == Status.ACTIVE
    sees_inside = is_active or request.user.is_staff
    zone = _viewer_zone(request, circle)
    differs = _differs(zone, circle)
    next_start = _next_start(circle)
    context: dict[str, object] = {
        "circle": circle,
        "membership": membership,
        "is_member": is_active,
        "sees_inside": sees_inside,
        "is_host": is_active and membership.role in HOST_ROLES,
        "viewer_zone": zone,
        "next_start": next_start,
        "viewer_time": next_start.astimezone(zone) if differs else None,
    }
    if sees_inside:
        context["members"] = _members(circle)
        context["may_invite"] = access.may_invite(membership, circle)
        if context["is_host"]:
            context["request_count"] = Membership.objects.filter(
                circle=circle, status=Status.REQUESTED
            ).count()
    moments = (getattr(circle, "soonest_start", None), getattr(circle, "soonest_end", None))
    fresh_until = member_pages.soonest(next_start, *moments)
    return keeper.render("circles/detail.html", context, fresh_until=fresh_until)


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
    response = render(request, _partial(request, "circles/members.html", "member-list"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Active members (and staff) see who is in the circle; hosts also get the controls."""
    circle = access.circle_for_member(request.user, slug, Circle.objects.with_directory_data())
    return _render_members(request, circle)


# --- Hosting -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Any signed-in person may start a circle and becomes its host."""
    initial = {"time_zone": request.user.time_zone, "seat_limit": 12, "start_time": "06:30"}
    form = CircleForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.circle_create(
                host=request.user,
                topics=form.cleaned_data["topics"],
                **form.service_fields(),
            )
        except services.CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{circle.name} is ready. Invite the first members.")
            return redirect(circle)
    return render(request, "circles/form.html", {"form": form, "circle": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts and co-hosts edit the circle and its schedule."""
    circle = access.circle_for_host(request.user, slug)
    form = CircleForm(_posted(request), instance=circle)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            services.circle_update(
                circle=Circle.objects.get(pk=circle.pk),
                topics=form.cleaned_data["topics"],
                **fields,
            )
        except services.CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{circle.name} is saved.")
            return redirect(reverse("circles:detail", kwargs={"slug": slug}))
    return render(request, "circles/form.html", {"form": form, "circle": circle})


@login_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts and co-hosts archive the circle, after a confirmation page."""
    circle = access.circle_for_host(request.user, slug)
    if request.method == "POST":
        services.circle_archive(circle=circle)
        messages.success(request, f"{circle.name} is archived. Members can still open it.")
        return redirect(circle)
    return render(
        request,
        "circles/confirm.html",
        {
            "circle": circle,
            "title": f"Archive {circle.name}?",
            "explanation": (
                "The circle leaves the directory and takes no new members. Nothing is "
                "deleted: members can still open it."
            ),
            "action": reverse("circles:archive", kwargs={"slug": slug}),
            "button": "Archive the circle",
        },
    )


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
        messages.error(request, "Choose co-host or member.")
        return _host_action_done(request, circle)
    try:
        services.membership_set_role(membership=target, role=Role(role), changed_by=request.user)
    except services.CircleError as error:
        messages.error(request, str(error))
    else:
        label = "a co-host" if role == Role.CO_HOST else "a member"
        messages.success(request, f"{target.user.name} is now {label}.")
    return _host_action_done(request, circle)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts and co-hosts remove a member, after a confirmation page."""
    circle = access.circle_for_host(request.user, slug)
    target = access.membership_in(circle, pk, Status.ACTIVE)
    if request.method == "POST":
        try:
            services.membership_remove(membership=target, removed_by=request.user)
        except services.CircleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{target.user.name} is no longer in {circle.name}.")
        return redirect(reverse("circles:members", kwargs={"slug": slug}))
    return render(
        request,
        "circles/confirm.html",
        {
            "circle": circle,
            "title": f"Remove {target.user.name} from {circle.name}?",
            "explanation": (
                "They will no longer see the circle's members, meetings or posts, "
                "and cannot rejoin unless invited."
            ),
            "action": reverse("circles:member_remove", kwargs={"slug": slug, "pk": pk}),
            "button": f"Remove {target.user.name}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The host hands hosting to another active member (after confirming); they become co-host."""
    circle = access.circle_for_lead_host(request.user, slug)
    target = access.membership_in(circle, pk, Status.ACTIVE)
    if request.method == "POST":
        try:
            services.hosting_transfer(circle=circle, from_user=request.user, to_membership=target)
        except services.CircleError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{target.user.name} now hosts {circle.name}; you are a co-host."
            )
        return redirect(reverse("circles:members", kwargs={"slug": slug}))
    return render(
        request,
        "circles/confirm.html",
        {
            "circle": circle,
            "title": f"Make {target.user.name} the host of {circle.name}?",
            "explanation": "You will stay in the circle as a co-host.",
            "action": reverse("circles:transfer", kwargs={"slug": slug, "pk": pk}),
            "button": "Transfer hosting",
        },
    )


# --- Joining and leaving -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """A signed-in person who can see the circle joins it (open) or asks to (request)."""
    circle = access.circle_for_viewer(request.user, slug)
    membership = access.viewer_membership(request.user, circle)
    if membership is not None and membership.status == Status.ACTIVE:
        messages.info(request, f"You are already a member of {circle.name}.")
        return redirect(circle)
    form = JoinForm(_posted(request), circle=circle)
    if request.method == "POST" and form.is_valid():
        pledge = bool(form.cleaned_data.get("accept_pledge"))
        try:
            if circle.join_policy == JoinPolicy.OPEN:
                services.membership_join(circle=circle, user=request.user, pledge_accepted=pledge)
                messages.success(request, f"Welcome to {circle.name}!")
            else:
                services.membership_request(
                    circle=circle,
                    user=request.user,
                    note=form.cleaned_data.get("note", ""),
                    pledge_accepted=pledge,
                )
                messages.success(
                    request, f"Your request is with the hosts of {circle.name}. We'll email you."
                )
        except services.CircleError as error:
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
        try:
            services.membership_leave(membership=membership)
        except services.CircleError as error:
            messages.error(request, str(error))
            return redirect(circle)
        messages.success(request, f"You have left {circle.name}.")
        return redirect("circles:directory")
    return render(
        request,
        "circles/confirm.html",
        {
            "circle": circle,
            "title": f"Leave {circle.name}?",
            "explanation": "You will no longer see its members, meetings or posts.",
            "action": reverse("circles:leave", kwargs={"slug": slug}),
            "button": "Leave the circle",
        },
    )


# --- Join requests -----------------------------------------------------------------


def _render_requests(request: HttpRequest, circle: Circle) -> HttpResponse:
    pending = (
        Membership.objects.filter(circle=circle, status=Status.REQUESTED)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    response = render(
        request,
        _partial(request, "circles/requests.html", "queue"),
        {"circle": circle, "pending": pending},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


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
    try:
        if decision == "approve":
            services.membership_approve(membership=target, approved_by=request.user)
            messages.success(request, f"{target.user.name} is now a member of {circle.name}.")
        else:
            services.membership_decline(membership=target)
            messages.success(request, f"You declined {target.user.name}'s request.")
    except services.CircleError as error:
        messages.error(request, str(error))
    if request.htmx:
        return _render_requests(request, Circle.objects.with_directory_data().get(pk=circle.pk))
    return redirect(reverse("circles:requests", kwargs={"slug": slug}))


# --- Invitations ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts (and members, when the circle allows it) invite by email; hosts see pending ones."""
    circle, membership = access.circle_for_inviter(request.user, slug)
    form = InvitationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                circle=circle,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except services.CircleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
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
        resend_after = services.invitation_resend_times(open_invitations)
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
    try:
        if action == "revoke":
            services.invitation_revoke(invitation=invitation)
            messages.success(request, f"The invitation to {invitation.email} is revoked.")
        else:
            services.invitation_resend(invitation=invitation, sent_by=request.user)
            messages.success(request, f"The invitation to {invitation.email} was sent again.")
    except services.CircleError as error:
        messages.error(request, str(error))
    return redirect(reverse("circles:invitations", kwargs={"slug": slug}))


def _invitation_problem(invite: Invitation) -> str:
    if invite.is_accepted:
        return "This invitation has already been used."
    if invite.is_revoked:
        return "This invitation was withdrawn by the circle's hosts."
    return "This invitation has expired. Ask the person who sent it for a new one."


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
        context["problem"] = "" if invite.is_pending else _invitation_problem(invite)
        return render(request, "circles/invitation.html", context)

    if access.membership_of(request.user, circle) is not None:
        if invite.accepted_by_id != request.user.pk:
            messages.info(request, f"You are already a member of {circle.name}.")
        return redirect(circle)
    if not invite.is_pending:
        context["problem"] = _invitation_problem(invite)
        return render(request, "circles/invitation.html", context, status=410)

    form = PledgeForm(_posted(request)) if circle.pledge else None
    context["form"] = form
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.invitation_accept(
                invitation=invite, user=request.user, pledge_accepted=form is not None
            )
        except services.CircleError as error:
            context["problem"] = str(error)
            return render(request, "circles/invitation.html", context, status=409)
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(
            request, f"Welcome to {circle.name}! {invite.invited_by.name} invited you."
        )
        return redirect(circle)
    return render(request, "circles/invitation.html", context)
