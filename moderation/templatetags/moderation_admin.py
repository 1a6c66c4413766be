"""The open-flags queue at the top of the admin index."""

from __future__ import annotations

from django import template

from moderation.models import Flag

register = template.Library()

QUEUE_SIZE = 15


@register.inclusion_tag("admin/moderation/open_flags.html")
def open_flags() -> dict[str, object]:
    """The oldest open flags first (they have waited longest), and how many are open."""
    flags = list(Flag.objects.open().for_queue()[:QUEUE_SIZE])
    return {"flags": flags, "open_count": Flag.objects.open().count()}
