"""The site's front door: the landing page, and /healthz for load balancers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from circles.directory_cache import DIRECTORY
from circles.directory_cards import cards_html
from circles.directory_reads import newest_cards
from config.pagecache import signed_out_page
from home.health import run_checks
from members.language import language_set, supported

LANDING_CARDS = 6


@require_GET
@signed_out_page(version=DIRECTORY)
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what PeerTables is, and a few circles anyone may look at.

    Signed-out visitors get it from the page cache (config/pagecache.py); it
    reads nothing from the query string.
    """
    cards = newest_cards(LANDING_CARDS)  # the directory's cards (circles/directory_cards.py)
    return TemplateResponse(
        request, "home/home.html", {"cards": cards_html(cards) if cards else ""}
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make` scripts: 200 when every dependency answers, else 503."""
    checks = run_checks()
    healthy = all(problem is None for problem in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: problem or "ok" for name, problem in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher in every page's footer: a plain form, no JavaScript needed.

    Anyone: Django's ``set_language`` keeps the choice in a cookie and sends them
    back to ``next``. A signed-in member's choice is also saved as their language
    (members/language.py), which their pages and emails follow on every device.
    """
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language and supported(language) == language:
        language_set(user=request.user, language=language)
    return response
