"""What the directory shows, read in a fixed number of queries and handed on as plain values.

1. the filters' choices: every topic (slug and name) and the cities of listed
   circles, in one query. They fill the filter form's selects and validate what
   a visitor sent: an unknown topic or city is refused without a query;
2. a page of circles, each with its seat count, its next meeting
   (circles/annotations.py) and its topics' names (subqueries PostgreSQL runs
   for the page's rows only), and the number of circles the filters find in
   all (an uncorrelated subquery it runs once, not a COUNT query of its own).

A page past the last one costs two more (the count, then the last page), as
Django's ``Paginator.get_page`` would show it. Without filters (the directory as
most people open it) both reads are ORM queries compiled to SQL once per
process (config/compiled.py), the page's LIMIT and OFFSET among its parameters;
a filtered page builds its circles' query with the ORM, since the filters
change its shape. The rows are read as tuples, never as model instances, and
circles/directory_cards.py writes the cards from them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    DateTimeField,
    F,
    Func,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from circles import annotations, schedule
from circles.forms import DirectoryFilterForm
from circles.models import Circle, CircleQuerySet, Frequency
from config.compiled import CompiledQuery
from members.models import Topic

PAGE_SIZE = 12
# A page this far out is past the last (it would take billions of circles); its
# offset is not sent to the database, which could not hold it in an integer.
_MAX_OFFSET = 2**31

# Marker values compiled into the SQL in place of each request's own (config/compiled.py).
_NOW = dt.datetime(1901, 1, 1, 0, 0, 31, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Card:
    """One directory card's values (circles/directory_cards.py writes it)."""

    pk: int
    slug: str
    name: str
    is_online: bool
    city: str
    weekday: int
    fortnightly: bool
    start_time: dt.time
    time_zone: str
    seats_open: int
    purpose: str
    next_local: dt.datetime  # the next meeting, in the viewer's zone
    topics: list[str]


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


# --- A page of circles --------------------------------------------------------------

_CARD_COLUMNS = (
    "pk", "slug", "name", "is_online", "city", "weekday", "frequency", "start_time",
    "time_zone", "starts_on", "seat_limit", "active_member_count", "purpose",
    "next_meeting_at", "topic_names", "total",
)  # fmt: skip


class _JsonNames(Func):
    """A column's values as one JSON array: in order on PostgreSQL, as found on SQLite.

    An aggregate written as a plain function, so the ORM adds no GROUP BY to the
    subquery it sits in. SQLite (before 3.44) cannot order an aggregate's input;
    ``_cards`` sorts those names in Python, which orders text as SQLite's BINARY
    collation does.
    """

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # The expression is a column, so it carries no parameters to repeat.
        template = "%(function)s(%(expressions)s ORDER BY %(expressions)s)"
        return self.as_sql(
            compiler, connection, function="JSONB_AGG", template=template, **extra_context
        )


def _topic_names() -> Subquery:
    """Each circle's topics' names, as a JSON array, in Topic's own order (by name)."""
    tagged = Circle.topics.through.objects.filter(circle_id=OuterRef("pk")).order_by()
    return Subquery(tagged.annotate(names=_JsonNames("topic__name")).values("names"))


def _card_rows(circles: CircleQuerySet, now: dt.datetime) -> QuerySet:
    """What each card shows, and how many circles there are in all, ordered by name."""
    # COUNT as a plain function: an aggregate would make the ORM GROUP BY.
    total = circles.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    circles = annotations.annotate(annotations.NEXT_MEETING, circles, now=now)
    if "next_meeting_at" not in circles.query.annotations:  # no app tells: the schedule will
        circles = circles.annotate(next_meeting_at=Value(None, output_field=DateTimeField()))
    return (
        circles.annotate(topic_names=_topic_names(), total=Subquery(total))
        .order_by("name", "pk")
        .values_list(*_CARD_COLUMNS)
    )


_LISTED = CompiledQuery(
    lambda now: _card_rows(Circle.objects.listed().with_seat_count(), now), paged=True, now=_NOW
)


def _requested(number: str | None) -> int | None:
    """The page asked for: 1 when it is no number, None when it is below 1 or far too big."""
    try:
        requested = int(number) if number is not None else 1
    except (TypeError, ValueError):
        return 1
    if requested < 1 or (requested - 1) * PAGE_SIZE > _MAX_OFFSET:
        return None
    return requested


def cards_page(
    form: DirectoryFilterForm, *, filtered: bool, number: str | None, zone: ZoneInfo | None
) -> Page:
    """The page of ``Card``s the visitor asked for, as ``Paginator.get_page`` would pick it.

    ``filtered``: whether the form narrows the circles (else the compiled query
    runs); ``zone``: the viewer's own, or None to show each circle's meeting in
    its own zone.
    """
    now = timezone.now()
    if filtered:
        circles = form.filter(Circle.objects.listed().with_seat_count())
        query = _card_rows(circles, now)

        def read(limit: int, offset: int) -> list:
            return list(query[offset : offset + limit])

    else:

        def read(limit: int, offset: int) -> list:
            return _LISTED.rows(now=now, limit=limit, offset=offset)

    requested = _requested(number)
    rows = read(PAGE_SIZE, (requested - 1) * PAGE_SIZE) if requested is not None else []
    if rows:
        total = rows[0][-1]
    elif requested == 1:
        total = 0
    else:  # past the last page, or below the first: the last page
        first = read(1, 0)
        total = first[0][-1] if first else 0
        requested = max(1, math.ceil(total / PAGE_SIZE))
        rows = read(PAGE_SIZE, (requested - 1) * PAGE_SIZE) if total else []
    paginator = Paginator((), PAGE_SIZE)
    paginator.count = total  # a cached_property: the count is known, nothing to ask
    return Page(_cards(rows, now, zone), requested, paginator)


def newest_cards(count: int) -> list[Card]:
    """The ``count`` most recently created listed circles' cards, each in its own zone."""
    now = timezone.now()
    circles = _card_rows(Circle.objects.listed().with_seat_count(), now)
    return _cards(list(circles.order_by("-created_at", "-pk")[:count]), now, None)


def _cards(rows: list, now: dt.datetime, zone: ZoneInfo | None) -> list[Card]:
    unordered = connections["default"].vendor == "sqlite"  # see _JsonNames
    cards = []
    for (
        pk, slug, name, is_online, city, weekday, frequency, start_time, time_zone, starts_on,
        seat_limit, members, purpose, next_at, topics, _total,
    ) in rows:  # fmt: skip
        every_weeks = 2 if frequency == Frequency.FORTNIGHTLY else 1
        if next_at is None:  # no meeting rows yet: the schedule says when
            next_at = schedule.occurrences(
                weekday=weekday, start_time=start_time, zone=ZoneInfo(time_zone), after=now,
                anchor=starts_on, every_weeks=every_weeks,
            )[0]  # fmt: skip
        next_local = next_at.astimezone(zone or ZoneInfo(time_zone))
        cards.append(
            Card(
                pk=pk,
                slug=slug,
                name=name,
                is_online=is_online,
                city=city,
                weekday=weekday,
                fortnightly=every_weeks == 2,
                start_time=start_time,
                time_zone=time_zone,
                seats_open=max(seat_limit - members, 0),
                purpose=purpose,
                next_local=next_local,
                topics=sorted(topics) if unordered and topics else (topics or []),
            )
        )
    return cards
