"""Celery tasks for conversations: thin, taking ids, safe to run twice.

Each claims its row with a conditional UPDATE before sending, so a task
delivered twice sends its email once.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from conversations import emails, signals
from conversations.models import Introduction, IntroStatus, Reply


@shared_task(ignore_result=True)
def reply_notify_author(reply_id: int) -> bool:
    """Email a post's author about a new reply, once, if they want reply emails.

    Deleted or hidden replies or posts, and authors who left, get nothing; nor do
    authors who turned reply emails off in their notification settings.
    """
    claimed = Reply.objects.filter(
        pk=reply_id,
        author_notified_at__isnull=True,
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        post__deleted_at__isnull=True,
        post__hidden_at__isnull=True,
        post__author__isnull=False,
        post__author__is_active=True,
    ).update(author_notified_at=timezone.now())
    if not claimed:
        return False
    reply = Reply.objects.select_related("post__circle", "post__author", "author").get(pk=reply_id)
    if reply.post.author_id == reply.author_id:
        return False
    if not wants_reply_emails(reply.post.author):
        return False
    emails.reply_email(reply).send()
    return True


def wants_reply_emails(user) -> bool:
    """Yes unless an app that keeps email preferences says no (notifications: its settings)."""
    answers = signals.reply_email_wanted.send(sender=Reply, user=user)
    return all(wanted for _, wanted in answers)


def _introduction(intro_id: int) -> Introduction:
    return Introduction.objects.select_related("circle", "introducer", "person_a", "person_b").get(
        pk=intro_id
    )


def _claim_outcome(intro_id: int, status: IntroStatus) -> bool:
    """Claim the one outcome email of an introduction that closed with ``status``."""
    claimed = Introduction.objects.filter(
        pk=intro_id, status=status, outcome_sent_at__isnull=True
    ).update(outcome_sent_at=timezone.now())
    return bool(claimed)


@shared_task(ignore_result=True)
def introduction_send_requests(intro_id: int) -> bool:
    """Ask each of the two, once."""
    claimed = Introduction.objects.filter(pk=intro_id, requests_sent_at__isnull=True).update(
        requests_sent_at=timezone.now()
    )
    if not claimed:
        return False
    introduction = _introduction(intro_id)
    for person in (introduction.person_a, introduction.person_b):
        emails.introduction_request_email(introduction, person).send()
    return True


@shared_task(ignore_result=True)
def introduction_send_introduced(intro_id: int) -> bool:
    """Both accepted: one email to each, introducing them to each other."""
    if not _claim_outcome(intro_id, IntroStatus.INTRODUCED):
        return False
    introduction = _introduction(intro_id)
    for person in (introduction.person_a, introduction.person_b):
        emails.introduction_made_email(introduction, person).send()
    return True


@shared_task(ignore_result=True)
def introduction_send_declined(intro_id: int) -> bool:
    """One declined: tell the introducer, and no one else."""
    if not _claim_outcome(intro_id, IntroStatus.DECLINED):
        return False
    emails.introduction_declined_email(_introduction(intro_id)).send()
    return True
