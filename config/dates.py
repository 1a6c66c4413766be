"""Django's short weekday and month names (the date filter's "D" and "M"), per language.

Rows written in Python (a thread's replies, the directory's cards) format many
dates a page; ``django.utils.dateformat`` translates each name again on every
call. These are the same words, translated once per process and language.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils import translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR


@lru_cache(maxsize=16)
def short_names_in(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Mon to Sun, then "" and Jan to Dec) as the date filter writes them in ``language``.

    ``language`` is the active language's code, the cache's key: call it with
    ``translation.get_language()`` or use ``short_names()``.
    """
    weekdays = tuple(str(WEEKDAYS_ABBR[n]) for n in range(7))
    months = ("", *(str(MONTHS_3[n]).title() for n in range(1, 13)))
    return weekdays, months


def short_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``short_names_in`` the active language."""
    return short_names_in(translation.get_language())
