"""A demo flag for `manage.py seed_demo` (safe to run again), so the staff queue shows one."""

from __future__ import annotations

from conversations.models import Post
from members.models import User
from moderation.models import Flag, Reason


def seed_flags(member_email: str) -> None:
    member = User.objects.filter(email=member_email).first()
    post = (
        Post.objects.live()
        .filter(circle__memberships__user=member)
        .exclude(author=member)
        .order_by("pk")
        .first()
    )
    if member is None or post is None:
        return
    Flag.objects.get_or_create(
        flagged_by=member,
        post=post,
        defaults={
            "circle": post.circle,
            "reason": Reason.OTHER,
            "note": "Demo flag: is this a pitch for a paid service?",
        },
    )
