"""A page's URLs reversed once per process, each request swapping its own values in.

``reverse()`` costs 20 to 60 µs a call; a page with thirty links spent more on
them than on its queries' rows. ``UrlShapes`` reverses every URL a page needs
once, with marker values in place of the slug and ids, keeps the result per
script prefix and URLconf (both can change per request: ``SCRIPT_NAME``,
``request.urlconf``), and from then on ``urls(**values)`` only swaps each
request's values in. A marker left out of ``urls()`` stays in the URL, for a
row to swap its own id in (``.replace(shapes.markers["topic"], str(topic.pk))``).

The markers must be values a URL converter accepts and that cannot occur
anywhere else in a URL: the largest ids the ``<id:>`` converter takes, and a
slug made of words. ``urls()`` swaps all its values in one pass, so a value is
never searched for another marker; a marker left for a row is searched in the
whole URL, so no circle's slug may hold one (circles.services.slug_candidates
leaves them out, tests/test_urlshapes.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf

ID_MARKS = (str(2**63 - 1), str(2**63 - 2), str(2**63 - 3))
SLUG_MARK = "x-slug-mark-x"
MARKS = (*ID_MARKS, SLUG_MARK)


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
        by_marker = {self.markers[name]: value for name, value in values.items()}
        pattern = re.compile("|".join(re.escape(marker) for marker in by_marker))
        swap = lambda found: by_marker[found.group()]  # noqa: E731
        return {name: pattern.sub(swap, shape) for name, shape in self.shapes().items()}
