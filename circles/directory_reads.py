"""What the directory's filters offer, read in one query and handed on as plain values.

Every topic (slug and name) and the cities of listed circles fill the filter
form's selects and validate what a visitor sent: an unknown topic or city is
refused without a query. The query is an ORM query compiled to SQL once per
process (config/compiled.py).
"""

from __future__ import annotations

from django.db.models import F, QuerySet, Value

from circles.models import Circle
from config.compiled import CompiledQuery
from members.models import Topic

# --- The filters' choices ----------------------------------------------------------


def _choices() -> QuerySet:
    topics = Topic.objects.order_by().annotate(kind=Value("topic"), label=F("name"))
    cities = (
        Circle.objects.listed()
        .filter(is_online=False)
        .order_by()
        .annotate(kind=Value("city"), value=F("city"), label=F("city"))
    )
    # Each city once (DISTINCT); the topics need no such check (UNION ALL).
    return (
        topics.values_list("kind", "slug", "label")
        .union(cities.values_list("kind", "value", "label").distinct(), all=True)
        .order_by("kind", "label")
    )


_CHOICES = CompiledQuery(_choices)


def filter_choices() -> dict[str, list]:
    """``topics`` as (slug, name) and ``cities``, each in name order, from one query."""
    topics: list[tuple[str, str]] = []
    cities: list[str] = []
    for kind, value, label in _CHOICES.rows():
        if kind == "topic":
            topics.append((value, label))
        else:
            cities.append(value)
    return {"topics": topics, "cities": cities}
