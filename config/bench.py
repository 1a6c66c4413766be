"""The benchmark's ceiling: a constant string through the full middleware stack.

Mounted at /bench/ceiling only when BENCH_CEILING is set (bench/run.py sets it),
so bench/ can compare every page with what this stack does for nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
