"""Demo posts, replies and thanks for `manage.py seed_demo` (safe to run again).

Rows are made directly, not through services: the demo must not send email
or count against anyone's rate limit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from circles.models import HOST_ROLES, Membership, Status
from conversations.models import Kind, Post, PostStatus, Reply, Thanks

if TYPE_CHECKING:
    from circles.models import Circle

# author ("host", "member" or an index into the other members), kind, title, body,
# in the room, hours ago, replies as (author, body, thanked note or None).
POSTS = [
    ("member", Kind.ASK, "How do you price a first consulting project?",
     "A former colleague asked me to help with their onboarding flow. "
     "**Day rate or fixed price?** What did you charge the first time?", False, 50,
     [(0, "Fixed price with a clear scope. Day rates invite haggling over hours.", None),
      (1, "Start from the value to them, then sanity-check against a day rate.", None)]),
    ("host", Kind.GIVE, "I can review pitch decks this month",
     "Send me your deck before Tuesday and I will bring written notes to breakfast.", False, 30,
     [(2, "Taking you up on this: mine is for a seed round in March.", None)]),
    (1, Kind.ASK, "Telling my team about a reorg",
     "Confidential: we are merging two teams next month. How do I tell them "
     "before the rumours do?", True, 20,
     [("host", "Tell the people most affected first, one to one, the same day.", None)]),
    (0, Kind.ASK, "A good book on running one-to-ones?",
     "I have four new reports. Looking for something practical.", False, 80,
     [("member", "*The Making of a Manager* by Julie Zhuo: short and practical.",
       "Exactly what I needed, thank you!")]),
    ("host", Kind.DISCUSSION, "What made your best Tuesday meeting work?",
     "I would like us to do more of it. Reply with one thing.", False, 5, []),
]  # fmt: skip


def seed_posts(circles: list[Circle]) -> None:
    """Posts in the flagship circle, where the demo host and member both sit."""
    circle = circles[0]
    if Post.objects.filter(circle=circle).exists():
        return
    memberships = list(
        Membership.objects.filter(circle=circle, status=Status.ACTIVE)
        .select_related("user")
        .order_by("pk")
    )
    host = next(m.user for m in memberships if m.role in HOST_ROLES)
    demo_member = next(m.user for m in memberships if m.user.email == "member@peertables.demo")
    others = [m.user for m in memberships if m.user not in (host, demo_member)]

    def who(key):
        return {"host": host, "member": demo_member}.get(key) or others[key % len(others)]

    now = timezone.now()
    for author, kind, title, body, in_the_room, hours_ago, replies in POSTS:
        created = now - dt.timedelta(hours=hours_ago)
        post = Post.objects.create(
            circle=circle,
            author=who(author),
            kind=kind,
            title=title,
            body=body,
            in_the_room=in_the_room,
            created_at=created,
            last_activity_at=created,
        )
        for index, (replier, text, thanks_note) in enumerate(replies, start=1):
            at = created + dt.timedelta(hours=index)
            reply = Reply.objects.create(
                post=post, author=who(replier), body=text, created_at=at, author_notified_at=at
            )
            post.last_activity_at = at
            if thanks_note is not None:
                Thanks.objects.create(reply=reply, given_by=post.author, note=thanks_note)
                post.status = PostStatus.RESOLVED
                post.resolved_at = at
        post.save(update_fields=["last_activity_at", "status", "resolved_at"])
