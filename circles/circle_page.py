"""What a circle's page shows, read in a fixed number of queries and rendered without a cache.

The page used to be kept per viewer (circles/member_pages.py) because it was
slow; it is now fast enough to render on every request (docs/PERFORMANCE.md,
"Circle page, uncached"):

1. the circle, with its next meeting as a subquery of the same SELECT;
2. its topics;
3. its memberships: the active ones with their people and sponsors, and the
   viewer's own in any status, in one query. Hosts, members, seats and the
   viewer's place all come from these rows;
4. for hosts only, the open join requests ("Join requests (n)").

The meetings and posts sections are the meetings and conversations apps' own
template tags (one query each). Nothing here is kept between requests, so a
member who is removed or suspended sees nothing of the inside on their next
request: the access check runs first, every time.
"""

from __future__ import annotations

import datetime as dt
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


MEMBER_COLUMNS = (
    "circle_id",
    "role",
    "status",
    "joined_at",
    "user__display_name",
    "user__email",
    "invited_by__display_name",
    "invited_by__email",
)


def circles_for_page() -> QuerySet[Circle]:
    """Circles with what the header needs: the next meeting and the topics.

    The seats taken are counted from the member rows (``page_context``).
    """
    circles = Circle.objects.prefetch_related("topics")
    return annotations.annotate(annotations.NEXT_MEETING, circles)


def memberships_for_page(circle: Circle, user) -> list[Membership]:
    """Active members with their people and sponsors, plus the viewer's own row in any status."""
    wanted = Q(status=Status.ACTIVE)
    if user.is_authenticated:
        wanted |= Q(user=user)
    # Only the columns the page shows: a member row with two whole users parses a dozen
    # datetimes and the password hash for nothing.
    return list(
        Membership.objects.filter(wanted, circle=circle)
        .select_related("user", "invited_by")
        .only(*MEMBER_COLUMNS)
        .order_by("joined_at", "pk")
    )


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
    rows = memberships_for_page(circle, user)
    members = sorted(
        (m for m in rows if m.status == Status.ACTIVE), key=lambda m: ROLE_ORDER.get(m.role, 3)
    )
    labels = {value: str(label) for value, label in Role.choices}  # translated once, not per row
    for member in members:
        member.role_label = labels.get(member.role, member.role)
    circle.active_member_count = len(members)  # for Circle.seats_open()
    membership = next((m for m in rows if user.is_authenticated and m.user_id == user.pk), None)
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
        "topics": list(circle.topics.all()),
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
