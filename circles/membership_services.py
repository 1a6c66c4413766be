"""Writes for memberships: joining, join requests, leaving, removal, roles and hosting.

Every function is keyword-only and atomic and takes the circle's lock first; the
rules it checks, and the CircleError it raises, are in circles/rules.py. Mail goes
out through Celery after the commit; meetings hears who departed (circles/signals.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circles import rules, signals, tasks
from circles.models import Circle, JoinPolicy, Membership, Role, Status

if TYPE_CHECKING:
    from members.models import User


def _entering(
    circle: Circle, user: User, *, policy: JoinPolicy, wrong_policy: str, removed: str
) -> tuple[Circle, Membership | None]:
    """Lock the circle and check this person may come in this way; their old membership, if any.

    ``wrong_policy`` and ``removed`` are the refusals (``%(circle)s`` is the circle's name)
    when the circle does not take people this way, or once took this person out.
    """
    circle = rules.locked(circle)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    rules.ensure_can_enter(circle, existing)
    names = {"circle": circle.name}
    if circle.join_policy != policy:
        raise rules.CircleError(wrong_policy % names)
    if existing is not None and existing.status == Status.REMOVED:
        raise rules.CircleError(removed % names)
    return circle, existing


@transaction.atomic
def membership_join(*, circle: Circle, user: User, pledge_accepted: bool = False) -> Membership:
    """Join an open circle at once, if a seat is free."""
    circle, existing = _entering(
        circle,
        user,
        policy=JoinPolicy.OPEN,
        wrong_policy=_("%(circle)s is not open to join directly."),
        removed=_("You can no longer join %(circle)s."),
    )
    rules.ensure_pledge(circle, pledge_accepted)
    rules.ensure_seat(circle)
    membership = existing or Membership(circle=circle, user=user)
    membership.role = Role.MEMBER
    rules.activate(membership, pledge=bool(circle.pledge))
    return membership


@transaction.atomic
def membership_request(
    *, circle: Circle, user: User, note: str = "", pledge_accepted: bool = False
) -> Membership:
    """Ask to join a circle that asks for requests; its hosts are emailed."""
    circle, existing = _entering(
        circle,
        user,
        policy=JoinPolicy.REQUEST,
        wrong_policy=_("%(circle)s does not take join requests."),
        removed=_("You can no longer ask to join %(circle)s."),
    )
    if existing is not None and existing.status == Status.REQUESTED:
        raise rules.CircleError(
            _("Your request to join %(circle)s is already with its hosts.")
            % {"circle": circle.name}
        )
    rules.ensure_pledge(circle, pledge_accepted)
    membership = existing or Membership(circle=circle, user=user)
    membership.role = Role.MEMBER
    membership.status = Status.REQUESTED
    membership.note = note.strip()
    membership.joined_at = None
    membership.pledge_accepted_at = timezone.now() if circle.pledge else None
    membership.save()
    transaction.on_commit(lambda: tasks.send_join_request_email.delay(membership.pk))
    return membership


def _ensure_requested(membership: Membership, refusal: str) -> None:
    if membership.status != Status.REQUESTED:
        raise rules.CircleError(refusal)


@transaction.atomic
def membership_approve(*, membership: Membership, approved_by: User) -> Membership:
    """A host approves a join request, if a seat is free; the requester is emailed."""
    circle = rules.locked(membership.circle)
    membership = rules.reload(membership)
    _ensure_requested(
        membership,
        _("%(name)s has no open request to join %(circle)s.")
        % {"name": membership.user.name, "circle": circle.name},
    )
    rules.ensure_not_archived(circle)
    rules.ensure_seat(circle)
    rules.activate(membership, invited_by=approved_by)
    transaction.on_commit(lambda: tasks.send_join_decision_email.delay(membership.pk, True))
    signals.join_approved.send(sender=Membership, membership=membership, approved_by=approved_by)
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership) -> Membership:
    """A host declines a join request; the requester is emailed and may not ask again."""
    rules.locked(membership.circle)
    membership = rules.reload(membership)
    _ensure_requested(
        membership,
        _("%(name)s has no open request to decline.") % {"name": membership.user.name},
    )
    membership.status = Status.REMOVED
    membership.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: tasks.send_join_decision_email.delay(membership.pk, False))
    return membership


def _depart(circle: Circle, membership: Membership, status: Status) -> None:
    """The member is gone (left or removed); their upcoming seats go to the waitlists."""
    membership.status = status
    membership.role = Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    signals.member_departed.send(sender=Circle, circle=circle, user=membership.user)


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """A member leaves; the last host must hand hosting on first."""
    circle = rules.locked(membership.circle)
    membership = rules.reload(membership)
    if membership.status != Status.ACTIVE:
        raise rules.CircleError(_("You are not a member of %(circle)s.") % {"circle": circle.name})
    rules.ensure_another_host(circle, membership)
    _depart(circle, membership, Status.LEFT)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> Membership:
    """A host removes a member. Hosts cannot remove themselves (they leave) or the last host."""
    circle = rules.locked(membership.circle)
    membership = rules.reload(membership)
    rules.ensure_active(circle, membership)
    if membership.user_id == removed_by.pk:
        raise rules.CircleError(_("To step away yourself, leave the circle instead."))
    rules.ensure_host_acts(
        circle, membership, removed_by, _("Only a host can remove another host.")
    )
    rules.ensure_another_host(circle, membership)
    _depart(circle, membership, Status.REMOVED)
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: Role, changed_by: User) -> Membership:
    """Name a member co-host, or make a co-host a member again."""
    circle = rules.locked(membership.circle)
    membership = rules.reload(membership)
    rules.ensure_active(circle, membership)
    if role not in (Role.CO_HOST, Role.MEMBER):
        raise rules.CircleError(_("Hosting is handed on with 'Transfer hosting'."))
    rules.ensure_host_acts(
        circle, membership, changed_by, _("Only a host can change another host's role.")
    )
    rules.ensure_another_host(circle, membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def hosting_transfer(*, circle: Circle, from_user: User, to_membership: Membership) -> Membership:
    """The host hands hosting to another active member and becomes a co-host."""
    circle = rules.locked(circle)
    to_membership = rules.reload(to_membership)
    current = Membership.objects.filter(
        circle=circle, user=from_user, status=Status.ACTIVE, role=Role.HOST
    ).first()
    if current is None:
        raise rules.CircleError(
            _("Only a host of %(circle)s can transfer hosting.") % {"circle": circle.name}
        )
    if to_membership.circle_id != circle.pk or to_membership.status != Status.ACTIVE:
        raise rules.CircleError(_("Hosting can only go to an active member of the circle."))
    if to_membership.pk == current.pk:
        raise rules.CircleError(_("You already host this circle."))
    to_membership.role = Role.HOST
    to_membership.save(update_fields=["role", "updated_at"])
    current.role = Role.CO_HOST
    current.save(update_fields=["role", "updated_at"])
    return to_membership
