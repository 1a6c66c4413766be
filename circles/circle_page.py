"""What a circle's page shows, read in a fixed number of queries and rendered without a cache.

The page used to be kept per viewer (circles/member_pages.py) because it was
slow; it is now fast enough to render on every request (docs/PERFORMANCE.md,
"Circle page, uncached"):

1. the circle, if this person may see it, with its next meeting as a subquery of
   the same SELECT (the access check: anyone else gets the 404);
2. its topics' names;
3. its memberships: the active ones with their people's and sponsors' names, and
   the viewer's own in any status, in one query. Hosts, members, seats and the
   viewer's place all come from these rows;
4. for hosts only, the number of open join requests ("Join requests (n)").

The meetings and posts sections are the meetings and conversations apps' own
template tags (one query each). The four reads are ORM queries compiled to SQL
once per process (config/compiled.py) and read as tuples; the page's links are
reversed once per process (config/urlshapes.py). Nothing a person sees is kept
between requests, so a member who is removed or suspended sees nothing of the
inside on their next request: the access check runs first, every time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from circles import access, annotations
from circles.models import HOST_ROLES, Circle, Membership, Role, Status
from config.compiled import CompiledQuery
from config.urlshapes import SLUG_MARK, UrlShapes
from members.models import shown_name

if TYPE_CHECKING:
    from django.http import HttpRequest

# Hosts first, then co-hosts, then members; each group in the order they joined.
ROLE_ORDER = {Role.HOST: 0, Role.CO_HOST: 1, Role.MEMBER: 2}

# Marker values compiled into the SQL in place of each request's own (config/compiled.py).
_CIRCLE_ID = -(2**62) + 21
_USER_ID = -(2**62) + 22
_NOW = dt.datetime(1901, 1, 1, 0, 0, 21, tzinfo=dt.UTC)
_CIRCLE_FIELDS = tuple(field.attname for field in Circle._meta.concrete_fields)


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One line of the page's member list: plain values, no model rows to build per member."""

    pk: int
    user_id: int
    name: str
    role: str
    role_label: str
    sponsor: str  # the sponsor's name, or ""


def _circles(viewer, slug: str, now: dt.datetime):
    """The circle ``viewer`` (a stand-in for a kind of person) may open, with its next meeting."""
    circles = annotations.annotate(annotations.NEXT_MEETING, Circle.objects.all(), now=now)
    return (
        circles.visible_to(viewer).filter(slug=slug).values_list(*_CIRCLE_FIELDS, "next_meeting_at")
    )


def _stand_in(**fields):
    """A person who is never saved: the compiled query's viewer, with the marker for their id."""
    return get_user_model()(**fields)


# One compiled query per kind of viewer, since visible_to() writes a different WHERE for each.
_CIRCLE_FOR = {
    "signed_out": CompiledQuery(
        lambda slug, now: _circles(None, slug, now), slug=SLUG_MARK, now=_NOW
    ),
    "staff": CompiledQuery(
        lambda slug, now: _circles(_stand_in(is_staff=True), slug, now), slug=SLUG_MARK, now=_NOW
    ),
    "signed_in": CompiledQuery(
        lambda slug, now, user_id: _circles(_stand_in(pk=user_id), slug, now),
        slug=SLUG_MARK,
        now=_NOW,
        user_id=_USER_ID,
    ),
}


def circle_for_page(user, slug: str) -> Circle:
    """The circle with ``next_meeting_at``, if this person may see its page; else the 404."""
    values = {"slug": slug, "now": timezone.now()}
    if not user.is_authenticated:
        query = _CIRCLE_FOR["signed_out"]
    elif user.is_staff:
        query = _CIRCLE_FOR["staff"]
    else:
        query, values["user_id"] = _CIRCLE_FOR["signed_in"], user.pk
    rows = query.rows(**values)
    if not rows:
        raise access.hidden(Circle)
    *fields, next_meeting_at = rows[0]
    circle = Circle.from_db("default", _CIRCLE_FIELDS, fields)
    circle.next_meeting_at = next_meeting_at
    return circle


_MEMBER_COLUMNS = (
    "pk", "user_id", "role", "status", "invited_by_id", "user__display_name", "user__email",
    "invited_by__display_name", "invited_by__email",
)  # fmt: skip


