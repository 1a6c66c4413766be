from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from circles.models import Circle
from members.health import run_checks


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what PeerTables is, and a few circles anyone may look at."""
    circles = Circle.objects.listed().with_directory_data().order_by("-created_at")[:6]
    return render(request, "members/home.html", {"circles": circles})


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
