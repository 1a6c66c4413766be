"""A page's URLs reversed once per process, each request swapping its own values in.

``reverse()`` costs 20 to 60 µs a call; a page with thirty links spent more on
them than on its queries' rows. ``UrlShapes`` reverses every URL a page needs
once, with marker values in place of the slug and ids, keeps the result per
script prefix and URLconf (both can change per request: ``SCRIPT_NAME``,
``request.urlconf``), and from then on ``urls(**values)`` only swaps each
request's values in. A marker left out of ``urls()`` stays in the URL, for a
row to swap its own id in (``.replace(shapes.markers["topic"], str(topic.pk))``).

The markers must be values a URL converter accepts and that cannot occur
anywhere else in a URL: the largest ids the ``<int:>`` converter takes, a slug
no circle can have (slugs are lowercase words joined by hyphens, never ``-x-``
at both ends).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf

ID_MARKS = (str(2**63 - 1), str(2**63 - 2), str(2**63 - 3))
SLUG_MARK = "x-slug-mark-x"


class UrlShapes:
    """The URLs ``build(**markers)`` reverses, with the markers in, kept per prefix and URLconf."""

    def __init__(self, build: Callable[..., dict[str, str]], **markers: str) -> None:
        self._build = build
        self.markers = markers
        self._shapes: dict[tuple[str, str], dict[str, str]] = {}

    def shapes(self) -> dict[str, str]:
        key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        shapes = self._shapes.get(key)
        if shapes is None:
            shapes = self._shapes[key] = self._build(**self.markers)
        return shapes

    def urls(self, **values: str) -> dict[str, str]:
        """Every URL with these values swapped in for their markers (a slug needs no quoting)."""
        swaps = [(self.markers[name], value) for name, value in values.items()]
        urls = {}
        for name, shape in self.shapes().items():
            for marker, value in swaps:
                shape = shape.replace(marker, value)
            urls[name] = shape
        return urls
