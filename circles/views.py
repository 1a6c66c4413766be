"""Circle pages: the directory and a circle's page.

Who may see what is decided in circles.access. htmx requests get the named
partial of the same template. Hosting is in circles/hosting_views.py, joining and
invitations in circles/joining_views.py.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from circles import circle_page, directory_cards, directory_page, directory_reads
from circles.directory_cache import DIRECTORY
from circles.models import (
    Circle,
    Membership,
    Role,
)
from circles.suggestions import suggest_circles
from circles.view_helpers import partial as _partial
from config.pagecache import fetch_kept, signed_out_page, store_kept


def _reader_zone(request: HttpRequest) -> ZoneInfo | None:
    """The zone a signed-in person reads times in; None shows each circle's own."""
    if request.user.is_authenticated and request.user.time_zone:
        try:
            return ZoneInfo(request.user.time_zone)
        except (ValueError, KeyError):
            pass
    return None


# --- Directory and circle page ------------------------------------------------


# Query parameters a directory page may be cached under; anything else is not kept.
DIRECTORY_PARAMS = frozenset(
    {"q", "topic", "place", "weekday", "time_of_day", "open_seats", "page"}
)


def _directory_page_name(request: HttpRequest) -> str | None:
    """The directory page a signed-out request asks for, or None to render it uncached.

    Every value of a kept page must come from a small, known set, so query
    strings cannot fill the cache: unknown or repeated parameters, a search
    (free text) and any ``open_seats`` but the checkbox's "on" are not kept;
    ``_directory_page_fit_to_keep`` refuses invalid filters and page numbers.
    """
    params = request.GET
    if not params.keys() <= DIRECTORY_PARAMS or any(len(params.getlist(k)) > 1 for k in params):
        return None
    if params.get("q", "") != "" or params.get("open_seats", "on") != "on":
        return None
    return urlencode(sorted(params.items()))


def _directory_page_fit_to_keep(request: HttpRequest, context: dict) -> bool:
    form, page = context["form"], context["page"]
    valid = not form.is_bound or form.is_valid()
    return valid and str(page.number) == request.GET.get("page", "1")


@vary_on_headers("HX-Request")
@require_GET
@signed_out_page(version=DIRECTORY, key=_directory_page_name, keep=_directory_page_fit_to_keep)
def directory(request: HttpRequest) -> HttpResponse:
    """Anyone may browse and filter listed, non-archived circles.

    Signed-out visitors get whole pages and htmx answers from the page cache
    (config/pagecache.py) for the filters a form sends, not for searches.
    Signed in, the page is rendered for each request: the filters as plain
    HTML (circles/directory_page.py) and the person's own suggestions; only
    the cards, the same for everyone signed in but for the zone of the next
    meeting, come from the cache under the directory's version.
    """
    form = directory_page.filter_form(request.GET)
    context: dict[str, object] = {"form": form}
    if not request.htmx:
        context["filters_html"] = directory_page.filters_html(form)
        # "Circles you might sit at": whole pages only, not the filters' answers.
        context["suggestions_html"] = _suggestions_html(request)
    results_key = _signed_in_results_key(request)
    if results_key is not None:
        kept, version = fetch_kept(results_key, DIRECTORY)
        if kept is not None:
            if request.htmx:
                return HttpResponse(kept)
            context["results_html"] = mark_safe(kept)  # noqa: S308 - our own rendering, below
            return TemplateResponse(request, "circles/directory.html", context)
    filtered = form.is_bound and form.is_valid() and form.is_filtered()
    page = directory_reads.cards_page(
        form, filtered=filtered, number=request.GET.get("page"), zone=_reader_zone(request)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        cards_html=directory_cards.cards_html(page.object_list),
        query_string=query.urlencode(),
        filtered=filtered,
    )
    if results_key is not None and _directory_page_fit_to_keep(request, context):
        results_html = render_to_string("circles/directory.html#results", context, request)
        seconds = settings.SIGNED_OUT_PAGE_CACHE_SECONDS
        store_kept(results_key, version, results_html, seconds)
        if request.htmx:
            return HttpResponse(results_html)
        context["results_html"] = mark_safe(results_html)  # noqa: S308 - our own rendering
    return TemplateResponse(
        request, _partial(request, "circles/directory.html", "results"), context
    )


def _suggestions_html(request: HttpRequest) -> SafeString:
    """The "Circles you might sit at" panel for this person, worked out for each request.

    A fixed number of queries (circles/suggestions.py); nothing about one person is kept.
    """
    if not request.user.is_authenticated:
        return mark_safe("")  # noqa: S308 - nothing
    context = {"suggestions": suggest_circles(request.user)}
    return mark_safe(render_to_string("circles/_suggestions.html", context, request))  # noqa: S308


def _signed_in_results_key(request: HttpRequest) -> str | None:
    """Where the cards a signed-in person's directory page lists are kept, or None.

    The cards are the same for everyone signed in but for the zone the next
    meeting is shown in; they are kept under the same version and for the same
    time as the signed-out pages (config/pagecache.py), for the same filters.
    """
    name = _directory_page_name(request)
    seconds = settings.SIGNED_OUT_PAGE_CACHE_SECONDS
    if not request.user.is_authenticated or name is None or seconds <= 0:
        return None  # with the time at 0 nothing is kept: not even a cache round trip
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    return f"directory:results:v5:{request.user.time_zone}:{digest}"


def _members(circle: Circle) -> list[Membership]:
    """Active members, hosts first, with their sponsors, in one query."""
    members = list(
        Membership.objects.active()
        .filter(circle=circle)
        .select_related("user", "invited_by")
        .order_by("joined_at", "pk")
    )
    order = {Role.HOST: 0, Role.CO_HOST: 1, Role.MEMBER: 2}
    return sorted(members, key=lambda m: order.get(m.role, 3))


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone who may see the circle gets its header; active members (and staff) the inside.

    Unlisted and archived circles are 404 to everyone but their members and staff.
    Rendered on every request, nothing kept (circles/circle_page.py says why it can be).
    """
    return render(request, "circles/detail.html", circle_page.page_context(request, slug))
