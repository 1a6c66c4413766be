"""Who may flag, and who may moderate a circle. Views never decide by hand.

Flagging is for the circle's active members (anyone else: 404, as for the
post itself). The queue, hiding and restoring are for the circle's hosts and
co-hosts and for staff; to everyone else, members included, they do not
exist (404): a host of one circle learns nothing about another's queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import get_object_or_404

from circles.access import circle_for_member, hidden, membership_of
from circles.models import Circle
from conversations.models import Post, Reply

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def circle_for_moderator(user: User | AnonymousUser, slug: str) -> Circle:
    """A circle this person hosts or co-hosts (or any, for staff); else 404."""
    circle = circle_for_member(user, slug)
    if user.is_staff:
        return circle
    membership = membership_of(user, circle)
    if membership is None or not membership.is_host:
        raise hidden(Circle)
    return circle


def item_in(circle: Circle, kind: str, item_id: int) -> Post | Reply:
    """A live post or reply of this circle (hidden ones included); else 404."""
    if kind == "post":
        post = get_object_or_404(
            Post.objects.live().filter(circle=circle).select_related("author"), pk=item_id
        )
        post.circle = circle
        return post
    if kind == "reply":
        reply = get_object_or_404(
            Reply.objects.live()
            .filter(post__circle=circle, post__deleted_at__isnull=True)
            .select_related("author", "post"),
            pk=item_id,
        )
        reply.post.circle = circle
        return reply
    raise Http404


def item_for_flagger(
    user: User | AnonymousUser, slug: str, kind: str, item_id: int
) -> Post | Reply:
    """A post or reply a member may flag: one they can see in their circle; else 404."""
    return item_in(circle_for_member(user, slug), kind, item_id)


def item_for_moderator(
    user: User | AnonymousUser, slug: str, kind: str, item_id: int
) -> Post | Reply:
    """A post or reply in a circle this person moderates; else 404."""
    return item_in(circle_for_moderator(user, slug), kind, item_id)
