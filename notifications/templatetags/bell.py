"""``{% bell as bell %}`` in the header: the unread count in the page's first render, one query."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings

register = template.Library()


@dataclass(frozen=True)
class Bell:
    unread: int
    poll_seconds: int

    @property
    def shown(self) -> str:
        """What the badge says: the count, capped so it fits."""
        return "99+" if self.unread > 99 else str(self.unread)


def bell_for(user, unread: int | None = None) -> Bell:
    """``unread``: the count when the caller already read it from the cache."""
    from notifications.services import unread_count

    return Bell(
        unread=unread_count(user) if unread is None else unread,
        poll_seconds=int(getattr(settings, "NOTIFICATIONS_BELL_POLL_SECONDS", 30)),
    )


@register.simple_tag(takes_context=True)
def bell(context) -> Bell:
    """The bell of the signed-in person; a view that computed it already passes ``bell``."""
    known = context.get("bell")
    if isinstance(known, Bell):
        return known
    return bell_for(context["request"].user)
