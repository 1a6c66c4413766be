"""The header's bell: ``{% bell as bell %}`` for its count, ``bell_html`` for its link.

``bell_html`` is the one writer of the bell's link: the site header (home's frame
tags), the count the link polls every ``poll_seconds`` (notifications.views.bell_count)
and the list's out-of-band swap after "Mark all as read" all write it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from config.urlshapes import UrlShapes

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


_URLS = UrlShapes(
    lambda: {
        "list": escape(reverse("notifications:list")),
        "count": escape(reverse("notifications:count")),
    }
)
_LINK = (
    '<a id="bell" href="{list}" class="bell{unread_class}" hx-get="{count}"'
    ' hx-trigger="every {poll}s" hx-swap="outerHTML"{oob}>'
    '<span class="bell-icon" aria-hidden="true"></span>'
    '<span class="visually-hidden">{notifications} </span>'
    '<span class="bell-count" data-unread="{unread}">{shown}</span>'
    '<span class="visually-hidden"> {unread_label}</span></a>'
)


def bell_html(bell: Bell, *, oob: bool = False) -> SafeString:
    """The bell's link, its count shown; ``oob``: swapped in out of band (htmx)."""
    urls = _URLS.shapes()
    return mark_safe(  # noqa: S308 - every value below is escaped or a number
        _LINK.format(
            list=urls["list"],
            count=urls["count"],
            unread_class=" bell-unread" if bell.unread else "",
            poll=int(bell.poll_seconds),
            oob=' hx-swap-oob="true"' if oob else "",
            notifications=escape(gettext("Notifications:")),
            unread=int(bell.unread),
            shown=escape(bell.shown),
            unread_label=escape(gettext("unread")),
        )
    )


@register.simple_tag(takes_context=True)
def bell_link(context, oob: bool = False) -> SafeString:
    """``{% bell_link oob=True %}``: the signed-in person's bell link in a template."""
    return bell_html(bell(context), oob=oob)
