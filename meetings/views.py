"""Meeting pages and actions. Members see and answer; hosts change meetings and run the agenda.

Every POST works as a plain form (redirect back to the meeting page with a
message); with htmx the same view answers with a fragment of the meeting
page (`meetings/detail.html#partial`), built from the same context.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from circles.access import circle_for_host, circle_for_member, hidden, membership_of
from circles.models import Membership
from meetings import ics, meeting_page, services
from meetings.access import (
    meeting_for_host,
    meeting_for_member,
    meeting_for_participant,
    meeting_with_role,
    topic_for_host,
    topic_for_participant,
)
from meetings.forms import (
    AttendanceForm,
    CommitmentForm,
    LockForm,
    MeetingTimeForm,
    MoveTopicForm,
    NotesForm,
    RsvpForm,
    TopicForm,
    TopicStatusForm,
)
from meetings.models import Answer, CalendarFeed, Meeting, Rsvp

DETAIL = "meetings/detail.html"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _detail_context(request: HttpRequest, meeting: Meeting, **extra) -> dict:
    """Everything the meeting page shows, in a fixed number of queries (meeting_page.py)."""
    return meeting_page.page_context(request, meeting, **extra)


def _row_context(request: HttpRequest, meeting: Meeting, error: str = "") -> dict:
    """One row of the meetings list: the meeting with its counts and the viewer's answer."""
    circle = meeting.circle
    meeting = Meeting.objects.with_counts().get(pk=meeting.pk)
    meeting.circle = circle
    rsvp = Rsvp.objects.filter(meeting=meeting, user=request.user).first()
    meeting.my_answer = rsvp.answer if rsvp else None
    meeting.my_waitlisted = bool(rsvp and rsvp.waitlisted)
    meeting.seats_left = max(circle.seat_limit - meeting.going_count, 0)
    return {
        "circle": circle,
        "meeting": meeting,
        "answers": Answer.choices,
        "is_member": True,
        "row_error": error,
    }


