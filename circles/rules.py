"""The rules every circle write checks while the circle's row is locked, and the error they raise.

Shared by circles/services.py (the circle itself), circles/membership_services.py and
circles/invitation_services.py. Rules the database cannot hold in a constraint (seat
limits, "a circle always keeps a host") are decided with the circle locked by
``locked()``, so two requests that race for the last seat, or two hosts leaving at
once, are served one after the other on PostgreSQL. The messages are written for the
person who tried, in their language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import Circle, Membership, Role, Status

if TYPE_CHECKING:
    from members.models import User


class CircleError(Exception):
    """A rule refused the action; the message is written for the person who tried."""


class CircleFull(CircleError):
    pass


class LastHost(CircleError):
    pass


def locked(circle: Circle) -> Circle:
    """Lock the circle's row until the transaction ends (a no-op on SQLite)."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def reload(membership: Membership) -> Membership:
    """The membership as it is now, read after the circle lock was taken."""
    return Membership.objects.select_related("user", "circle").get(pk=membership.pk)


def active_count(circle: Circle) -> int:
    return Membership.objects.filter(circle=circle, status=Status.ACTIVE).count()


def ensure_seat(circle: Circle) -> None:
    """Call with the circle locked: refuse when every seat is taken."""
    if active_count(circle) >= circle.seat_limit:
        raise CircleFull(
            _(
                "%(circle)s is full: all %(seats)s seats are taken. "
                "Ask a host whether a seat will open up."
            )
            % {"circle": circle.name, "seats": circle.seat_limit}
        )


def ensure_another_host(circle: Circle, leaving: Membership) -> None:
    """Call with the circle locked: refuse to leave the circle without a host."""
    if leaving.role != Role.HOST or leaving.status != Status.ACTIVE:
        return
    others = (
        Membership.objects.filter(circle=circle, status=Status.ACTIVE, role=Role.HOST)
        .exclude(pk=leaving.pk)
        .exists()
    )
    if not others:
        raise LastHost(
            _("%(circle)s needs at least one host. Transfer hosting to another member first.")
            % {"circle": circle.name}
        )


def ensure_not_archived(circle: Circle) -> None:
    if circle.is_archived:
        raise CircleError(
            _("%(circle)s is archived and takes no new members.") % {"circle": circle.name}
        )


def ensure_can_enter(circle: Circle, existing: Membership | None) -> None:
    """The circle takes members and this person (``existing``: their membership) is not one."""
    ensure_not_archived(circle)
    if existing is not None and existing.status == Status.ACTIVE:
        raise CircleError(_("You are already a member of %(circle)s.") % {"circle": circle.name})


def ensure_pledge(circle: Circle, pledge_accepted: bool) -> None:
    if circle.pledge and not pledge_accepted:
        raise CircleError(
            _("%(circle)s asks every member to accept its pledge first.") % {"circle": circle.name}
        )


def ensure_host_acts(circle: Circle, target: Membership, actor: User, refusal: str) -> None:
    """Only a host (not a co-host) may act on another host: else CircleError(refusal)."""
    if target.role != Role.HOST:
        return
    acting = Membership.objects.filter(circle=circle, user=actor).first()
    if acting is None or acting.role != Role.HOST:
        raise CircleError(refusal)


def ensure_active(circle: Circle, membership: Membership) -> None:
    if membership.status != Status.ACTIVE:
        raise CircleError(
            _("%(name)s is not an active member of %(circle)s.")
            % {"name": membership.user.name, "circle": circle.name}
        )


def activate(
    membership: Membership, *, invited_by: User | None = None, pledge: bool = False
) -> None:
    """Seat the person now (call with the circle locked, after ``ensure_seat``)."""
    now = timezone.now()
    membership.status = Status.ACTIVE
    membership.joined_at = now
    if invited_by is not None:
        membership.invited_by = invited_by
    if pledge:
        membership.pledge_accepted_at = now
    membership.save()
