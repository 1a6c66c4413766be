"""The thread poll's "nothing new", answered before the rest of the middleware runs.

An open thread asks every 2 seconds, and nearly every answer is 204. The view
(conversations.views.reply_poll) already answers that from the cache
(conversations/live.py), but by the time it runs every request has loaded the
signed-in person, activated their zone, and passed allauth, messages, htmx and
the URL resolver. This answers the same 204 right after the session is read,
from the session's user id and one cache round trip; anything else goes on to
the view, which decides as before.

Skipping the person's own row is safe because live.py's record only counts
while the person's *access generation* is unchanged, and every change that
could end their access moves it on: a save of the person (a password change,
which also ends their other sessions; staff flag; deactivation), their
deletion, their suspension (moderation.services), any membership change. A
signed-out session carries no user id and goes to the view.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

from config.forms import parse_id
from conversations import live

POLL = "conversations:reply_poll"


class ThreadPollMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and request.path_info.endswith("/replies/"):
            answer = self._nothing_new(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _nothing_new(self, request: HttpRequest) -> HttpResponse | None:
        after = parse_id(request.GET.get("after", ""), zero=True)
        user_id = parse_id(request.session.get(SESSION_KEY))
        if after is None or user_id is None:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name != POLL:
            return None
        if not live.nothing_new(
            post_id=match.kwargs["post_id"],
            user_id=user_id,
            slug=match.kwargs["slug"],
            after=after,
        ):
            return None
        response = HttpResponse(status=204)
        add_never_cache_headers(response)  # as the view's @never_cache
        return response
