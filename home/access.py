"""Who may see how much of a person's profile. Views never decide by hand.

A person's full profile is for people who share an active circle with them
(and for themselves and staff); anyone else signed in sees a minimal card,
their name and initials. A suspended or deleted account is a 404 to members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from circles.models import Membership, Status
from members.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def shares_circle(viewer: User | AnonymousUser, person: User) -> bool:
    """True when both are active members of at least one circle (one query)."""
    if not viewer.is_authenticated:
        return False
    theirs = Membership.objects.filter(
        user=person, status=Status.ACTIVE, circle_id=OuterRef("circle_id")
    )
    return (
        Membership.objects.filter(user=viewer, status=Status.ACTIVE).filter(Exists(theirs)).exists()
    )


def person_for_viewer(viewer: User | AnonymousUser, user_id: int) -> tuple[User, bool]:
    """The person and whether this viewer may see their full profile; 404 when gone."""
    people = User.objects.select_related("profile")
    if not (viewer.is_authenticated and viewer.is_staff):
        people = people.filter(is_active=True)
    person = get_object_or_404(people, pk=user_id)
    full = viewer.is_authenticated and (
        viewer.pk == person.pk or viewer.is_staff or shares_circle(viewer, person)
    )
    return person, bool(full)
