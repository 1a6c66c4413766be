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
from circles.models import Membership
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


def meeting_with_role(user: User | AnonymousUser, slug: str, pk: int) -> Meeting:
    """``meeting_for_member`` in one query, with the viewer's role on ``viewer_role``.

    The meeting page's check: the meeting, its circle and the viewer's active
    membership's role (None for staff who are not members) in one row. Whenever
    that row does not let the person in, ``meeting_for_member`` decides, so a
    404 reads word for word as it does everywhere else.
    """
    if user.is_authenticated:
        role = Membership.objects.active().filter(circle=OuterRef("circle"), user=user)
        meeting = (
            Meeting.objects.select_related("circle")
            .annotate(viewer_role=Subquery(role.values("role")[:1]))
            .filter(circle__slug=slug, pk=pk)
            .first()
        )
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
