"""Celery tasks for circles: thin, id-taking, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from circles import emails
from circles.models import Invitation, Membership, Status


@shared_task(ignore_result=True)
def send_join_request_email(membership_id: int) -> None:
    """Tell the hosts about a join request that is still waiting."""
    membership = (
        Membership.objects.select_related("circle", "user").filter(pk=membership_id).first()
    )
    if membership is None or membership.status != Status.REQUESTED:
        return
    emails.join_request_to_hosts(membership)


@shared_task(ignore_result=True)
def send_join_decision_email(membership_id: int, approved: bool) -> None:
    """Tell a requester the hosts' answer, if it still stands."""
    membership = (
        Membership.objects.select_related("circle", "user").filter(pk=membership_id).first()
    )
    expected = Status.ACTIVE if approved else Status.REMOVED
    if membership is None or membership.status != expected:
        return
    emails.join_decision_to_requester(membership, approved=approved)


@shared_task(ignore_result=True)
def send_invitation_email(invitation_id: int) -> None:
    """Email an invitation whose link still works."""
    invitation = (
        Invitation.objects.select_related("circle", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_pending:
        return
    emails.invitation(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
