"""Circles you might sit at: a short, explained ranking for one signed-in member.

A circle is suggested only when all of these hold:
- it is listed, not archived, has an open seat, and the person is not in it
  (nor invited, nor waiting on a request);
- at least one of its topics is one the person can help with or is looking for;
- it meets in the person's city, or online;
- its meeting starts in the person's waking hours, on their own clock.

Waking hours are 06:00 to 21:00 in the person's zone. The classic circle is
a 06:30 breakfast before work (PRODUCT.md), so the window must open before
seven; a meeting that starts after 21:00 runs past ten at night, which few
people can keep up every week.

Among those, circles rank by how many topics match, then by the variety the
person's industry would add (no one at the table from it yet is best), then
by seats open. Each suggestion carries a one-line reason, e.g.
"no one in design yet; on design and founders; meets Tuesdays 6:30 your time; in Chicago".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from circles.models import Circle, Membership, Status
from config.compiled import CompiledQuery
from members.models import Industry, Profile

if TYPE_CHECKING:
    from members.models import User

WAKING_START = dt.time(6, 0)
WAKING_END = dt.time(21, 0)
SUGGESTION_COUNT = 3
# Enough to rank well without reading the whole directory on every page view.
CANDIDATE_LIMIT = 60


# Marker value compiled into the SQL in place of each request's person (config/compiled.py).
_USER_ID = -(2**62) + 61


def _profile_rows(user_id: int):
    """The person's profile (city, industry) and the topics it names, as rows of one UNION ALL."""
    profile = (
        Profile.objects.filter(pk=user_id)
        .order_by()
        .values_list(Value("profile"), "city", "industry", Value(0))
    )
    helps, seeks = (
        through.objects.filter(profile_id=user_id)
        .order_by()
        .values_list(Value("topic"), "topic__name", Value(""), "topic_id")
        for through in (Profile.can_help_with.through, Profile.looking_for.through)
    )
    return profile.union(helps, seeks, all=True)


_PROFILE = CompiledQuery(_profile_rows, user_id=_USER_ID)


def _profile(user: User) -> tuple[str, str, dict[int, str]] | None:
    """The person's city, industry and topics ({id: name}), or None without a profile."""
    profile = None
    tags: dict[int, str] = {}
    for kind, text, industry, topic_id in _PROFILE.rows(user_id=user.pk):
        if kind == "profile":
            profile = (text, industry)
        else:
            tags[topic_id] = text
    return None if profile is None else (*profile, tags)


@dataclass(frozen=True)
class Suggestion:
    circle: Circle
    reason: str
    score: tuple[int, int, int]


def _clock(value: dt.datetime) -> str:
    """'6:30' or '18:00': the hour without a leading zero, as people say it."""
    return f"{value.hour}:{value.minute:02d}"


def _and(words) -> str:
    """'design', 'design and sales', 'design, sales and hiring'."""
    words = list(words)
    if len(words) == 1:
        return words[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _lower(text: str) -> str:
    """A label inside a sentence: lower-cased, except in German, which capitalises nouns."""
    return text if translation.get_language() == "de" else text.lower()


def suggest_circles(user: User, *, limit: int = SUGGESTION_COUNT) -> list[Suggestion]:
    """The best few circles for this person, best first; [] without a profile to go on.

    A fixed number of queries whatever the number of circles: the profile with
    its topics (one query, compiled once per process), then only for a profile
    with topics the candidates, their topics and the industry counts.
    """
    if not user.is_authenticated:
        return []
    profile = _profile(user)
    if profile is None:
        return []
    city, industry, tags = profile
    if not tags:
        return []
    try:
        zone = ZoneInfo(user.time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")

    place = Q(is_online=True)
    if city:
        place |= Q(city__iexact=city)
    already = Membership.objects.filter(
        circle=OuterRef("pk"),
        user=user,
        status__in=[Status.ACTIVE, Status.INVITED, Status.REQUESTED],
    )
    matching_topic = Circle.topics.through.objects.filter(
        circle_id=OuterRef("pk"), topic_id__in=list(tags)
    )
    candidates = list(
        Circle.objects.listed()
        .filter(place)
        .filter(Exists(matching_topic))
        .exclude(Exists(already))
        .with_directory_data()
        .filter(active_member_count__lt=F("seat_limit"))
        .order_by("name")[:CANDIDATE_LIMIT]
    )
    if not candidates:
        return []

    same_industry: dict[int, int] = {}
    if industry:
        same_industry = dict(
            Membership.objects.filter(
                circle__in=[c.pk for c in candidates],
                status=Status.ACTIVE,
                user__profile__industry=industry,
            )
            .values_list("circle_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    industry_label = _lower(Industry(industry).label) if industry else ""

    now = timezone.now()
    suggestions = []
    for circle in candidates:
        start = circle.next_starts(after=now)[0].astimezone(zone)
        if not (WAKING_START <= start.time() <= WAKING_END):
            continue
        shared = [t.name for t in circle.topics.all() if t.pk in tags]
        peers = same_industry.get(circle.pk, 0)
        variety = 2 if industry and peers == 0 else (1 if peers == 1 else 0)
        parts = []
        if industry and peers == 0:
            parts.append(_("no one in %(industry)s yet") % {"industry": industry_label})
        parts.append(_("on %(topics)s") % {"topics": _and(_lower(t) for t in shared)})
        when = {"weekday": dateformat.format(start, "l"), "time": _clock(start)}
        if circle.every_weeks == 1:
            parts.append(_("meets %(weekday)ss %(time)s your time") % when)
        else:
            parts.append(_("meets every other %(weekday)s %(time)s your time") % when)
        if not circle.is_online:
            parts.append(_("in %(city)s") % {"city": circle.city})
        else:
            parts.append(_("online"))
        suggestions.append(
            Suggestion(
                circle=circle,
                reason="; ".join(parts),
                score=(len(shared), variety, circle.seats_open()),
            )
        )
    suggestions.sort(key=lambda s: (tuple(-x for x in s.score), s.circle.name))
    return suggestions[:limit]