def _memberships(circle_id: int, user_id: int | None = None):
    wanted = Q(status=Status.ACTIVE)
    if user_id is not None:
        wanted |= Q(user_id=user_id)
    return (
        Membership.objects.filter(wanted, circle_id=circle_id)
        .order_by("joined_at", "pk")
        .values_list(*_MEMBER_COLUMNS)
    )


_MEMBERSHIPS = CompiledQuery(_memberships, circle_id=_CIRCLE_ID)
_MEMBERSHIPS_AND_MINE = CompiledQuery(_memberships, circle_id=_CIRCLE_ID, user_id=_USER_ID)
_TOPICS = CompiledQuery(
    lambda circle_id: (
        Circle.topics.through.objects.filter(circle_id=circle_id)
        .order_by("pk")
        .values_list("topic__name")
    ),
    circle_id=_CIRCLE_ID,
)
_REQUEST_COUNT = CompiledQuery(
    lambda circle_id: (
        Membership.objects.filter(circle_id=circle_id, status=Status.REQUESTED)
        .order_by()
        .values("circle_id")
        .annotate(count=Count("pk"))
        .values_list("count")
    ),
    circle_id=_CIRCLE_ID,
)


def memberships_for_page(circle: Circle, user) -> tuple[list[MemberRow], Membership | None]:
    """The active members, hosts first, and the viewer's own membership in any status.

    One query for both. The rows are read as values, not as a membership and two
    users each: a model instance per member and sponsor costs more than the rest
    of the list.
    """
    if user.is_authenticated:
        rows = _MEMBERSHIPS_AND_MINE.rows(circle_id=circle.pk, user_id=user.pk)
    else:
        rows = _MEMBERSHIPS.rows(circle_id=circle.pk)
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
            sponsor = shown_name(sponsor_name, sponsor_email) if sponsor_id else ""
            label = labels.get(role, role)
            members.append(MemberRow(pk, user_id, shown_name(name, email), role, label, sponsor))
    members.sort(key=lambda m: ROLE_ORDER.get(m.role, 3))
    return members, mine


# One member of the list, written in Python rather than by a template loop (a
# dozen rows of lookups and a blocktranslate each cost more than the rest of the
# header). The whitespace is the loop's, so the page reads as it did.
_MEMBER = (
    '\n            <li class="member-row" id="member-{pk}">'
    '\n              <span class="member-name">{name}</span>'
    '\n              <span class="role role-{role}">{role_label}</span>'
    "\n              {sponsor}"
    "\n            </li>\n          "
)
_SPONSOR = '<span class="meta sponsor">{}</span>'


def members_html(members: list[MemberRow]) -> SafeString:
    """The member list's <li>s; every name and label is escaped here."""
    sponsored_by = gettext("sponsored by %(name)s")
    rows = [
        _MEMBER.format(
            pk=member.pk,
            name=escape(member.name),
            role=escape(member.role),
            role_label=escape(member.role_label),
            sponsor=_SPONSOR.format(escape(sponsored_by % {"name": member.sponsor}))
            if member.sponsor
            else "",
        )
        for member in members
    ]
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


def _page_urls(slug: str) -> dict[str, str]:
    names = ("invitations", "members", "requests", "edit", "archive", "leave", "join")
    urls = {name: reverse(f"circles:{name}", kwargs={"slug": slug}) for name in names}
    urls["flags"] = reverse("moderation:queue", kwargs={"slug": slug})
    urls["detail"] = reverse("circles:detail", kwargs={"slug": slug})
    return urls


_URLS = UrlShapes(_page_urls, slug=SLUG_MARK)


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
    circle = circle_for_page(user, slug)
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
        "urls": _URLS.urls(slug=circle.slug),
        "membership": membership,
        "is_member": is_member,
        "sees_inside": sees_inside,
        "is_host": is_host,
        "hosts": [m for m in members if m.role in HOST_ROLES],
        "topics": [name for (name,) in _TOPICS.rows(circle_id=circle.pk)],
        "seats_open": circle.seats_open(),
        "viewer_zone": zone,
        "next_start": start,
        "viewer_time": start.astimezone(zone) if str(zone) != circle.time_zone else None,
    }
    if sees_inside:
        context["members"] = members
        context["members_html"] = members_html(members)
        context["may_invite"] = access.may_invite(membership, circle)
        if is_host:  # a query for hosts only, not a subquery in every viewer's SELECT
            counted = _REQUEST_COUNT.rows(circle_id=circle.pk)  # no row when there are none
            context["request_count"] = counted[0][0] if counted else 0
    return context
