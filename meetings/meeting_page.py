"""What the meeting page shows, read in a few queries whose number does not grow.

The page (``meetings/detail.html``) and its htmx fragments (the RSVP panel, the
agenda) are rendered from ``page_context``. For an upcoming meeting that is four
queries after the session: the meeting with its circle and the viewer's role
(meetings.access.meeting_with_role), the RSVPs with their people, the agenda
topics with their vote counts, authors and the viewer's votes, and the
commitments made at the previous meeting. A started meeting adds its own
commitments, and for a host the members to mark with their attendance.

The four reads are ORM queries compiled to SQL once per process
(config/compiled.py) and read as tuples, not model instances. Nothing that
a person sees is kept between requests except what is the same for every
viewer: the empty topic form's HTML per language, a meeting's long date line
per language, and the page's URLs with markers for the slug and ids (one
reverse() a name per process, config/urlshapes.py). Per-row work is done once
per page in Python (the agenda's rows in meetings/agenda_rows.py, the lists of
people and commitments here, with str.format and escape; markdown stored when it is
written: AgendaTopic.details_html), so the template only writes out values;
docs/PERFORMANCE.md ("Meeting page, uncached") has the measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from html import escape  # django.utils.html.escape without its lazy-string wrapper
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from circles.access import membership_of
from circles.models import HOST_ROLES, Membership
from config.compiled import CompiledQuery
from config.forms import csrf_input
from config.urlshapes import ID_MARKS, SLUG_MARK, UrlShapes
from meetings import agenda_rows, timefmt
from meetings.forms import CommitmentForm, NotesForm, TopicForm
from meetings.models import (
    AgendaTopic,
    Answer,
    Attendance,
    Commitment,
    Meeting,
    Rsvp,
    TopicStatus,
    Vote,
    stored_html,
)
from members.models import shown_name

# Every URL on the page is reversed once per process with markers in place of the
# slug and ids (config/urlshapes.py), then each page swaps its own in. The topic
# marker stays in the topic URLs until each agenda row swaps its topic's id in
# (meetings/agenda_rows.py).
_MEETING_URLS = (
    "detail", "ics", "rsvp", "move", "cancel", "topic_propose", "agenda_lock",
    "agenda_unpin", "agenda_carry", "notes", "commitment", "attendance",
)  # fmt: skip
_TOPIC_URLS = ("topic_vote", "topic_move", "topic_status")


def _build_urls(slug: str, meeting: str, topic: str) -> dict[str, str]:
    """The page's URLs with these markers in."""
    kwargs = {"slug": slug, "pk": meeting}
    urls = {name: reverse(f"meetings:{name}", kwargs=kwargs) for name in _MEETING_URLS}
    for name in _TOPIC_URLS:
        urls[name] = reverse(f"meetings:{name}", kwargs={**kwargs, "topic_pk": topic})
    urls["list"] = reverse("meetings:list", kwargs={"slug": slug})
    urls["circle"] = reverse("circles:detail", kwargs={"slug": slug})
    return urls


_URLS = UrlShapes(_build_urls, slug=SLUG_MARK, meeting=ID_MARKS[1], topic=ID_MARKS[0])


@lru_cache(maxsize=32)
def _blank_form_html(form_class: type[forms.BaseForm], language: str | None) -> SafeString:
    """An empty form's fields as HTML: the same for every viewer and meeting, per language."""
    return form_class().as_div()


def _role(request: HttpRequest, meeting: Meeting) -> str | None:
    """The viewer's active role: read with the meeting by meeting_with_role, else asked."""
    if hasattr(meeting, "viewer_role"):
        return meeting.viewer_role
    membership = membership_of(request.user, meeting.circle)
    return membership.role if membership is not None else None


# The page's reads, compiled once per process (config/compiled.py) and read as
# tuples into the small rows below: the ORM's building of each query and of a model
# instance a row cost more than PostgreSQL's answer. The markers stand for the
# request's values.
_MEETING_ID = -(2**62) + 11
_USER_ID = -(2**62) + 12
_CIRCLE_ID = -(2**62) + 13


def _person_name(display_name: str | None, email: str | None) -> str | None:
    """What User.name reads, from the two columns; None for a deleted account."""
    return shown_name(display_name, email) if email is not None else None


