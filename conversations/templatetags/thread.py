"""{% thread_reply reply %}: one reply as the thread page shows it (conversations/thread.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from conversations.thread import reply_html

if TYPE_CHECKING:
    from django.utils.safestring import SafeString

    from conversations.models import Reply

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_reply(context: template.Context, reply: Reply) -> SafeString:
    """The reply, its post (``reply.post``, from the access helper) telling who moderates."""
    return reply_html(context["request"], reply)
