from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from circles.models import Circle


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Anyone may browse listed, non-archived circles."""
    circles = Circle.objects.listed().with_directory_data().order_by("name", "pk")
    page = Paginator(circles, 20).get_page(request.GET.get("page"))
    return render(request, "circles/directory.html", {"page": page})


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone may see a listed circle's header; unlisted circles are 404 to outsiders."""
    circle = get_object_or_404(
        Circle.objects.visible_to(request.user).with_directory_data(), slug=slug
    )
    return render(request, "circles/detail.html", {"circle": circle})
