"""Writes for invitations: create (and re-send by inviting again), resend, revoke, accept.

Every function is keyword-only and atomic; the rules it checks with the circle
locked, and the CircleError it raises, are in circles/rules.py. The email goes out
through Celery after the commit, at most so often (the limits below).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles import rules, signals, tasks
from circles.models import INVITATION_LIFETIME, Invitation, Membership, Role, Status
from config import ratelimit

if TYPE_CHECKING:
    from circles.models import Circle
    from members.models import User


class InvitationLimited(rules.CircleError):
    """Too soon to email this invitation again, or the inviter has sent enough for now."""

    def __init__(self, message: str, *, retry_at: dt.datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def invitation_problem(invitation: Invitation) -> str:
    """Why the invitation's link no longer works, for its holder; "" while it is pending."""
    if invitation.is_accepted:
        return _("This invitation has already been used.")
    if invitation.is_revoked:
        return _("This invitation was withdrawn by the circle's hosts.")
    if invitation.is_expired:
        return _("This invitation has expired. Ask the person who sent it for a new one.")
    return ""


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
    circle = rules.locked(circle)
    email = email.strip().lower()
    rules.ensure_not_archived(circle)
    since = timezone.now() - dt.timedelta(days=1)
    sent_today = Invitation.objects.filter(invited_by=invited_by, created_at__gte=since).count()
    if sent_today >= settings.INVITATIONS_PER_DAY:
        raise rules.CircleError(
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
        raise rules.CircleError(
            _("%(email)s is already a member of %(circle)s.")
            % {"email": email, "circle": circle.name}
        )
    rules.ensure_seat(circle)
    # A pending invitation holds a seat: hosts cannot promise more seats than exist.
    held = Invitation.objects.pending().filter(circle=circle).exclude(email=email).count()
    if rules.active_count(circle) + held >= circle.seat_limit:
        raise rules.CircleFull(
            _(
                "All %(seats)s seats of %(circle)s are taken or held by pending "
                "invitations. Revoke one, or raise the seat limit, to invite someone new."
            )
            % {"seats": circle.seat_limit, "circle": circle.name}
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
        raise rules.CircleError(_("That invitation was already used or revoked."))
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
        raise rules.CircleError(_("That invitation was already accepted."))
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
    circle = rules.locked(invitation.circle)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if problem := invitation_problem(invitation):
        raise rules.CircleError(problem)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    rules.ensure_can_enter(circle, existing)
    rules.ensure_pledge(circle, pledge_accepted)
    rules.ensure_seat(circle)
    membership = existing or Membership(circle=circle, user=user)
    membership.role = Role.MEMBER
    rules.activate(membership, invited_by=invitation.invited_by, pledge=bool(circle.pledge))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
