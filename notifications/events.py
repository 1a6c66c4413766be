"""What the bell says about each event, and to whom: one call per event from the app it happens in.

The other apps' services call these inside their own transaction, right where
they queue the matching email, so the notification commits (or rolls back)
with the event. Each event costs at most one read (who should hear of it)
and one INSERT (``notify_all``'s bulk_create), whatever the number of people.

The texts never quote an "in the room" post: not its title, not its body.
They say that something happened and link to it, like the emails do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.text import Truncator

from notifications.models import NotificationKind
from notifications.services import Notice, notify_all

if TYPE_CHECKING:
    from circles.models import Invitation, Membership
    from conversations.models import Introduction, Post, Reply, Thanks
    from meetings.models import Meeting, Rsvp
    from members.models import User

TITLE_CHARS = 60


def _post_words(post: Post) -> str:
    """How a post is named: its kind and quoted title, or only "in-the-room post"."""
    if post.in_the_room:
        return f"an in-the-room {post.get_kind_display().lower()} in {post.circle.name}"
    return f"“{Truncator(post.title).chars(TITLE_CHARS)}”"


def reply_posted(*, reply: Reply) -> None:
    """To the post's author, and to the others who replied in the thread; never the replier.

    Only people who are still active members of the circle hear of it (one query).
    """
    from circles.models import Membership, Status
    from conversations.models import Reply as ReplyModel

    post = reply.post
    replier = reply.author
    if replier is None:
        return
    repliers = (
        ReplyModel.objects.filter(post_id=post.pk, deleted_at__isnull=True)
        .exclude(author_id=None)
        .values("author_id")
    )
    listeners = set(
        Membership.objects.filter(
            circle_id=post.circle_id, status=Status.ACTIVE, user__is_active=True
        )
        .filter(Q(user_id=post.author_id) | Q(user_id__in=repliers))
        .exclude(user_id=replier.pk)
        .values_list("user_id", flat=True)
    )
    if not listeners:
        return
    url = reply.get_absolute_url()
    words = _post_words(post)
    notices = []
    if post.author_id in listeners:
        notices.append(
            Notice(
                recipient_id=post.author_id,
                kind=NotificationKind.REPLY_TO_MY_POST,
                text=f"{replier.name} replied to your post {words}.",
                url=url,
            )
        )
    notices += [
        Notice(
            recipient_id=user_id,
            kind=NotificationKind.REPLY_IN_THREAD,
            text=f"{replier.name} also replied to {words}.",
            url=url,
        )
        for user_id in sorted(listeners - {post.author_id})
    ]
    notify_all(notices=notices, actor=replier, circle=post.circle)


def thanks_given(*, post: Post, by: User, thanks: list[Thanks]) -> None:
    """Each thanked reply's author hears of it (once per person, however many replies)."""
    words = _post_words(post)
    notify_all(
        notices=[
            Notice(
                recipient_id=item.reply.author_id,
                kind=NotificationKind.THANKS,
                text=f"{by.name} thanked you for your reply to {words}.",
                url=item.reply.get_absolute_url(),
            )
            for item in thanks
        ],
        actor=by,
        circle=post.circle,
    )


def introduction_requested(*, introduction: Introduction) -> None:
    """Each of the two is asked; the introducer is the actor."""
    introducer = introduction.introducer
    url = introduction.get_absolute_url()
    pairs = [
        (introduction.person_a, introduction.person_b),
        (introduction.person_b, introduction.person_a),
    ]
    notify_all(
        notices=[
            Notice(
                recipient_id=person.pk,
                kind=NotificationKind.INTRODUCTION,
                text=f"{introducer.name} would like to introduce you to {other.name}.",
                url=url,
            )
            for person, other in pairs
        ],
        actor=introducer,
        circle=introduction.circle,
    )


def introduction_closed(*, introduction: Introduction, answered_by: User) -> None:
    """Both accepted: the other one and the introducer hear of it. Declined: the introducer only.

    The person whose answer closed it is the actor: they saw the outcome on the page.
    """
    from conversations.models import IntroStatus

    url = introduction.get_absolute_url()
    a, b = introduction.person_a, introduction.person_b
    notices = []
    if introduction.status == IntroStatus.INTRODUCED:
        notices += [
            Notice(
                recipient_id=person.pk,
                kind=NotificationKind.INTRODUCTION,
                text=f"You and {other.name} are introduced: you both said yes.",
                url=url,
            )
            for person, other in ((a, b), (b, a))
        ]
        notices.append(
            Notice(
                recipient_id=introduction.introducer_id,
                kind=NotificationKind.INTRODUCTION,
                text=f"{a.name} and {b.name} both accepted your introduction.",
                url=url,
            )
        )
    elif introduction.status == IntroStatus.DECLINED:
        notices.append(
            Notice(
                recipient_id=introduction.introducer_id,
                kind=NotificationKind.INTRODUCTION,
                text=f"Your introduction of {a.name} and {b.name} will not go ahead.",
                url=url,
            )
        )
    notify_all(notices=notices, actor=answered_by, circle=introduction.circle)


def join_approved(*, membership: Membership, approved_by: User) -> None:
    circle = membership.circle
    notify_all(
        notices=[
            Notice(
                recipient_id=membership.user_id,
                kind=NotificationKind.JOIN_APPROVED,
                text=f"You are now a member of {circle.name}: your request was approved.",
                url=circle.get_absolute_url(),
            )
        ],
        actor=approved_by,
        circle=circle,
    )


def invitation_sent(*, invitation: Invitation) -> None:
    """Only someone who already has an account (matched by email) sees it under the bell."""
    from members.models import User

    invitee = (
        User.objects.filter(email__iexact=invitation.email, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if invitee is None:
        return
    circle = invitation.circle
    notify_all(
        notices=[
            Notice(
                recipient_id=invitee,
                kind=NotificationKind.INVITATION,
                text=f"{invitation.invited_by.name} invited you to join {circle.name}.",
                url=invitation.get_absolute_url(),
            )
        ],
        actor=invitation.invited_by,
        circle=circle,
    )


def waitlist_promoted(*, meeting: Meeting, rsvps: list[Rsvp]) -> None:
    """Everyone seated from the waitlist at once, in one INSERT."""
    circle = meeting.circle
    day = f"{meeting.local_date:%A} {meeting.local_date.day} {meeting.local_date:%B}"
    notify_all(
        notices=[
            Notice(
                recipient_id=rsvp.user_id,
                kind=NotificationKind.WAITLIST_PROMOTED,
                text=f"A seat opened at {circle.name}'s meeting on {day}: you are going.",
                url=meeting.get_absolute_url(),
            )
            for rsvp in rsvps
        ],
        circle=circle,
    )
