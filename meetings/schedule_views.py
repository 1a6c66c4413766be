"""A circle's meetings: the list, RSVPs, and the hosts' one-off, move and cancel.

An RSVP works from the meetings list, the circle page and the meeting page:
a plain form redirects back with a message; htmx gets back the row it came
from, or the meeting page's ``#rsvp-response`` fragment.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles.access import circle_for_host, circle_for_member, membership_of
from meetings import meeting_rows, rsvp_services, services
from meetings.access import meeting_for_host, meeting_for_participant
from meetings.forms import MeetingTimeForm, RsvpForm
from meetings.view_common import DETAIL, back, error_text
from meetings.views import _detail_context


@login_required
@require_GET
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Active members (and staff) see the circle's upcoming meetings and answer for any of them."""
    circle = circle_for_member(request.user, slug)
    membership = membership_of(request.user, circle)
    # One token for the page: the rows' forms and, through "csrf_token", base.html's.
    csrf_token = get_token(request)
    rows = meeting_rows.write(
        meeting_rows.upcoming(circle, request.user),
        circle=circle,
        user=request.user,
        is_member=membership is not None,
        csrf_token=csrf_token,
        next_url=request.get_full_path(),
    )
    return render(
        request,
        "meetings/list.html",
        {
            "circle": circle,
            "rows": rows,
            "is_host": membership is not None and membership.is_host,
            "csrf_token": csrf_token,
        },
    )


@login_required
@require_POST
def meeting_rsvp(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members answer going / maybe / not going for any upcoming meeting."""
    meeting = meeting_for_participant(request.user, slug, pk)
    form = RsvpForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            rsvp = rsvp_services.rsvp_set(
                meeting=meeting, user=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            error = error_text(exc)
        else:
            if not request.htmx:
                if rsvp.waitlisted:
                    messages.info(request, _("The seats are taken: you are on the waitlist."))
                else:
                    answer = rsvp.get_answer_display()
                    messages.success(request, _("Your answer: %(answer)s.") % {"answer": answer})
    else:
        error = _("Choose going, maybe or not going.")
    if request.htmx and request.POST.get("row"):
        # From a row of the meetings list (or the circle page): answer with that row.
        row = meeting_rows.write(
            meeting_rows.one(meeting, request.user),
            circle=meeting.circle,
            user=request.user,
            is_member=True,  # meeting_for_participant let only active members this far
            csrf_token=get_token(request),
            next_url=_safe_next(request),  # the page the row is on, not this answer's URL
            error=error,
        )
        return HttpResponse("".join(row))
    if request.htmx:
        meeting.refresh_from_db()
        context = _detail_context(request, meeting, rsvp_error=error)
        return render(request, DETAIL + "#rsvp-response", context)
    if error:
        messages.error(request, error)
    next_url = _safe_next(request)
    if next_url:
        return redirect(next_url)
    return back(meeting, "rsvp-panel")


def _safe_next(request: HttpRequest) -> str:
    """The form's "next" if it is a path on this site, else ""."""
    next_url = request.POST.get("next", "")
    # Only a path on this site: redirect() would read anything else as a URL name (a 500).
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts add a one-off meeting outside the schedule. Members who are not hosts get 403."""
    circle = circle_for_host(request.user, slug)
    form = MeetingTimeForm(
        request.POST or None,
        circle=circle,
        initial={"duration_minutes": circle.duration_minutes, "time": circle.start_time},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_add_one_off(circle=circle, **form.meeting_time())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Meeting added."))
            return redirect(meeting.get_absolute_url())
    return render(request, "meetings/time_form.html", {"circle": circle, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts move one meeting (time or place); members are emailed."""
    meeting = meeting_for_host(request.user, slug, pk)
    local = meeting.local_starts_at
    form = MeetingTimeForm(
        request.POST or None,
        circle=meeting.circle,
        initial={
            "date": local.date(),
            "time": local.time(),
            "duration_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
            "venue_name": meeting.venue_name,
            "venue_address": meeting.venue_address,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_move(meeting=meeting, **form.meeting_time())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Meeting moved; members have been told."))
            return back(meeting)
    return render(
        request,
        "meetings/time_form.html",
        {"circle": meeting.circle, "meeting": meeting, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts cancel one meeting after confirming; it stays visible as cancelled."""
    meeting = meeting_for_host(request.user, slug, pk)
    if request.method == "POST":
        try:
            services.meeting_cancel(meeting=meeting)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Meeting cancelled; members have been told."))
        return back(meeting)
    return render(request, "meetings/cancel.html", {"circle": meeting.circle, "meeting": meeting})