def _back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    return redirect(meeting.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Active members (and staff) see the circle's upcoming meetings and answer for any of them."""
    circle = circle_for_member(request.user, slug)
    meetings = list(circle.meetings.upcoming().with_counts().order_by("starts_at", "pk"))
    mine = dict(
        Rsvp.objects.filter(meeting__in=meetings, user=request.user).values_list(
            "meeting_id", "answer"
        )
    )
    waitlisted = set(
        Rsvp.objects.filter(meeting__in=meetings, user=request.user, waitlisted=True).values_list(
            "meeting_id", flat=True
        )
    )
    for meeting in meetings:
        meeting.circle = circle
        meeting.my_answer = mine.get(meeting.pk)
        meeting.my_waitlisted = meeting.pk in waitlisted
        meeting.seats_left = max(circle.seat_limit - meeting.going_count, 0)
    membership = membership_of(request.user, circle)
    return render(
        request,
        "meetings/list.html",
        {
            "circle": circle,
            "meetings": meetings,
            "answers": Answer.choices,
            "is_host": membership is not None and membership.is_host,
            "is_member": membership is not None,
        },
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members (and staff) see when and where, who is coming, the agenda and notes.

    Rendered for every request: nothing of it is kept per viewer, so the access
    check (meeting_with_role) is the first thing that happens.
    """
    meeting = meeting_with_role(request.user, slug, pk)
    return render(request, DETAIL, meeting_page.page_context(request, meeting))


@login_required
@require_GET
def meeting_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members download one meeting as an .ics file."""
    meeting = meeting_for_member(request.user, slug, pk)
    body = ics.calendar_for([meeting], name=meeting.circle.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{meeting.circle.slug}-{meeting.local_date:%Y-%m-%d}.ics"'
    )
    return response


@login_required
@require_POST
def meeting_rsvp(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members answer going / maybe / not going for any upcoming meeting."""
    meeting = meeting_for_participant(request.user, slug, pk)
    form = RsvpForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            rsvp = services.rsvp_set(
                meeting=meeting, user=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            if not request.htmx:
                if rsvp.waitlisted:
                    messages.info(request, "The seats are taken: you are on the waitlist.")
                else:
                    messages.success(request, f"Your answer: {rsvp.get_answer_display()}.")
    else:
        error = "Choose going, maybe or not going."
    if request.htmx and request.POST.get("row"):
        # From a row of the meetings list (or the circle page): answer with that row.
        return render(
            request, "meetings/list.html#meeting-row", _row_context(request, meeting, error)
        )
    if request.htmx:
        meeting.refresh_from_db()
        context = _detail_context(request, meeting, rsvp_error=error)
        return render(request, DETAIL + "#rsvp-response", context)
    if error:
        messages.error(request, error)
    next_url = request.POST.get("next", "")
    # Only a path on this site: redirect() would read anything else as a URL name (a 500).
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return _back(meeting, "rsvp-panel")


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
        data = form.cleaned_data
        try:
            meeting = services.meeting_add_one_off(
                circle=circle,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                venue_name=data["venue_name"],
                venue_address=data["venue_address"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Meeting added.")
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
        data = form.cleaned_data
        try:
            services.meeting_move(
                meeting=meeting,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                venue_name=data["venue_name"],
                venue_address=data["venue_address"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Meeting moved; members have been told.")
            return _back(meeting)
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
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Meeting cancelled; members have been told.")
        return _back(meeting)
    return render(request, "meetings/cancel.html", {"circle": meeting.circle, "meeting": meeting})


# --- Agenda -------------------------------------------------------------------------------------


def _agenda_response(request: HttpRequest, meeting: Meeting, error: str = "", **extra):
    if request.htmx:
        meeting.refresh_from_db()
        context = _detail_context(request, meeting, agenda_error=error, **extra)
        return render(request, DETAIL + "#agenda", context)
    if error:
        messages.error(request, error)
    return _back(meeting, "agenda")


@login_required
@require_POST
def topic_propose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members propose a topic while the agenda is open."""
    meeting = meeting_for_participant(request.user, slug, pk)
    form = TopicForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _agenda_response(request, meeting, topic_form=form)
        context = _detail_context(request, meeting, topic_form=form)
        return render(request, DETAIL, context, status=400)
    try:
        services.topic_propose(
            meeting=meeting,
            user=request.user,
            title=form.cleaned_data["title"],
            details=form.cleaned_data["details"],
        )
    except ValidationError as exc:
        return _agenda_response(request, meeting, _error_text(exc))
    return _agenda_response(request, meeting)


@login_required
@require_POST
def topic_vote(request: HttpRequest, slug: str, pk: int, topic_pk: int) -> HttpResponse:
    """Active members vote for a topic (up to the circle's votes per member) or take a vote back."""
    topic = topic_for_participant(request.user, slug, pk, topic_pk)
    try:
        if request.POST.get("action") == "unvote":
            services.topic_unvote(topic=topic, user=request.user)
        else:
            services.topic_vote(topic=topic, user=request.user)
    except ValidationError as exc:
        return _agenda_response(request, topic.meeting, _error_text(exc))
    return _agenda_response(request, topic.meeting)


@login_required
@require_POST
def topic_status(request: HttpRequest, slug: str, pk: int, topic_pk: int) -> HttpResponse:
    """Hosts mark a topic discussed, parked, or open again."""
    topic = topic_for_host(request.user, slug, pk, topic_pk)
    form = TopicStatusForm(request.POST)
    if not form.is_valid():
        return _agenda_response(request, topic.meeting, "Choose discussed, parked or open.")
    services.topic_set_status(topic=topic, status=form.cleaned_data["status"])
    return _agenda_response(request, topic.meeting)


@login_required
@require_POST
def topic_move(request: HttpRequest, slug: str, pk: int, topic_pk: int) -> HttpResponse:
    """Hosts move a topic up or down, which pins the agenda's order."""
    topic = topic_for_host(request.user, slug, pk, topic_pk)
    form = MoveTopicForm(request.POST)
    if not form.is_valid():
        return _agenda_response(request, topic.meeting, "Move a topic up or down.")
    services.agenda_move_topic(topic=topic, direction=form.cleaned_data["direction"])
    return _agenda_response(request, topic.meeting)


@login_required
@require_POST
def agenda_lock(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts lock the agenda (no new topics or votes) or open it again."""
    meeting = meeting_for_host(request.user, slug, pk)
    form = LockForm(request.POST)
    if not form.is_valid():
        return _agenda_response(request, meeting, "Lock or unlock the agenda.")
    services.agenda_set_locked(meeting=meeting, locked=form.cleaned_data["locked"])
    return _agenda_response(request, meeting)


@login_required
@require_POST
def agenda_unpin(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts return the agenda to ordering by votes."""
    meeting = meeting_for_host(request.user, slug, pk)
    services.agenda_unpin(meeting=meeting)
    return _agenda_response(request, meeting)


@login_required
@require_POST
def agenda_carry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts carry this meeting's parked topics to the next meeting's agenda, in one action."""
    meeting = meeting_for_host(request.user, slug, pk)
    try:
        target, count = services.agenda_carry_parked(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back(meeting, "agenda")
    messages.success(
        request, f"{count} parked topic{'s' if count != 1 else ''} carried to the next meeting."
    )
    return redirect(target.get_absolute_url() + "#agenda")


# --- After the meeting --------------------------------------------------------------------------


@login_required
@require_POST
def meeting_notes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts write the meeting's notes (markdown, sanitized when shown)."""
    meeting = meeting_for_host(request.user, slug, pk)
    form = NotesForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, meeting, notes_form=form)
        return render(request, DETAIL, context, status=400)
    services.meeting_notes_set(meeting=meeting, notes=form.cleaned_data["notes"])
    messages.success(request, "Notes saved.")
    return _back(meeting, "notes")


@login_required
@require_POST
def commitment_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members record (or clear) their one commitment for the next meeting."""
    meeting = meeting_for_participant(request.user, slug, pk)
    form = CommitmentForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, meeting, commitment_form=form)
        return render(request, DETAIL, context, status=400)
    try:
        services.commitment_set(meeting=meeting, user=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "Commitment saved.")
    return _back(meeting, "commitments")


@login_required
@require_POST
def attendance_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts mark a member attended or absent once the meeting has started."""
    meeting = meeting_for_host(request.user, slug, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose attended or absent for a member.")
        return _back(meeting, "attendance")
    membership = (
        Membership.objects.active()
        .filter(circle=meeting.circle, user_id=form.cleaned_data["user"])
        .select_related("user")
        .first()
    )
    if membership is None:
        messages.error(request, "That person is not a member of this circle.")
        return _back(meeting, "attendance")
    try:
        services.attendance_set(
            meeting=meeting, user=membership.user, attended=form.cleaned_data["attended"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _back(meeting, "attendance")


# --- Calendar feed (not under a circle) ---------------------------------------------


@login_required
@require_GET
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """A signed-in person sees their private feed URL, or a button to make one."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    return render(request, "meetings/calendar.html", {"feed": feed, "feed_url": feed_url})


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    """A signed-in person creates their feed URL or replaces it; the old URL stops working."""
    existed = CalendarFeed.objects.filter(user=request.user).exists()
    services.calendar_feed_rotate(user=request.user)
    messages.success(
        request,
        "New feed URL made; the old one no longer works." if existed else "Feed URL made.",
    )
    return redirect(reverse("calendar:settings"))


# A feed's body is kept this long. Its key changes with what it shows
# (_feed_version), so the time only bounds the memory, not how stale a feed is.
FEED_CACHE_SECONDS = 6 * 60 * 60
# Raise when calendar_for's output changes, so no body from before a deploy is served.
FEED_FORMAT = 1


def _feed_version(meetings: QuerySet[Meeting]) -> str:
    """What a feed shows, in one aggregate query over the same meetings.

    How many there are, and the latest change to any of them (moved,
    cancelled, renamed venue: ``updated_at``), to their circles (name, venue,
    link) or to the person's memberships in them (joined, left). A meeting
    that ends, a circle archived or left drops out and the count falls; one
    added raises it. RSVPs are not in the feed.
    """
    stamp = meetings.aggregate(
        count=Count("pk"),
        meetings=Max("updated_at"),
        circles=Max("circle__updated_at"),
        memberships=Max("circle__memberships__updated_at"),
    )
    text = repr((FEED_FORMAT, *sorted(stamp.items())))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the secret token gets that person's upcoming meetings; else 404.

    The token (and that its owner is active) is checked on every request, so a
    rotated token stops working at once. The body is cached in Redis under the
    owner, the token and ``_feed_version``: a request costs the token lookup and
    one aggregate query, and the calendar is rebuilt only after a change. The
    version is also the ETag, so a calendar app that polls with If-None-Match
    gets a 304 when nothing changed. ``private, no-cache``: the URL is a secret,
    no shared cache may keep it, and a client must ask again each time.
    """
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    user = feed.user
    if not user.is_active:
        raise hidden(CalendarFeed)
    meetings = Meeting.objects.for_member(user).upcoming()
    version = _feed_version(meetings)
    etag = quote_etag(version)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = f"calendar-feed:{user.pk}:{token}:{version}"
        body = cache.get(key)
        if body is None:
            ordered = meetings.select_related("circle").order_by("starts_at")
            body = ics.calendar_for(ordered, name="PeerTables meetings")
            cache.set(key, body, FEED_CACHE_SECONDS)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
