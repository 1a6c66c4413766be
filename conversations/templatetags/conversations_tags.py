"""Template tags other apps use to show a circle's conversations in their pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from circles.access import membership_of
from conversations.models import Post, Reply

if TYPE_CHECKING:
    from circles.models import Circle

register = template.Library()

RECENT_POSTS = 5


@register.inclusion_tag("conversations/includes/circle_recent.html")
def circle_recent_posts(circle: Circle, user, limit: int = RECENT_POSTS) -> dict[str, object]:
    """{% circle_recent_posts circle user %}: the latest posts with reply counts.

    Posts hidden by a host are left out of this preview.

    At most two queries whatever the circle's size: whether this person sees
    the inside (active member or staff; none when the page already knows), and
    the posts with their live reply counts. The count is a subquery, so only
    the few posts shown are counted, not every post of the circle. People who
    may not see the inside get nothing rendered, so the caller cannot leak a
    private board by forgetting its own check.
    """
    allowed = bool(user is not None and user.is_authenticated) and (
        user.is_staff or membership_of(user, circle) is not None
    )
    posts: list[Post] = []
    board = ""
    if allowed:
        live_replies = (
            Reply.objects.filter(
                post=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True
            )
            .order_by()
            .values("post")
            .annotate(count=Count("pk"))
            .values("count")
        )
        posts = list(
            Post.objects.shown()
            .in_circle(circle)
            .only("circle_id", "kind", "title", "status", "resolved_at", "last_activity_at")
            .annotate(reply_count=Coalesce(Subquery(live_replies), 0))
            .order_by("-last_activity_at", "-pk")[:limit]
        )
        board = reverse("conversations:board", kwargs={"slug": circle.slug})
        # One reverse() for the list, not one per row: a post's path ends in its id.
        first_post = reverse("conversations:post", kwargs={"slug": circle.slug, "post_id": 0})
        prefix = first_post.removesuffix("0/")
        for post in posts:
            post.circle = circle
            post.url = f"{prefix}{post.pk}/"
    return {"circle": circle, "posts": posts, "allowed": allowed, "board_url": board}
