"""Calendars: one meeting as an .ics file, and each person's private feed of their meetings.

The feed (``/calendar/<token>.ics``) is read by a calendar app, not a browser
the person signed in with, so it is written in the feed owner's language
(``members.language.in_language_of``), like the emails sent to them.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from circles.access import hidden
from meetings import calendar_services, ics
from meetings.access import meeting_for_member
from meetings.models import CalendarFeed, Meeting
from members.language import in_language_of, language_of


@login_required
@require_GET
def meeting_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members download one meeting as an .ics file, in the language of the page."""
    meeting = meeting_for_member(request.user, slug, pk)
    body = ics.calendar_for([meeting], name=meeting.circle.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{meeting.circle.slug}-{meeting.local_date:%Y-%m-%d}.ics"'
    )
    return response


@login_required
@require_GET
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """A signed-in person sees their private feed URL, or a button to make one."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    return render(request, "meetings/calendar.html", {"feed": feed, "feed_url": feed_url})


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    """A signed-in person creates their feed URL or replaces it; the old URL stops working."""
    existed = CalendarFeed.objects.filter(user=request.user).exists()
    calendar_services.calendar_feed_rotate(user=request.user)
    messages.success(
        request,
        _("New feed URL made; the old one no longer works.") if existed else _("Feed URL made."),
    )
    return redirect(reverse("calendar:settings"))


# A feed's body is kept this long. Its key changes with what it shows
# (_feed_version), so the time only bounds the memory, not how stale a feed is.
FEED_CACHE_SECONDS = 6 * 60 * 60
# Raise when calendar_for's output changes, so no body from before a deploy is served.
FEED_FORMAT = 2


def _feed_version(meetings: QuerySet[Meeting], language: str) -> str:
    """What a feed shows, in one aggregate query over the same meetings.

    How many there are, and the latest change to any of them (moved,
    cancelled, renamed venue: ``updated_at``), to their circles (name, venue,
    link) or to the person's memberships in them (joined, left). A meeting
    that ends, a circle archived or left drops out and the count falls; one
    added raises it. RSVPs are not in the feed. The owner's language is in
    it too: choosing another one rewrites the feed's words.
    """
    stamp = meetings.aggregate(
        count=Count("pk"),
        meetings=Max("updated_at"),
        circles=Max("circle__updated_at"),
        memberships=Max("circle__memberships__updated_at"),
    )
    text = repr((FEED_FORMAT, language, *sorted(stamp.items())))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the secret token gets that person's upcoming meetings; else 404.

    The token (and that its owner is active) is checked on every request, so a
    rotated token stops working at once. The body is cached in Redis under the
    owner, the token and ``_feed_version``: a request costs the token lookup and
    one aggregate query, and the calendar is rebuilt only after a change. The
    version is also the ETag, so a calendar app that polls with If-None-Match
    gets a 304 when nothing changed. ``private, no-cache``: the URL is a secret,
    no shared cache may keep it, and a client must ask again each time.
    """
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    user = feed.user
    if not user.is_active:
        raise hidden(CalendarFeed)
    meetings = Meeting.objects.for_member(user).upcoming()
    version = _feed_version(meetings, language_of(user))
    etag = quote_etag(version)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = f"calendar-feed:{user.pk}:{token}:{version}"
        body = cache.get(key)
        if body is None:
            ordered = meetings.select_related("circle").order_by("starts_at")
            with in_language_of(user):
                body = ics.calendar_for(ordered, name=_("PeerTables meetings"))
            cache.set(key, body, FEED_CACHE_SECONDS)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
