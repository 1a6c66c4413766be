"""Writes for circles, memberships and invitations.

Every function is keyword-only and atomic. Rules the database cannot hold in a
constraint (seat limits, "a circle always keeps a host") are decided while
the circle's row is locked with SELECT ... FOR UPDATE, so two requests that
race for the last seat, or two hosts leaving at once, are served one after the
other on PostgreSQL. Mail goes out through Celery after the commit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles import signals, tasks
from circles.models import (
    INVITATION_LIFETIME,
    Circle,
    Invitation,
    JoinPolicy,
    Membership,
    Role,
    Status,
    Topic,
)
from config import ratelimit

if TYPE_CHECKING:
    from members.models import User

# URL segments under /circles/ that a slug must never shadow.
RESERVED_SLUGS = frozenset({"new", "invitations", "edit"})
SLUG_ATTEMPTS = 20
# The fields that decide when meetings happen.
SCHEDULE_FIELDS = (
    "time_zone",
    "weekday",
    "start_time",
    "duration_minutes",
    "frequency",
    "starts_on",
)


class CircleError(Exception):
    """A rule refused the action; the message is written for the person who tried."""


class CircleFull(CircleError):
    pass


class LastHost(CircleError):
    pass


class InvitationLimited(CircleError):
    """Too soon to email this invitation again, or the inviter has sent enough for now."""

    def __init__(self, message: str, *, retry_at: dt.datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def _locked(circle: Circle) -> Circle:
    """Lock the circle's row until the transaction ends (a no-op on SQLite)."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def _active_count(circle: Circle) -> int:
    return Membership.objects.filter(circle=circle, status=Status.ACTIVE).count()


def _ensure_seat(circle: Circle) -> None:
    """Call with the circle locked: refuse when every seat is taken."""
    if _active_count(circle) >= circle.seat_limit:
        raise CircleFull(
            f"{circle.name} is full: all {circle.seat_limit} seats are taken. "
            "Ask a host whether a seat will open up."
        )


def _ensure_another_host(circle: Circle, leaving: Membership) -> None:
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
            f"{circle.name} needs at least one host. Transfer hosting to another member first."
        )


def _reload(membership: Membership) -> Membership:
    """The membership as it is now, read after the circle lock was taken."""
    return Membership.objects.select_related("user", "circle").get(pk=membership.pk)


# --- Circles -----------------------------------------------------------------


