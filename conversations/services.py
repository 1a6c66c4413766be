"""Every write to posts, replies, thanks and introductions.

Views call these; nothing writes in save() or signals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import Membership, Status
from conversations import limits, signals, tasks
from conversations.models import (
    Answer,
    Introduction,
    IntroStatus,
    Kind,
    Post,
    PostStatus,
    Reply,
    Thanks,
)

if TYPE_CHECKING:
    from circles.models import Circle
    from members.models import User


def _soft_delete(item: Post | Reply) -> None:
    """Mark a post or reply deleted, once; the row stays."""
    if item.deleted_at is None:
        item.deleted_at = timezone.now()
        item.save(update_fields=["deleted_at"])


@transaction.atomic
def post_create(
    *, circle: Circle, author: User, kind: str, title: str, body: str, in_the_room: bool = False
) -> Post:
    """Start an ask, give or discussion. Raises limits.RateLimited past the hourly limit."""
    limits.consume(limits.POSTS, author.pk)
    now = timezone.now()
    return Post.objects.create(
        circle=circle,
        author=author,
        kind=kind,
        title=title.strip(),
        body=body,
        in_the_room=in_the_room,
        created_at=now,
        last_activity_at=now,
    )


@transaction.atomic
def post_edit(*, post: Post, title: str, body: str, in_the_room: bool) -> Post:
    """The author changes their post; it then shows an "edited" mark."""
    post.title = title.strip()
    post.body = body
    post.in_the_room = in_the_room
    post.edited_at = timezone.now()
    post.save(update_fields=["title", "body", "in_the_room", "edited_at"])
    return post


@transaction.atomic
def post_delete(*, post: Post) -> Post:
    """Soft delete by the author: the post leaves the board and its thread stops."""
    _soft_delete(post)
    return post


@transaction.atomic
def post_resolve(
    *, post: Post, by: User, replies: Iterable[Reply] = (), note: str = ""
) -> list[Thanks]:
    """The asker marks their ask resolved and thanks the replies that helped.

    Calling it again on a resolved ask thanks more replies; a reply is thanked
    once (its one-to-one thanks row), so repeats are ignored. Only replies by
    other members, on this post, can be thanked.
    """
    if post.kind != Kind.ASK:
        raise ValidationError(_("Only an ask can be resolved."))
    if post.status != PostStatus.RESOLVED:
        post.status = PostStatus.RESOLVED
        post.resolved_at = timezone.now()
        post.save(update_fields=["status", "resolved_at"])
    created = []
    for reply in replies:
        if reply.post_id != post.pk or reply.author_id in (None, by.pk) or reply.is_deleted:
            raise ValidationError(_("You can thank other members' replies to this ask only."))
        thanks, was_created = Thanks.objects.get_or_create(
            reply=reply, defaults={"given_by": by, "note": note.strip()}
        )
        if was_created:
            created.append(thanks)
    if created:
        signals.thanks_given.send(sender=Post, post=post, by=by, thanks=created)
    return created


@transaction.atomic
def post_reopen(*, post: Post) -> Post:
    """The asker reopens a resolved ask; thanks already given stay."""
    if post.status != PostStatus.OPEN:
        post.status = PostStatus.OPEN
        post.resolved_at = None
        post.save(update_fields=["status", "resolved_at"])
    return post


@transaction.atomic
def reply_create(*, post: Post, author: User, body: str) -> Reply:
    """Answer in a thread. Tells the post's author by email once the reply is committed.

    Raises limits.RateLimited past the hourly limit.
    """
    limits.consume(limits.REPLIES, author.pk)
    now = timezone.now()
    reply = Reply.objects.create(post=post, author=author, body=body, created_at=now)
    Post.objects.filter(pk=post.pk).update(last_activity_at=now)
    post.last_activity_at = now
    if post.author_id is not None and post.author_id != author.pk:
        reply_id = reply.pk
        transaction.on_commit(lambda: tasks.reply_notify_author.delay(reply_id))
    signals.reply_posted.send(sender=Reply, reply=reply)
    return reply


@transaction.atomic
def reply_edit(*, reply: Reply, body: str) -> Reply:
    """The author changes their reply; it then shows an "edited" mark."""
    reply.body = body
    reply.edited_at = timezone.now()
    reply.save(update_fields=["body", "edited_at"])
    return reply


@transaction.atomic
def reply_delete(*, reply: Reply) -> Reply:
    """Soft delete by the author: the reply leaves the thread (and any thanks stop counting)."""
    _soft_delete(reply)
    return reply


def _active_member(circle: Circle, user: User) -> bool:
    return Membership.objects.filter(circle=circle, user=user, status=Status.ACTIVE).exists()


def _asked_already() -> str:
    return _("You have already asked these two; they have not both answered yet.")


@transaction.atomic
def introduction_create(
    *,
    circle: Circle,
    introducer: User,
    person_a: User,
    person_b: User,
    note_for_a: str,
    note_for_b: str,
) -> Introduction:
    """Ask two members of a circle the introducer shares with them to meet.

    Each of the two is asked by email, once the request is committed.
    """
    if person_a.pk == person_b.pk:
        raise ValidationError(_("Choose two different members to introduce."))
    if introducer.pk in (person_a.pk, person_b.pk):
        raise ValidationError(_("You cannot introduce yourself; choose two other members."))
    for person in (introducer, person_a, person_b):
        if not _active_member(circle, person):
            raise ValidationError(
                _("%(name)s is not an active member of %(circle)s.")
                % {"name": person.name, "circle": circle.name}
            )
    pending = Introduction.objects.filter(
        circle=circle, introducer=introducer, status=IntroStatus.PENDING
    ).filter(Q(person_a=person_a, person_b=person_b) | Q(person_a=person_b, person_b=person_a))
    if pending.exists():
        raise ValidationError(_asked_already())
    try:
        with transaction.atomic():
            introduction = Introduction.objects.create(
                circle=circle,
                introducer=introducer,
                person_a=person_a,
                person_b=person_b,
                note_for_a=note_for_a.strip(),
                note_for_b=note_for_b.strip(),
            )
    except IntegrityError as error:  # a double submit raced past the check above
        raise ValidationError(_asked_already()) from error
    intro_id = introduction.pk
    transaction.on_commit(lambda: tasks.introduction_send_requests.delay(intro_id))
    signals.introduction_requested.send(sender=Introduction, introduction=introduction)
    return introduction


@transaction.atomic
def introduction_answer(*, introduction: Introduction, user: User, accept: bool) -> Introduction:
    """One of the two accepts or declines.

    The row is locked so two answers at once see each other. When both have
    accepted, the introduction is made (one email to both); a decline closes
    it and tells the introducer only. Answering again after it closed is a
    ValidationError.
    """
    locked = Introduction.objects.select_for_update().get(pk=introduction.pk)
    side = locked.side_of(user)
    if side is None:
        raise ValidationError(_("Only the two people being introduced can answer."))
    if locked.status != IntroStatus.PENDING:
        raise ValidationError(_("This introduction is already closed."))
    answer = Answer.ACCEPTED if accept else Answer.DECLINED
    setattr(locked, f"answer_{side}", answer)
    fields = [f"answer_{side}"]
    task = None
    if not accept:
        status, task = IntroStatus.DECLINED, tasks.introduction_send_declined
    elif locked.answer_a == Answer.ACCEPTED and locked.answer_b == Answer.ACCEPTED:
        status, task = IntroStatus.INTRODUCED, tasks.introduction_send_introduced
    if task is not None:  # it closes
        locked.status = status
        locked.closed_at = timezone.now()
        fields += ["status", "closed_at"]
    locked.save(update_fields=fields)
    if task is not None:
        intro_id = locked.pk
        transaction.on_commit(lambda: task.delay(intro_id))
        signals.introduction_closed.send(sender=Introduction, introduction=locked, answered_by=user)
    for field in fields:
        setattr(introduction, field, getattr(locked, field))
    return introduction