@dataclass(slots=True)
class RsvpRow:
    pk: int
    user_id: int
    answer: str
    waitlisted: bool
    waitlisted_at: Any
    name: str

    def get_answer_display(self) -> str:
        return Answer(self.answer).label


_RSVPS = CompiledQuery(
    lambda meeting_id: (
        Rsvp.objects.filter(meeting_id=meeting_id)
        .order_by("updated_at", "pk")
        .values_list(
            "pk",
            "user_id",
            "answer",
            "waitlisted",
            "waitlisted_at",
            "user__display_name",
            "user__email",
        )
    ),  # fmt: skip
    meeting_id=_MEETING_ID,
)


def _rsvps(meeting: Meeting) -> list[RsvpRow]:
    return [
        RsvpRow(pk, user_id, answer, waitlisted, waitlisted_at, _person_name(name, email))
        for pk, user_id, answer, waitlisted, waitlisted_at, name, email in _RSVPS.rows(
            meeting_id=meeting.pk
        )
    ]


@dataclass(slots=True)
class TopicRow:
    pk: int
    title: str
    details: str
    details_html: str
    status: str
    carried_from_id: int | None
    author_name: str | None
    vote_count: int
    is_carried: bool
    voted: bool

    def get_status_display(self) -> str:
        return TopicStatus(self.status).label

    def details_as_html(self) -> SafeString:
        return stored_html(self.details, self.details_html)


def _topics_query(meeting_id: int, user_id: int, *, pinned: bool):
    voted = Vote.objects.filter(topic=OuterRef("pk"), user_id=user_id)
    return (
        AgendaTopic.objects.filter(meeting_id=meeting_id)
        .with_votes()
        .annotate(voted=Exists(voted))
        .in_agenda_order(pinned=pinned)
        .values_list(
            "pk",
            "title",
            "details",
            "details_html",
            "status",
            "carried_from_id",
            "author__display_name",
            "author__email",
            "vote_count",
            "is_carried",
            "voted",
        )  # fmt: skip
    )


# One per agenda order: votes first, or the host's pinned order.
_TOPICS = {
    pinned: CompiledQuery(
        partial(_topics_query, pinned=pinned), meeting_id=_MEETING_ID, user_id=_USER_ID
    )
    for pinned in (False, True)
}


def _topics(meeting: Meeting, user) -> list[TopicRow]:
    rows = _TOPICS[bool(meeting.agenda_pinned)].rows(meeting_id=meeting.pk, user_id=user.pk)
    return [
        TopicRow(pk, title, details, details_html, status, carried_from_id,
                 _person_name(name, email), vote_count, bool(is_carried), bool(voted))
        for (pk, title, details, details_html, status, carried_from_id, name, email, vote_count,
             is_carried, voted) in rows
    ]  # fmt: skip


def _last_commitments_query(meeting_id: int, circle_id: int):
    this = Meeting.objects.filter(pk=meeting_id).values("starts_at")
    previous = (
        Meeting.objects.scheduled()
        .filter(circle_id=circle_id, starts_at__lt=Subquery(this))
        .order_by("-starts_at", "-pk")
        .values("pk")[:1]
    )
    return (
        Commitment.objects.filter(meeting_id=Subquery(previous))
        .order_by("created_at", "pk")
        .values_list("meeting__local_date", "user__display_name", "user__email", "text")
    )


_LAST_COMMITMENTS = CompiledQuery(
    _last_commitments_query, meeting_id=_MEETING_ID, circle_id=_CIRCLE_ID
)


def _last_commitments(meeting: Meeting) -> tuple[Any, list[tuple[str, str]]]:
    """The previous scheduled meeting's day and its commitments (name, text), in one query."""
    rows = _LAST_COMMITMENTS.rows(meeting_id=meeting.pk, circle_id=meeting.circle_id)
    day = rows[0][0] if rows else None
    return day, [(_person_name(name, email), text) for _, name, email, text in rows]


_PERSON_ITEM = "<li>{}</li>"
_COMMITMENT_ITEM = "<li><strong>{}</strong>: {}</li>"


