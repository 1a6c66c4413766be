"""Template tags other apps use to show a circle's conversations in their pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from circles.access import membership_of
from conversations.models import Post

if TYPE_CHECKING:
    from circles.models import Circle

register = template.Library()

RECENT_POSTS = 5


@register.inclusion_tag("conversations/includes/circle_recent.html")
def circle_recent_posts(circle: Circle, user, limit: int = RECENT_POSTS) -> dict[str, object]:
    """{% circle_recent_posts circle user %}: the latest posts with reply counts.

    Posts hidden by a host are left out of this preview.

    Two queries whatever the circle's size: whether this person sees the
    inside (active member or staff; none when the page already knows), and
    the posts with their live reply counts. People who may not see the inside
    get nothing rendered, so the caller cannot leak a private board by
    forgetting its own check.
    """
    allowed = bool(user is not None and user.is_authenticated) and (
        user.is_staff or membership_of(user, circle) is not None
    )
    posts: list[Post] = []
    if allowed:
        posts = list(Post.objects.shown().in_circle(circle).for_board()[:limit])
        for post in posts:
            post.circle = circle  # spares a query per link
    return {"circle": circle, "posts": posts, "allowed": allowed}
