"""Whole-page cache for signed-out visitors: the landing page and the circle directory.

A signed-out GET is the same page for everyone but for one thing, the CSRF
token in ``<body hx-headers>`` (base.html). So a page is rendered once with a
placeholder where the token goes, kept in the cache for
``settings.SIGNED_OUT_PAGE_CACHE_SECONDS``, and each visitor gets it with their
own token put in (``get_token``, which also sets the CSRF cookie exactly as
rendering would have).

What is served from the cache, and what never is:

- only GETs with no session cookie and no messages cookie: a signed-in person
  sees their own header, and a just-signed-out visitor a flash message;
- only pages the view marks as fit to keep (``keep``: e.g. a valid filter
  form) and whose rendering touched nothing per visitor: no session written,
  no CSP nonce used (a cached page must not carry one visitor's nonce);
- the htmx fragment and the whole page are kept apart (``request.htmx``).

Each page is stored with the version of what it shows (``bump``); a write
that changes it bumps the version and every page rendered before is refused
at once, without waiting for the TTL. Responses say ``Cache-Control: private,
no-cache`` and ``Vary: Cookie``: a shared proxy must not keep a page with a
CSRF token in it.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe

from config import generations

# Autoescaping turns every "<" in user text into "&lt;", so this string can only
# come from the template's own {{ csrf_token }}.
CSRF_PLACEHOLDER = mark_safe("<peertables-csrf-token>")  # noqa: S308 - a constant

# How long one request may take to render a page anew before another may try.
RENEW_LOCK_SECONDS = 10

KeyFunc = Callable[[HttpRequest], str | None]
KeepFunc = Callable[[HttpRequest, dict[str, Any]], bool]


def version_key(version: str) -> str:
    """The generation counter (config/generations.py) behind ``version``."""
    return f"pagecache:version:{version}"


def bump(version: str) -> None:
    """Refuse every page kept under ``version``: now, and again once the transaction commits.

    Now, so the writer's own next request (and tests) never sees the old page;
    after the commit, so a page rendered from the old rows between the two
    (another request reading before the commit) is refused too. A version lost
    from the cache comes back at a random value (config/generations.py).
    """
    generations.bump(version_key(version))


def language_key(key: str) -> str:
    """Every kept copy is kept per language: the visitor's cookie or Accept-Language,
    or a member's own choice, picks one of settings.LANGUAGES (members/language.py)."""
    return f"{key}:{translation.get_language()}"


def fetch_kept(key: str, version: str) -> tuple[Any, int]:
    """What is kept under ``key`` for ``version``'s current value (None if nothing is), and it.

    Kept per language: ``key`` names the copy in the active language.

    One cache round trip. Past its freshness a copy is still handed out, except to
    the first request to take the renewal lock, which gets None and renders anew:
    an expiry under load is one render, not one per waiting request. Whoever
    renders passes the version value returned here to ``store_kept``.
    """
    key = language_key(key)
    found = cache.get_many([key, version_key(version)])
    (now,) = generations.current([version_key(version)], found)
    entry = found.get(key)
    if entry is None or entry[0] != now:
        return None, now
    _, value, fresh_until = entry
    if time.time() < fresh_until or not cache.add(f"{key}:renewing", 1, RENEW_LOCK_SECONDS):
        return value, now
    return None, now


def store_kept(key: str, seen_version: int, value: Any, seconds: int) -> None:
    """Keep ``value``, rendered from the data of ``seen_version``, fresh for ``seconds``.

    It stays twice as long as it is fresh: the second half serves the others
    while one request renders it anew.
    """
    key = language_key(key)
    cache.set(key, (seen_version, value, time.time() + seconds), 2 * seconds)
    cache.delete(f"{key}:renewing")


def _signed_out(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        # A message queued earlier in this very request (no cookie yet).
        and not len(messages.get_messages(request))
    )


def with_csrf_token(request: HttpRequest, html: str) -> str:
    """Kept HTML rendered with ``csrf_token=CSRF_PLACEHOLDER``, with this visitor's own token."""
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def _private(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("Cookie",))
    patch_cache_control(response, private=True, no_cache=True)
    return response


def signed_out_page(
    *, version: str, key: KeyFunc | None = None, keep: KeepFunc | None = None
) -> Callable:
    """Cache a view's page for signed-out visitors (see the module docstring).

    The view returns a ``TemplateResponse``. ``key(request)`` names the page
    among the view's answers (None: never cache this request; by default the
    query string is ignored); ``keep(request, context)`` decides after the view
    ran whether its answer may be kept (by default, yes).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            seconds = settings.SIGNED_OUT_PAGE_CACHE_SECONDS
            name = (key(request) if key else "") if seconds > 0 else None
            if name is None or not _signed_out(request):
                return _private(view(request, *args, **kwargs))
            digest = hashlib.sha256(name.encode()).hexdigest()[:32]
            htmx = int(bool(getattr(request, "htmx", False)))
            page_key = f"pagecache:v3:{view.__module__}.{view.__name__}:{htmx}:{digest}"
            kept, now = fetch_kept(page_key, version)
            if kept is not None:
                html, content_type = kept
                body = with_csrf_token(request, html)
                return _private(HttpResponse(body, content_type=content_type))

            response = view(request, *args, **kwargs)
            if not isinstance(response, TemplateResponse) or response.is_rendered:
                return _private(response)
            response.context_data = {
                **(response.context_data or {}),
                "csrf_token": CSRF_PLACEHOLDER,
            }
            response.render()
            html = response.content.decode()
            if (
                response.status_code == 200
                and not response.cookies
                and getattr(request, "_csp_nonce", None) is None
                and not getattr(getattr(request, "session", None), "modified", False)
                and (keep is None or keep(request, response.context_data))
            ):
                store_kept(page_key, now, (html, response["Content-Type"]), seconds)
            response.content = with_csrf_token(request, html)
            return _private(response)

        return wrapper

    return decorator
