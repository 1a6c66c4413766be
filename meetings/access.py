"""Who may see or act on a meeting. Views never decide by hand.

Outsiders get a 404 (a private circle's meetings do not exist for them);
members who are not hosts get a 403 for host actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from circles.access import circle_for_host, circle_for_member, membership_of
from circles.models import Circle, Membership
from config.compiled import CompiledQuery
from meetings.models import AgendaTopic, Meeting

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def meeting_for_member(user: User | AnonymousUser, slug: str, pk: int) -> Meeting:
    """A meeting of a circle this person is an active member of (or staff)."""
    circle = circle_for_member(user, slug)
    meeting = get_object_or_404(Meeting, circle=circle, pk=pk)
    meeting.circle = circle
    return meeting


_MEETING_FIELDS = [field.attname for field in Meeting._meta.concrete_fields]
_CIRCLE_FIELDS = [f"circle__{field.attname}" for field in Circle._meta.concrete_fields]


def _meeting_with_role_query(slug: str, pk: int, user_id: int):
    role = Membership.objects.active().filter(circle=OuterRef("circle"), user_id=user_id)
    return (
        Meeting.objects.filter(circle__slug=slug, pk=pk)
        .annotate(viewer_role=Subquery(role.values("role")[:1]))
        .values_list(*_MEETING_FIELDS, *_CIRCLE_FIELDS, "viewer_role")
        .order_by()
    )


# Compiled once per process (config/compiled.py): the page runs it on every request.
_MEETING_WITH_ROLE = CompiledQuery(
    _meeting_with_role_query, slug="\x00slug", pk=-(2**62) + 1, user_id=-(2**62) + 2
)


def _meeting_from_row(row) -> Meeting:
    meetings = len(_MEETING_FIELDS)
    meeting = Meeting.from_db("default", None, row[:meetings])
    meeting.circle = Circle.from_db("default", None, row[meetings:-1])
    meeting.viewer_role = row[-1]
    return meeting


def meeting_with_role(user: User | AnonymousUser, slug: str, pk: int) -> Meeting:
    """``meeting_for_member`` in one query, with the viewer's role on ``viewer_role``.

    The meeting page's check: the meeting, its circle and the viewer's active
    membership's role (None for staff who are not members) in one row. Whenever
    that row does not let the person in, ``meeting_for_member`` decides, so a
    404 reads word for word as it does everywhere else.
    """
    if user.is_authenticated:
        rows = _MEETING_WITH_ROLE.rows(slug=slug, pk=pk, user_id=user.pk)
        meeting = _meeting_from_row(rows[0]) if rows else None
        if meeting is not None and (meeting.viewer_role is not None or user.is_staff):
            return meeting
    meeting = meeting_for_member(user, slug, pk)
    membership = membership_of(user, meeting.circle)
    meeting.viewer_role = membership.role if membership is not None else None
    return meeting


def meeting_for_participant(user: User | AnonymousUser, slug: str, pk: int) -> Meeting:
    """A meeting this person may answer for and add to: active members only.

    Staff who are not members see the page (404 rules as for members) but get
    403 here: they may look, not RSVP, propose or vote.
    """
    meeting = meeting_for_member(user, slug, pk)
    if membership_of(user, meeting.circle) is None:
        raise PermissionDenied
    return meeting


def meeting_for_host(user: User | AnonymousUser, slug: str, pk: int) -> Meeting:
    """A meeting of a circle this person hosts or co-hosts (403 for other members)."""
    circle = circle_for_host(user, slug)
    meeting = get_object_or_404(Meeting, circle=circle, pk=pk)
    meeting.circle = circle
    return meeting


def topic_for_participant(
    user: User | AnonymousUser, slug: str, pk: int, topic_pk: int
) -> AgendaTopic:
    """An agenda topic an active member may vote on."""
    meeting = meeting_for_participant(user, slug, pk)
    topic = get_object_or_404(AgendaTopic, meeting=meeting, pk=topic_pk)
    topic.meeting = meeting
    return topic


def topic_for_host(user: User | AnonymousUser, slug: str, pk: int, topic_pk: int) -> AgendaTopic:
    meeting = meeting_for_host(user, slug, pk)
    topic = get_object_or_404(AgendaTopic, meeting=meeting, pk=topic_pk)
    topic.meeting = meeting
    return topic
