"""What a circle's page shows, read in a fixed number of queries and rendered without a cache.

The page used to be kept per viewer (circles/member_pages.py) because it was
slow; it is now fast enough to render on every request (docs/PERFORMANCE.md,
"Circle page, uncached"):

1. the circle, with its next meeting as a subquery of the same SELECT;
2. its topics' names;
3. its memberships: the active ones with their people's and sponsors' names, and
   the viewer's own in any status, in one query. Hosts, members, seats and the
   viewer's place all come from these rows;
4. for hosts only, the open join requests ("Join requests (n)").

The meetings and posts sections are the meetings and conversations apps' own
template tags (one query each). Nothing here is kept between requests, so a
member who is removed or suspended sees nothing of the inside on their next
request: the access check runs first, every time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Q

from circles import access, annotations
from circles.models import HOST_ROLES, Circle, Membership, Role, Status

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

# Hosts first, then co-hosts, then members; each group in the order they joined.
ROLE_ORDER = {Role.HOST: 0, Role.CO_HOST: 1, Role.MEMBER: 2}


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One line of the page's member list: plain values, no model rows to build per member."""

    pk: int
    user_id: int
    name: str
    role: str
    role_label: str
    sponsor: str  # the sponsor's name, or ""


def _name(display_name: str | None, email: str | None) -> str:
    """members.User.name, from the two columns it reads."""
    return display_name or (email or "").split("@", 1)[0]


def circles_for_page() -> QuerySet[Circle]:
    """Circles with what the header needs besides their own columns: the next meeting.

    The seats taken are counted from the member rows (``page_context``).
    """
    return annotations.annotate(annotations.NEXT_MEETING, Circle.objects.all())


def memberships_for_page(circle: Circle, user) -> tuple[list[MemberRow], Membership | None]:
    """The active members, hosts first, and the viewer's own membership in any status.

    One query for both. The rows are read as values, not as a membership and two
    users each: a model instance per member and sponsor costs more than the rest
    of the list.
    """
    wanted = Q(status=Status.ACTIVE)
    if user.is_authenticated:
        wanted |= Q(user=user)
    rows = (
        Membership.objects.filter(wanted, circle=circle)
        .order_by("joined_at", "pk")
        .values_list(
            "pk",
            "user_id",
            "role",
            "status",
            "invited_by_id",
            "user__display_name",
            "user__email",
            "invited_by__display_name",
            "invited_by__email",
        )
    )
    labels = {value: str(label) for value, label in Role.choices}  # translated once per page
    members: list[MemberRow] = []
    mine = None
    for pk, user_id, role, status, sponsor_id, name, email, sponsor_name, sponsor_email in rows:
        if user.is_authenticated and user_id == user.pk:
            mine = Membership(
                pk=pk, circle=circle, user_id=user_id, role=role, status=status,
                invited_by_id=sponsor_id,
            )  # fmt: skip
        if status == Status.ACTIVE:
            sponsor = _name(sponsor_name, sponsor_email) if sponsor_id else ""
            label = labels.get(role, role)
            members.append(MemberRow(pk, user_id, _name(name, email), role, label, sponsor))
    members.sort(key=lambda m: ROLE_ORDER.get(m.role, 3))
    return members, mine


def viewer_zone(request: HttpRequest, circle: Circle) -> ZoneInfo:
    """The zone a person reads times in: their own when signed in, else the circle's."""
    if request.user.is_authenticated and request.user.time_zone:
        try:
            return ZoneInfo(request.user.time_zone)
        except (ValueError, KeyError):
            pass
    return circle.zone


def next_start(circle: Circle) -> dt.datetime:
    """The next meeting's start in the circle's own zone (its schedule when none is stored)."""
    if getattr(circle, "next_meeting_at", None) is not None:
        return circle.next_meeting_at.astimezone(circle.zone)
    return circle.next_starts()[0]


def page_context(request: HttpRequest, slug: str) -> dict[str, object]:
    """Everything templates/circles/detail.html shows, after the access check (404 first)."""
    user = request.user
    circle = access.circle_for_viewer(user, slug, circles_for_page())
    members, membership = memberships_for_page(circle, user)
    circle.active_member_count = len(members)  # for Circle.seats_open()
    # The meetings and posts tags ask membership_of(); this answers them without a query.
    access.remember_membership(user, circle, membership)
    is_member = membership is not None and membership.status == Status.ACTIVE
    is_host = is_member and membership.role in HOST_ROLES
    sees_inside = is_member or user.is_staff
    zone = viewer_zone(request, circle)
    start = next_start(circle)
    context: dict[str, object] = {
        "circle": circle,
        "membership": membership,
        "is_member": is_member,
        "sees_inside": sees_inside,
        "is_host": is_host,
        "hosts": [m for m in members if m.role in HOST_ROLES],
        "topics": list(circle.topics.values_list("name", flat=True)),
        "seats_open": circle.seats_open(),
        "viewer_zone": zone,
        "next_start": start,
        "viewer_time": start.astimezone(zone) if str(zone) != circle.time_zone else None,
    }
    if sees_inside:
        context["members"] = members
        context["may_invite"] = access.may_invite(membership, circle)
        if is_host:  # a query for hosts only, not a subquery in every viewer's SELECT
            context["request_count"] = Membership.objects.filter(
                circle=circle, status=Status.REQUESTED
            ).count()
    return context