def _items(template: str, rows) -> SafeString:
    """List items written once in Python, each value (a name, a text) escaped."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join([template.format(*[escape(value) for value in row]) for row in rows])
    )


def _attendance_rows(meeting: Meeting) -> list[tuple[Any, bool | None]]:
    """Every active member with their mark for this meeting (None: not marked), in one query."""
    mark = Attendance.objects.filter(meeting=meeting, user=OuterRef("user_id"))
    members = (
        Membership.objects.active()
        .filter(circle_id=meeting.circle_id)
        .select_related("user")
        .annotate(attended=Subquery(mark.values("attended")[:1]))
    )
    return [(membership.user, membership.attended) for membership in members]


def page_context(request: HttpRequest, meeting: Meeting, **extra) -> dict[str, Any]:
    """Everything the meeting page and its fragments show; ``extra`` adds or overrides."""
    user = request.user
    circle = meeting.circle
    role = _role(request, meeting)
    is_member = role is not None
    is_host = role in HOST_ROLES

    rsvps = _rsvps(meeting)
    going = [r for r in rsvps if r.answer == Answer.GOING and not r.waitlisted]
    waitlist = sorted((r for r in rsvps if r.waitlisted), key=lambda r: (r.waitlisted_at, r.pk))
    maybe = [r for r in rsvps if r.answer == Answer.MAYBE]
    my_rsvp = next((r for r in rsvps if r.user_id == user.pk), None)
    my_waitlist_place = next(
        (place for place, r in enumerate(waitlist, start=1) if r.user_id == user.pk), None
    )
    my_answer = my_rsvp.answer if my_rsvp is not None else None

    topics = _topics(meeting, user)
    votes_left = max(circle.votes_per_member - sum(1 for t in topics if t.voted), 0)
    agenda_open = not (meeting.agenda_locked or meeting.has_started or meeting.is_cancelled)
    # One CSRF token for the page: the forms' field and, through "csrf_token" (which
    # overrides the context processor's), base.html's and the header's.
    csrf_token = get_token(request)
    csrf = csrf_input(csrf_token)
    # The meeting's id goes in before the slug, as it always has (a slug may hold digits).
    urls = _URLS.urls(meeting=str(meeting.pk), slug=circle.slug)

    previous_day, last_commitments = _last_commitments(meeting)
    started = meeting.has_started
    topic_rows = agenda_rows.topic_rows(
        topics, urls=urls, topic_mark=_URLS.markers["topic"], csrf=csrf,
        can_vote=agenda_open and is_member, votes_left=votes_left, is_host=is_host,
    )  # fmt: skip
    seats_left = max(circle.seat_limit - len(going), 0)
    context = {
        "circle": circle,
        "meeting": meeting,
        "urls": urls,
        "csrf_input": csrf,
        "csrf_token": csrf_token,
        "when": timefmt.when_kept(meeting.starts_at, meeting.ends_at, circle.zone),
        "when_viewer": timefmt.viewer_when(
            meeting.starts_at, circle.zone, getattr(user, "time_zone", None)
        ),
        "is_host": is_host,
        "is_member": is_member,
        "my_waitlist_place": my_waitlist_place,
        "has_parked": any(t.status == TopicStatus.PARKED and not t.is_carried for t in topics),
        "going": going,
        "maybe": maybe,
        "waitlist": waitlist,
        "going_items": _items(_PERSON_ITEM, [(r.name,) for r in going]),
        "maybe_items": _items(_PERSON_ITEM, [(r.name,) for r in maybe]),
        "waitlist_items": _items(_PERSON_ITEM, [(r.name,) for r in waitlist]),
        "my_rsvp": my_rsvp,
        "seat_limit": circle.seat_limit,
        "seats_left": seats_left,
        "answers": [(value, label, value == my_answer) for value, label in Answer.choices],
        "topics": topics,
        "topic_rows": topic_rows,
        "votes_left": votes_left,
        "agenda_open": agenda_open,
        "topic_form": _blank_form_html(TopicForm, translation.get_language()),
        "previous_day": previous_day,
        "last_commitments": _items(_COMMITMENT_ITEM, last_commitments),
    }
    if started and not meeting.is_cancelled:
        # Notes, commitments and attendance show once the meeting has started.
        commitments = list(meeting.commitments.select_related("user"))
        my_commitment = next((c for c in commitments if c.user_id == user.pk), None)
        context["commitments"] = _items(
            _COMMITMENT_ITEM, [(c.user.name, c.text) for c in commitments]
        )
        context["commitment_form"] = CommitmentForm(instance=my_commitment) if is_member else None
        context["notes_form"] = NotesForm(initial={"notes": meeting.notes}) if is_host else None
        context["attendance_rows"] = _attendance_rows(meeting) if is_host else []
    context.update(extra)
    return context
