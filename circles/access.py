"""Who may see or act on a circle. One helper per question; views never decide by hand.

Each returns the object or raises: Http404 when the person may not see it
(an outsider never learns a private circle exists), PermissionDenied when
they may see it but not do this. The 404 for a row someone may not see is
``hidden(Model)``, word for word the 404 for one that does not exist: with
DEBUG on, Django's 404 page shows the message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from circles.models import HOST_ROLES, Circle, Invitation, Membership, Role, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def hidden(model: type[Model]) -> Http404:
    """The 404 for a ``model`` row this person may not see: get_object_or_404's for no row."""
    return Http404(f"No {model._meta.object_name} matches the given query.")


def membership_of(user: User | AnonymousUser, circle: Circle) -> Membership | None:
    """This person's active membership in the circle, or None.

    A view that already read it (``remember_membership``) spares the template
    tags on its page asking again.
    """
    if not user.is_authenticated:
        return None
    known = getattr(circle, "_viewer_membership", None)
    if known is not None and known[0] == user.pk:
        return known[1]
    return Membership.objects.filter(circle=circle, user=user, status=Status.ACTIVE).first()


def remember_membership(user: User | AnonymousUser, circle: Circle, membership: Membership | None):
    """For the rest of this request, ``membership_of(user, circle)`` is ``membership``'s answer.

    For a read-only page only: the note lives on this circle object, which a
    view that changes memberships must not reuse.
    """
    if user.is_authenticated:
        active = (
            membership if membership is not None and membership.status == Status.ACTIVE else None
        )
        circle._viewer_membership = (user.pk, active)


def circle_for_viewer(
    user: User | AnonymousUser, slug: str, queryset: QuerySet[Circle] | None = None
) -> Circle:
    """A circle whose public header this person may see (listed, theirs, or staff)."""
    qs = queryset if queryset is not None else Circle.objects.all()
    return get_object_or_404(qs.visible_to(user), slug=slug)


def circle_for_member(
    user: User | AnonymousUser, slug: str, queryset: QuerySet[Circle] | None = None
) -> Circle:
    """A circle whose inside (members, meetings, posts) this person may see.

    Active members, and staff. Everyone else gets a 404, even for a listed circle.
    """
    qs = queryset if queryset is not None else Circle.objects.all()
    circle = get_object_or_404(qs, slug=slug)
    if user.is_authenticated and (user.is_staff or membership_of(user, circle) is not None):
        return circle
    raise hidden(Circle)


def circle_for_host(
    user: User | AnonymousUser, slug: str, queryset: QuerySet[Circle] | None = None
) -> Circle:
    """A circle this person hosts or co-hosts. Members who are not hosts get 403."""
    circle = circle_for_member(user, slug, queryset)
    membership = membership_of(user, circle)
    if membership is None or membership.role not in HOST_ROLES:
        raise PermissionDenied
    return circle


def circle_for_lead_host(
    user: User | AnonymousUser, slug: str, queryset: QuerySet[Circle] | None = None
) -> Circle:
    """A circle this person is the host of (not co-host): only they hand hosting on."""
    circle = circle_for_member(user, slug, queryset)
    membership = membership_of(user, circle)
    if membership is None or membership.role != Role.HOST:
        raise PermissionDenied
    return circle


def viewer_membership(user: User | AnonymousUser, circle: Circle) -> Membership | None:
    """This person's membership in the circle in any status (requested, left...), or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(circle=circle, user=user).first()


def may_invite(membership: Membership | None, circle: Circle) -> bool:
    """Hosts invite; members too when the circle allows it."""
    if membership is None or membership.status != Status.ACTIVE:
        return False
    return membership.role in HOST_ROLES or circle.members_can_invite


def circle_for_inviter(
    user: User | AnonymousUser, slug: str, queryset: QuerySet[Circle] | None = None
) -> tuple[Circle, Membership]:
    """A circle this person may invite people into. Members who may not get 403."""
    circle = circle_for_member(user, slug, queryset)
    membership = membership_of(user, circle)
    if not may_invite(membership, circle):
        raise PermissionDenied
    assert membership is not None
    return circle, membership


def membership_in(circle: Circle, pk: int, *statuses: str) -> Membership:
    """A membership of this circle (in one of ``statuses``), or 404."""
    qs = Membership.objects.select_related("user", "circle").filter(circle=circle)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return get_object_or_404(qs, pk=pk)


def invitation_in(circle: Circle, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("circle"), circle=circle, pk=pk)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link carries. Unknown tokens are 404; the token is the secret."""
    return get_object_or_404(Invitation.objects.select_related("circle", "invited_by"), token=token)
