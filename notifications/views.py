"""The notification settings page, the signed links in emails, and the bell with its list.

The links work without signing in: the signature is the permission. A GET
never changes anything (mail scanners follow links); it shows what the
click will do and a button that POSTs.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from circles.models import Membership, Status
from meetings import rsvp_services, timefmt
from meetings.models import Answer, Meeting, Rsvp
from members.language import activate_chosen
from notifications import services
from notifications.emails import answer_text
from notifications.forms import PreferencesForm
from notifications.models import Notification, Preference
from notifications.templatetags.bell import bell_for, bell_html
from notifications.tokens import BadLink, read_rsvp_token, read_unsubscribe_token

LINK_PROBLEM = "notifications/link_problem.html"


def _problem(request: HttpRequest, *, title: str, text: str, status: int) -> HttpResponse:
    return render(request, LINK_PROBLEM, {"title": title, "text": text}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Any signed-in person: turn reminders, the digest and reply emails on or off."""
    prefs = services.preferences_for(request.user)
    form = PreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your email settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def rsvp_link(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding a reminder's signed link: confirm (POST) the answer it names.

    Valid until the meeting starts, for an active member of the circle. A
    tampered link answers 400, an expired one 410, both with a clear page.
    """
    try:
        claim = read_rsvp_token(token)
    except BadLink:
        return _problem(
            request,
            title=_("This link does not work"),
            text=_(
                "The link was changed or cut short. Open the meeting from the email's "
                "other link, or copy the whole link into your browser."
            ),
            status=400,
        )
    meeting = Meeting.objects.select_related("circle").filter(pk=claim.meeting_id).first()
    person = get_user_model().objects.filter(pk=claim.user_id, is_active=True).first()
    member = (
        meeting is not None
        and person is not None
        and Membership.objects.filter(
            circle_id=meeting.circle_id, user=person, status=Status.ACTIVE
        ).exists()
    )
    activate_chosen(person)
    if not member or claim.answer not in Answer.values:
        return _problem(
            request,
            title=_("This link no longer works"),
            text=_("The meeting is gone or you are no longer a member of its circle."),
            status=404,
        )
    if meeting.is_cancelled:
        return _problem(
            request,
            title=_("This meeting was cancelled"),
            text=_("%(circle)s cancelled this meeting, so there is nothing to answer.")
            % {"circle": meeting.circle.name},
            status=410,
        )
    if meeting.has_started:
        return _problem(
            request,
            title=_("This link has expired"),
            text=_("RSVP links work until the meeting starts, and this one has started."),
            status=410,
        )
    context = {
        "meeting": meeting,
        "circle": meeting.circle,
        "person": person,
        "answer_value": claim.answer,
        "answer_label": Answer(claim.answer).label,
        "when": timefmt.when(meeting.starts_at, meeting.ends_at, meeting.circle.zone),
        "your_when": timefmt.viewer_when(meeting.starts_at, meeting.circle.zone, person.time_zone),
    }
    if request.method == "POST":
        try:
            rsvp = rsvp_services.rsvp_set(meeting=meeting, user=person, answer=claim.answer)
        except ValidationError as exc:
            return _problem(
                request,
                title=_("Your answer was not saved"),
                text=" ".join(exc.messages),
                status=409,
            )
        return render(
            request,
            "notifications/rsvp_done.html",
            {**context, "rsvp": rsvp, "current": answer_text(rsvp)},
        )
    rsvp = Rsvp.objects.filter(meeting=meeting, user=person).first()
    return render(
        request,
        "notifications/rsvp_confirm.html",
        {**context, "current": answer_text(rsvp), "token": token},
    )


# RFC 8058: a mail client unsubscribes with a bare POST ("List-Unsubscribe=One-Click"),
# without cookies and so without a CSRF token. The signed token is the permission,
# and the worst a forged POST can do is turn one kind of email off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the signed link: GET asks to confirm, POST turns that email off."""
    try:
        claim = read_unsubscribe_token(token)
    except BadLink:
        return _problem(
            request,
            title=_("This link does not work"),
            text=_(
                "The unsubscribe link was changed or cut short. You can change every email "
                "setting after signing in, under Email settings."
            ),
            status=400,
        )
    person = get_user_model().objects.filter(pk=claim.user_id).first()
    activate_chosen(person)
    if person is None or claim.preference not in Preference.values:
        return _problem(
            request,
            title=_("This link no longer works"),
            text=_("The account it was for no longer exists."),
            status=404,
        )
    label = Preference(claim.preference).label
    if request.method == "POST":
        services.preferences_set(user=person, **{claim.preference: False})
        return render(
            request,
            "notifications/unsubscribed.html",
            {"person": person, "label": label, "done": True},
        )
    return render(
        request,
        "notifications/unsubscribed.html",
        {"person": person, "label": label, "done": False, "token": token},
    )


# --- The bell and the list of notifications ---------------------------------------------------

PER_PAGE = 20


def _bell_context(request: HttpRequest) -> dict[str, object]:
    return {"bell": bell_for(request.user)}


@require_http_methods(["GET"])
def bell_count(request: HttpRequest) -> HttpResponse:
    """The signed-in person's unread count: the bell's fragment, polled by htmx.

    Works as a plain GET too (it answers the same small fragment); it reads
    one COUNT over the partial unread index. A poll from a page whose
    session has ended answers 286, htmx's "stop polling", rather than a
    sign-in page swapped into the header.
    """
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=286)
        return redirect_to_login(request.get_full_path())
    response = HttpResponse(bell_html(bell_for(request.user)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own notifications, newest first, unread ones marked."""
    rows = Notification.objects.for_recipient(request.user).newest_first().select_related("circle")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    template = "notifications/list.html" + ("#list" if request.htmx else "")
    response = render(request, template, {"page": page, **_bell_context(request)})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["POST"])
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The recipient follows a notification: it is marked read, then they go where it leads.

    A POST (the list's buttons), because it changes a row. Someone else's
    notification is 404. The target is a path stored by us; it is checked
    again here, and anything that is not a path on this site sends the
    person to the list instead (never to another host).
    """
    notification = get_object_or_404(Notification.objects.for_recipient(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    safe = services.is_site_path(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if safe else reverse("notifications:list"))


@login_required
@require_http_methods(["POST"])
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """The signed-in person marks all their notifications read (htmx: the list and the bell)."""
    changed = services.notifications_mark_read(user=request.user)
    if request.htmx:
        rows = Notification.objects.for_recipient(request.user).newest_first()
        page = Paginator(rows.select_related("circle"), PER_PAGE).get_page(request.POST.get("page"))
        response = render(
            request,
            "notifications/list.html#list",
            {"page": page, "bell_oob": True, **_bell_context(request)},
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if changed:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:list")
