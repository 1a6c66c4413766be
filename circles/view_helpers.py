"""What the circle views share: binding a form, answering htmx, trying a write, and the
confirmation page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from circles.models import Circle
from circles.rules import CircleError


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, also when it is empty (an unticked box alone)."""
    return request.POST if request.method == "POST" else None


def partial(request: HttpRequest, template: str, name: str) -> str:
    """The template for this request: its ``#name`` partial for htmx, else the whole page."""
    return f"{template}#{name}" if request.htmx else template


def page_or_fragment(
    request: HttpRequest, template: str, fragment: str, context: dict[str, object]
) -> HttpResponse:
    """The page, or for htmx its ``#fragment``; Vary keeps a cache from mixing them up."""
    response = render(request, partial(request, template, fragment), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def confirm(
    request: HttpRequest,
    circle: Circle,
    *,
    title: str,
    explanation: str,
    action: str,
    button: str,
) -> HttpResponse:
    """The page that asks before a POST that cannot be undone in one click."""
    context = {
        "circle": circle,
        "title": title,
        "explanation": explanation,
        "action": action,
        "button": button,
    }
    return render(request, "circles/confirm.html", context)


def attempt(request: HttpRequest, write: Callable[[], object], done: str) -> bool:
    """Run ``write``; tell the person ``done``, or the rule that refused it (then False)."""
    try:
        write()
    except CircleError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, done)
    return True
