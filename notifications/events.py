"""What the bell says about each event, and to whom: one call per event from the app it happens in.

The other apps' services call these inside their own transaction, right where
they queue the matching email, so the notification commits (or rolls back)
with the event. Each event costs at most one read (who should hear of it)
and one INSERT (``notify_all``'s bulk_create), whatever the number of people.

Each notification stores which message it is and the values the message
names (``params``); notifications.bell_texts writes the words when the person
reads them, in their language. ``text`` keeps the same message in the site's
language for the admin's list and search. The values never quote an "in the
room" post: not its title, not its body, only its kind and circle. They say
that something happened and link to it, like the emails do.
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


def _post_words(post: Post) -> dict[str, str]:
    """How a post is named (notifications.bell_texts.post_phrase): its title, cut short,
    or for an "in the room" post only its kind and circle."""
    if post.in_the_room:
        return {"in_the_room": post.kind, "circle": post.circle.name}
    return {"title": Truncator(post.title).chars(TITLE_CHARS)}


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
                params={"message": "reply_to_my_post", "replier": replier.name, "post": words},
                url=url,
            )
        )
    notices += [
        Notice(
            recipient_id=user_id,
            kind=NotificationKind.REPLY_IN_THREAD,
            params={"message": "reply_in_thread", "replier": replier.name, "post": words},
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
                params={"message": "thanks", "name": by.name, "post": words},
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
                params={
                    "message": "introduction_asked",
                    "introducer": introducer.name,
                    "other": other.name,
                },
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
                params={"message": "introduction_made", "other": other.name},
                url=url,
            )
            for person, other in ((a, b), (b, a))
        ]
        notices.append(
            Notice(
                recipient_id=introduction.introducer_id,
                kind=NotificationKind.INTRODUCTION,
                params={"message": "introduction_accepted", "a": a.name, "b": b.name},
                url=url,
            )
        )
    elif introduction.status == IntroStatus.DECLINED:
        notices.append(
            Notice(
                recipient_id=introduction.introducer_id,
                kind=NotificationKind.INTRODUCTION,
                params={"message": "introduction_declined", "a": a.name, "b": b.name},
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
                params={"message": "join_approved", "circle": circle.name},
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
                params={
                    "message": "invitation",
                    "inviter": invitation.invited_by.name,
                    "circle": circle.name,
                },
                url=invitation.get_absolute_url(),
            )
        ],
        actor=invitation.invited_by,
        circle=circle,
    )


def waitlist_promoted(*, meeting: Meeting, rsvps: list[Rsvp]) -> None:
    """Everyone seated from the waitlist at once, in one INSERT."""
    circle = meeting.circle
    notify_all(
        notices=[
            Notice(
                recipient_id=rsvp.user_id,
                kind=NotificationKind.WAITLIST_PROMOTED,
                params={
                    "message": "waitlist_promoted",
                    "circle": circle.name,
                    "date": meeting.local_date.isoformat(),
                },
                url=meeting.get_absolute_url(),
            )
            for rsvp in rsvps
        ],
        circle=circle,
    )
