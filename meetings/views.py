"""The meeting page: when and where, who is coming, the agenda, notes and commitments.

The actions on it live with their page family (``schedule_views``: the list,
RSVPs, one-offs, moves and cancellations; ``agenda_views``; ``record_views``:
notes, commitments, attendance; ``calendar_views``: .ics and the feed); they
answer htmx with fragments of this page, built from ``_detail_context``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from circles import member_pages
from circles.access import membership_of
from circles.models import Membership
from meetings import services
from meetings.access import meeting_for_member
from meetings.forms import CommitmentForm, NotesForm, TopicForm
from meetings.models import Answer, Meeting, Rsvp, TopicStatus, Vote
from meetings.view_common import DETAIL


def _detail_context(request: HttpRequest, meeting: Meeting, **extra) -> dict:
    """Everything the meeting page shows, in a fixed number of queries."""
    user = request.user
    circle = meeting.circle
    membership = membership_of(user, circle)
    is_host = membership is not None and membership.is_host

    rsvps = list(meeting.rsvps.select_related("user").order_by("updated_at", "pk"))
    going = [r for r in rsvps if r.answer == Answer.GOING and not r.waitlisted]
    waitlist = sorted((r for r in rsvps if r.waitlisted), key=lambda r: (r.waitlisted_at, r.pk))
    maybe = [r for r in rsvps if r.answer == Answer.MAYBE]
    my_rsvp = next((r for r in rsvps if r.user_id == user.pk), None)
    my_waitlist_place = next(
        (place for place, r in enumerate(waitlist, start=1) if r.user_id == user.pk), None
    )

    topics = list(
        meeting.topics.with_votes()
        .select_related("author")
        .in_agenda_order(pinned=meeting.agenda_pinned)
    )
    my_votes = set(
        Vote.objects.filter(meeting=meeting, user=user).values_list("topic_id", flat=True)
    )
    for topic in topics:
        topic.voted = topic.pk in my_votes

    previous = services.previous_meeting_before(meeting)
    last_commitments = list(previous.commitments.select_related("user")) if previous else []
    commitments = list(meeting.commitments.select_related("user"))
    my_commitment = next((c for c in commitments if c.user_id == user.pk), None)

    attendance_rows = []
    if is_host and meeting.has_started and not meeting.is_cancelled:
        marks = {a.user_id: a.attended for a in meeting.attendance.all()}
        attendance_rows = [
            (m.user, marks.get(m.user_id))
            for m in Membership.objects.active().filter(circle=circle).select_related("user")
        ]

    context = {
        "circle": circle,
        "meeting": meeting,
        "is_host": is_host,
        "is_member": membership is not None,
        "my_waitlist_place": my_waitlist_place,
        "has_parked": any(t.status == TopicStatus.PARKED and not t.is_carried for t in topics),
        "going": going,
        "maybe": maybe,
        "waitlist": waitlist,
        "my_rsvp": my_rsvp,
        "seat_limit": circle.seat_limit,
        "seats_left": max(circle.seat_limit - len(going), 0),
        "answers": Answer.choices,
        "topics": topics,
        "votes_left": max(circle.votes_per_member - len(my_votes), 0),
        "agenda_open": not (meeting.agenda_locked or meeting.has_started or meeting.is_cancelled),
        "topic_form": TopicForm(),
        "previous": previous,
        "last_commitments": last_commitments,
        "commitments": commitments,
        "commitment_form": CommitmentForm(instance=my_commitment),
        "notes_form": NotesForm(initial={"notes": meeting.notes}),
        "attendance_rows": attendance_rows,
    }
    context.update(extra)
    return context


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


@login_required
@require_GET
@vary_on_headers("HX-Request")
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members (and staff) see when and where, who is coming, the agenda and notes."""
    keeper = member_pages.circle_page(request, "meeting", slug, pk)
    if keeper.page is not None:
        return keeper.response()
    meeting = meeting_for_member(request.user, slug, pk)
    # Answers, proposals and votes close as the meeting starts.
    fresh_until = member_pages.soonest(meeting.starts_at, meeting.ends_at)
    return keeper.render(DETAIL, _detail_context(request, meeting), fresh_until=fresh_until)
