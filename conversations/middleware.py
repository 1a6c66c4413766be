"""The thread poll's "nothing new", answered before the rest of the middleware runs.

An open thread asks every 2 seconds, and nearly every answer is 204. The view
(conversations.views.reply_poll) already answers that from the cache
(conversations/live.py), but by the time it runs every request has loaded the
signed-in person, activated their zone, and passed allauth, messages, htmx and
the URL resolver. This answers the same 204 right after the session is read;
anything else goes on to the view, which decides as before.

Access is decided before the cache answers, from the database, in one query
(``conversations.access.poller_password``): the session's person still exists,
is active and not suspended, is staff or an active member of the thread's
circle, and the session's password hash still matches theirs (what Django's
``get_user`` checks). So a suspension, deletion, removal or new password made
by any process, with or without signals, ends the poll's 204 at the next poll.
Only then does live.py vouch, from the cache, that nothing is new. A session
that fails any of this, or carries no user id, goes to the view: its 404, or
Django's own session check with the fallback secrets.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare

from config.forms import parse_id
from conversations import live
from conversations.access import poller_password

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
        if not settings.THREAD_POLL_FAST_PATH:
            return None
        after = parse_id(request.GET.get("after", ""), zero=True)
        user_id = parse_id(request.session.get(SESSION_KEY))
        session_hash = request.session.get(HASH_SESSION_KEY)
        if after is None or user_id is None or not session_hash:
            return None
        if request.session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name != POLL:
            return None
        post_id, slug = match.kwargs["post_id"], match.kwargs["slug"]
        if not live.nothing_new(post_id=post_id, user_id=user_id, slug=slug, after=after):
            return None
        # The cache vouches for the thread; the database, now, for the person.
        password = poller_password(user_id, slug, post_id)
        if password is None:
            return None
        person = get_user_model()(pk=user_id, password=password)
        if not constant_time_compare(session_hash, person.get_session_auth_hash()):
            return None
        response = HttpResponse(status=204)
        add_never_cache_headers(response)  # as the view's @never_cache
        return response
