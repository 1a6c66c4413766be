"""Who may see or act on a circle. One helper per question; views never decide by hand.

Each returns the object or raises: Http404 when the person may not see it
(an outsider never learns a private circle exists), PermissionDenied when
they may see it but not do this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from circles.models import HOST_ROLES, Circle, Membership, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def membership_of(user: User | AnonymousUser, circle: Circle) -> Membership | None:
    """This person's active membership in the circle, or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(circle=circle, user=user, status=Status.ACTIVE).first()


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
    if not user.is_authenticated:
        raise Http404
    if user.is_staff or membership_of(user, circle) is not None:
        return circle
    raise Http404


def circle_for_host(
    user: User | AnonymousUser, slug: str, queryset: QuerySet[Circle] | None = None
) -> Circle:
    """A circle this person hosts or co-hosts. Members who are not hosts get 403."""
    circle = circle_for_member(user, slug, queryset)
    membership = membership_of(user, circle)
    if membership is None or membership.role not in HOST_ROLES:
        raise PermissionDenied
    return circle