def slug_candidates(name: str) -> Iterable[str]:
    base = (slugify(name) or "circle")[:80].strip("-") or "circle"
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
    circle = _locked(circle)
    if "seat_limit" in fields and fields["seat_limit"] < _active_count(circle):
        raise CircleError(
            f"{circle.name} has {_active_count(circle)} active members; "
            "the seat limit cannot be lower than that."
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
    circle = _locked(circle)
    if circle.archived_at is None:
        circle.archived_at = timezone.now()
        circle.save(update_fields=["archived_at", "updated_at"])
    return circle


# --- Joining -------------------------------------------------------------------


def _check_can_enter(circle: Circle, existing: Membership | None) -> None:
    if circle.is_archived:
        raise CircleError(f"{circle.name} is archived and takes no new members.")
    if existing is not None and existing.status == Status.ACTIVE:
        raise CircleError(f"You are already a member of {circle.name}.")


def _check_pledge(circle: Circle, pledge_accepted: bool) -> None:
    if circle.pledge and not pledge_accepted:
        raise CircleError(f"{circle.name} asks every member to accept its pledge first.")


def _activate(
    membership: Membership, *, invited_by: User | None = None, pledge: bool = False
) -> None:
    now = timezone.now()
    membership.status = Status.ACTIVE
    membership.joined_at = now
    if invited_by is not None:
        membership.invited_by = invited_by
    if pledge:
        membership.pledge_accepted_at = now
    membership.save()


@transaction.atomic
def membership_join(*, circle: Circle, user: User, pledge_accepted: bool = False) -> Membership:
    """Join an open circle at once, if a seat is free."""
    circle = _locked(circle)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    _check_can_enter(circle, existing)
    if circle.join_policy != JoinPolicy.OPEN:
        raise CircleError(f"{circle.name} is not open to join directly.")
    if existing is not None and existing.status == Status.REMOVED:
        raise CircleError(f"You can no longer join {circle.name}.")
    _check_pledge(circle, pledge_accepted)
    _ensure_seat(circle)
    membership = existing or Membership(circle=circle, user=user)
    membership.role = Role.MEMBER
    _activate(membership, pledge=bool(circle.pledge))
    return membership


@transaction.atomic
def membership_request(
    *, circle: Circle, user: User, note: str = "", pledge_accepted: bool = False
) -> Membership:
    """Ask to join a circle that asks for requests; its hosts are emailed."""
    circle = _locked(circle)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    _check_can_enter(circle, existing)
    if circle.join_policy != JoinPolicy.REQUEST:
        raise CircleError(f"{circle.name} does not take join requests.")
    if existing is not None and existing.status == Status.REQUESTED:
        raise CircleError(f"Your request to join {circle.name} is already with its hosts.")
    if existing is not None and existing.status == Status.REMOVED:
        raise CircleError(f"You can no longer ask to join {circle.name}.")
    _check_pledge(circle, pledge_accepted)
    membership = existing or Membership(circle=circle, user=user)
    membership.role = Role.MEMBER
    membership.status = Status.REQUESTED
    membership.note = note.strip()
    membership.joined_at = None
    membership.pledge_accepted_at = timezone.now() if circle.pledge else None
    membership.save()
    transaction.on_commit(lambda: tasks.send_join_request_email.delay(membership.pk))
    return membership


@transaction.atomic
def membership_approve(*, membership: Membership, approved_by: User) -> Membership:
    """A host approves a join request, if a seat is free; the requester is emailed."""
    circle = _locked(membership.circle)
    membership = _reload(membership)
    if membership.status != Status.REQUESTED:
        raise CircleError(f"{membership.user.name} has no open request to join {circle.name}.")
    if circle.is_archived:
        raise CircleError(f"{circle.name} is archived and takes no new members.")
    _ensure_seat(circle)
    _activate(membership, invited_by=approved_by)
    transaction.on_commit(lambda: tasks.send_join_decision_email.delay(membership.pk, True))
    signals.join_approved.send(sender=Membership, membership=membership, approved_by=approved_by)
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership) -> Membership:
    """A host declines a join request; the requester is emailed and may not ask again."""
    _locked(membership.circle)
    membership = _reload(membership)
    if membership.status != Status.REQUESTED:
        raise CircleError(f"{membership.user.name} has no open request to decline.")
    membership.status = Status.REMOVED
    membership.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: tasks.send_join_decision_email.delay(membership.pk, False))
    return membership


