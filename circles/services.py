"""Writes for a circle itself: create, edit, archive.

Every function is keyword-only and atomic; the rules they check with the circle
locked, and the CircleError they raise, are in circles/rules.py. Memberships are
written in circles/membership_services.py, invitations in
circles/invitation_services.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from circles import rules, signals
from circles.models import Circle, Membership, Role, Status, Topic
from circles.schedule import SCHEDULE_FIELDS
from config.urlshapes import MARKS as URL_MARKS

if TYPE_CHECKING:
    from members.models import User

# URL segments under /circles/ that a slug must never shadow.
RESERVED_SLUGS = frozenset({"new", "invitations", "edit"})
SLUG_ATTEMPTS = 20


def slug_candidates(name: str) -> Iterable[str]:
    base = slugify(name)
    for marker in URL_MARKS:  # the pages' URLs are written with these in (config/urlshapes.py)
        base = base.replace(marker, "")
    base = (base or "circle")[:80].strip("-") or "circle"
    if base not in RESERVED_SLUGS:
        yield base
    for n in range(2, SLUG_ATTEMPTS + 1):
        yield f"{base}-{n}"
    while True:
        yield f"{base}-{secrets.token_hex(3)}"


def _save_with_unique_slug(circle: Circle) -> None:
    """Insert the circle under the first free slug.

    Uniqueness is the database's job (the slug's unique index); a check
    before the insert would race. Each attempt runs in a savepoint so a
    collision rolls back only that insert and the next candidate is tried.
    """
    for attempt, slug in enumerate(slug_candidates(circle.name)):
        circle.slug = slug
        try:
            with transaction.atomic():
                circle.save(force_insert=True)
        except IntegrityError:
            circle.pk = None
            if attempt > SLUG_ATTEMPTS + 5:
                raise
            continue
        return


@transaction.atomic
def circle_create(*, host: User, topics: Iterable[Topic] = (), **fields: Any) -> Circle:
    """A new circle; the person who creates it is its first host."""
    circle = Circle(**fields)
    circle.full_clean(exclude=["slug"])
    _save_with_unique_slug(circle)
    circle.topics.set(list(topics))
    Membership.objects.create(
        circle=circle,
        user=host,
        role=Role.HOST,
        status=Status.ACTIVE,
        joined_at=timezone.now(),
        pledge_accepted_at=timezone.now() if circle.pledge else None,
    )
    # The next weeks of meetings exist at once, so members can RSVP ahead (meetings hears this).
    signals.circle_created.send(sender=Circle, circle=circle)
    return circle


@transaction.atomic
def circle_update(
    *, circle: Circle, topics: Iterable[Topic] | None = None, **fields: Any
) -> Circle:
    """Hosts change what the circle is; the slug stays so links keep working."""
    circle = rules.locked(circle)
    if "seat_limit" in fields and fields["seat_limit"] < (active := rules.active_count(circle)):
        raise rules.CircleError(
            _("%(circle)s has %(count)s active members; the seat limit cannot be lower than that.")
            % {"circle": circle.name, "count": active}
        )
    schedule_before = [getattr(circle, name) for name in SCHEDULE_FIELDS]
    seats_before = circle.seat_limit
    for name, value in fields.items():
        setattr(circle, name, value)
    circle.full_clean()
    circle.save()
    if topics is not None:
        circle.topics.set(list(topics))
    if [getattr(circle, name) for name in SCHEDULE_FIELDS] != schedule_before:
        # Future meetings follow the new schedule; answered ones move and members are told.
        signals.schedule_changed.send(sender=Circle, circle=circle)
    if circle.seat_limit > seats_before:
        # More seats at every upcoming meeting: the waitlists move up (and are told).
        signals.seats_added.send(sender=Circle, circle=circle)
    return circle


@transaction.atomic
def circle_archive(*, circle: Circle) -> Circle:
    """Archive: the circle leaves the directory and takes no one new; nothing is deleted."""
    circle = rules.locked(circle)
    if circle.archived_at is None:
        circle.archived_at = timezone.now()
        circle.save(update_fields=["archived_at", "updated_at"])
    return circle