def _release_meeting_seats(circle: Circle, membership: Membership) -> None:
    """Someone who is no longer a member gives their upcoming seats to the waitlists."""
    signals.member_departed.send(sender=Circle, circle=circle, user=membership.user)


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """A member leaves; the last host must hand hosting on first."""
    circle = _locked(membership.circle)
    membership = _reload(membership)
    if membership.status != Status.ACTIVE:
        raise CircleError(f"You are not a member of {circle.name}.")
    _ensure_another_host(circle, membership)
    membership.status = Status.LEFT
    membership.role = Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    _release_meeting_seats(circle, membership)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> Membership:
    """A host removes a member. Hosts cannot remove themselves (they leave) or the last host."""
    circle = _locked(membership.circle)
    membership = _reload(membership)
    if membership.status != Status.ACTIVE:
        raise CircleError(f"{membership.user.name} is not an active member of {circle.name}.")
    if membership.user_id == removed_by.pk:
        raise CircleError("To step away yourself, leave the circle instead.")
    if membership.role == Role.HOST:
        remover = Membership.objects.filter(circle=circle, user=removed_by).first()
        if remover is None or remover.role != Role.HOST:
            raise CircleError("Only a host can remove another host.")
    _ensure_another_host(circle, membership)
    membership.status = Status.REMOVED
    membership.role = Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    _release_meeting_seats(circle, membership)
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: Role, changed_by: User) -> Membership:
    """Name a member co-host, or make a co-host a member again."""
    circle = _locked(membership.circle)
    membership = _reload(membership)
    if membership.status != Status.ACTIVE:
        raise CircleError(f"{membership.user.name} is not an active member of {circle.name}.")
    if role not in (Role.CO_HOST, Role.MEMBER):
        raise CircleError("Hosting is handed on with 'Transfer hosting'.")
    if membership.role == Role.HOST:
        changer = Membership.objects.filter(circle=circle, user=changed_by).first()
        if changer is None or changer.role != Role.HOST:
            raise CircleError("Only a host can change another host's role.")
        _ensure_another_host(circle, membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def hosting_transfer(*, circle: Circle, from_user: User, to_membership: Membership) -> Membership:
    """The host hands hosting to another active member and becomes a co-host."""
    circle = _locked(circle)
    to_membership = _reload(to_membership)
    current = Membership.objects.filter(
        circle=circle, user=from_user, status=Status.ACTIVE, role=Role.HOST
    ).first()
    if current is None:
        raise CircleError(f"Only a host of {circle.name} can transfer hosting.")
    if to_membership.circle_id != circle.pk or to_membership.status != Status.ACTIVE:
        raise CircleError("Hosting can only go to an active member of the circle.")
    if to_membership.pk == current.pk:
        raise CircleError("You already host this circle.")
    to_membership.role = Role.HOST
    to_membership.save(update_fields=["role", "updated_at"])
    current.role = Role.CO_HOST
    current.save(update_fields=["role", "updated_at"])
    return to_membership


# --- Invitations ------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


# Invitations email people who never asked for it, so each is emailed at most once in
# INVITATION_RESEND_SECONDS and each inviter sends at most INVITATION_RESENDS_PER_DAY
# again in a day. New invitations leave a row and are counted in the database; a resend
# leaves none, so resends are counted in the shared cache (config/ratelimit.py), where
# every web process sees the same count.
DAY_SECONDS = 24 * 60 * 60


def _emails_key(invitation_pk: int) -> str:
    return f"circles:invitation-emails:{invitation_pk}"


def _resends_key(user_pk: int) -> str:
    return f"circles:invitation-resends:{user_pk}"


def _readable_moment(moment: dt.datetime, person: User) -> str:
    """``14:05 Europe/Berlin`` in the person's zone, with the day when it is not today."""
    try:
        zone = ZoneInfo(person.time_zone or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    local = timezone.localtime(moment, zone)
    same_day = local.date() == timezone.localtime(timezone.now(), zone).date()
    return f"{formats.date_format(local, 'H:i' if same_day else 'j M, H:i')} {zone.key}"


def _count_invitation_email(*, invitation: Invitation, sender: User, resend: bool) -> None:
    """Count one email of ``invitation`` (and a resend by ``sender``), or raise InvitationLimited.

    Called last, after every other check, so a refusal for another reason counts nothing.
    """
    try:
        counted = ratelimit.take(
            _emails_key(invitation.pk), limit=1, seconds=settings.INVITATION_RESEND_SECONDS
        )
    except ratelimit.Exhausted as refused:
        raise InvitationLimited(
            _(
                "%(email)s was sent this invitation a short while ago. So that nobody gets "
                "a flood of email, you can send it again after %(time)s."
            )
            % {"email": invitation.email, "time": _readable_moment(refused.retry_at, sender)},
            retry_at=refused.retry_at,
        ) from None
    if not resend:
        return
    per_day = settings.INVITATION_RESENDS_PER_DAY
    try:
        ratelimit.take(_resends_key(sender.pk), limit=per_day, seconds=DAY_SECONDS, buckets=24)
    except ratelimit.Exhausted as refused:
        ratelimit.give_back(counted)  # this invitation was not emailed after all
        raise InvitationLimited(
            ngettext(
                "You have sent an invitation again %(count)s time in the last 24 hours, "
                "the most we allow. You can resend after %(time)s.",
                "You have sent invitations again %(count)s times in the last 24 hours, "
                "the most we allow. You can resend after %(time)s.",
                per_day,
            )
            % {"count": per_day, "time": _readable_moment(refused.retry_at, sender)},
            retry_at=refused.retry_at,
        ) from None


def invitation_resend_times(invitations: Iterable[Invitation]) -> dict[int, dt.datetime]:
    """When each invitation emailed too recently may be sent again, by id (one cache read).

    For the hosts' page; ``invitation_resend`` decides, with the same counts.
    """
    by_key = {_emails_key(invitation.pk): invitation.pk for invitation in invitations}
    waits = ratelimit.retry_times(by_key, limit=1, seconds=settings.INVITATION_RESEND_SECONDS)
    return {by_key[key]: retry_at for key, retry_at in waits.items()}


@transaction.atomic
def invitation_create(
    *, circle: Circle, invited_by: User, email: str, message: str = ""
) -> Invitation:
    """Invite someone by email. One live invitation per address; the same one is re-sent."""
    circle = _locked(circle)
    email = email.strip().lower()
    if circle.is_archived:
        raise CircleError(f"{circle.name} is archived and takes no new members.")
    since = timezone.now() - dt.timedelta(days=1)
    sent_today = Invitation.objects.filter(invited_by=invited_by, created_at__gte=since).count()
    if sent_today >= settings.INVITATIONS_PER_DAY:
        raise CircleError(
            _(
                "You have sent %(count)s invitations in the last 24 hours, the most we allow. "
                "Please try again tomorrow."
            )
            % {"count": settings.INVITATIONS_PER_DAY}
        )
    already = Membership.objects.filter(
        circle=circle, user__email__iexact=email, status=Status.ACTIVE
    ).exists()
    if already:
        raise CircleError(f"{email} is already a member of {circle.name}.")
    _ensure_seat(circle)
    # A pending invitation holds a seat: hosts cannot promise more seats than exist.
    held = Invitation.objects.pending().filter(circle=circle).exclude(email=email).count()
    if _active_count(circle) + held >= circle.seat_limit:
        raise CircleFull(
            f"All {circle.seat_limit} seats of {circle.name} are taken or held by pending "
            "invitations. Revoke one, or raise the seat limit, to invite someone new."
        )
    invitation = Invitation.objects.pending().filter(circle=circle, email=email).first()
    if invitation is not None:
        # Inviting a pending address again sends its invitation again: a resend.
        _count_invitation_email(invitation=invitation, sender=invited_by, resend=True)
        invitation.message = message.strip() or invitation.message
        invitation.expires_at = timezone.now() + INVITATION_LIFETIME
        invitation.save(update_fields=["message", "expires_at"])
    else:
        invitation = Invitation.objects.create(
            circle=circle,
            email=email,
            message=message.strip(),
            invited_by=invited_by,
            token=_new_token(),
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        _count_invitation_email(invitation=invitation, sender=invited_by, resend=False)
        signals.invitation_created.send(sender=Invitation, invitation=invitation)
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk))
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, sent_by: User) -> Invitation:
    """Send a pending invitation again, with a fresh 14 days.

    Raises InvitationLimited when it was emailed too recently or ``sent_by`` has
    sent enough invitations again today; nothing is sent then.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_accepted or invitation.is_revoked:
        raise CircleError("That invitation was already used or revoked.")
    _count_invitation_email(invitation=invitation, sender=sent_by, resend=True)
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.save(update_fields=["expires_at"])
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Revoke a pending invitation: its link stops working."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_accepted:
        raise CircleError("That invitation was already accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, pledge_accepted: bool = False
) -> Membership:
    """The invited person takes their seat, sponsored by whoever invited them.

    The circle is locked first, then the invitation, so two clicks on one link
    (or two people with one link) cannot both use it.
    """
    circle = _locked(invitation.circle)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_accepted:
        raise CircleError("This invitation has already been used.")
    if invitation.is_revoked:
        raise CircleError("This invitation was withdrawn by the circle's hosts.")
    if invitation.is_expired:
        raise CircleError("This invitation has expired. Ask the person who sent it for a new one.")
    existing = Membership.objects.filter(circle=circle, user=user).first()
    _check_can_enter(circle, existing)
    _check_pledge(circle, pledge_accepted)
    _ensure_seat(circle)
    membership = existing or Membership(circle=circle, user=user)
    membership.role = Role.MEMBER
    _activate(membership, invited_by=invitation.invited_by, pledge=bool(circle.pledge))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
