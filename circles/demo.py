"""Demo circles and their members for `manage.py seed_demo` (safe to run again).

Every circle is found by its slug and every membership by (circle, person)
before it is made, so running it twice leaves the same data.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from django.utils.text import slugify

from circles.models import Circle, JoinPolicy, Listing, Membership, Role, Status
from members.demo import DemoPeople
from members.models import Topic, User

CIRCLES = [
    # name, city (blank = online), zone, weekday, hh:mm, seats, policy, topics
    ("Tuesday Breakfast Thinkers", "Chicago", "America/Chicago", 1, "06:30", 12, JoinPolicy.REQUEST,
     ["Leadership", "Founders"]),
    ("Loop Product Circle", "Chicago", "America/Chicago", 3, "07:00", 10, JoinPolicy.OPEN,
     ["Product management", "Design"]),
    ("Kreuzberg Founders Table", "Berlin", "Europe/Berlin", 2, "07:30", 8, JoinPolicy.REQUEST,
     ["Founders", "Sales"]),
    ("Harbour Leaders Breakfast", "Sydney", "Australia/Sydney", 4, "06:45", 12, JoinPolicy.OPEN,
     ["Leadership", "Engineering management"]),
    ("Brooklyn Makers Supper", "New York", "America/New_York", 0, "18:30", 14, JoinPolicy.OPEN,
     ["Design", "Freelancing"]),
    ("Remote Engineering Managers", "", "Europe/London", 1, "17:00", 15, JoinPolicy.OPEN,
     ["Engineering management", "Leadership"]),
    ("Career Changers Online", "", "America/Denver", 5, "09:00", 10, JoinPolicy.REQUEST,
     ["Career change", "Freelancing"]),
    ("Working Parents Circle", "", "America/Los_Angeles", 2, "20:00", 8, JoinPolicy.INVITE,
     ["Parenting and work"]),
]  # fmt: skip


def seed_circles(*, topics: dict[str, Topic], cast: DemoPeople, rng: random.Random) -> list[Circle]:
    """The circles, each with a host and a few members; the demo member sits at two."""
    host, member, people = cast.host, cast.member, cast.people
    circles = []
    for index, spec in enumerate(CIRCLES):
        circle = _circle(*spec, topics=topics)
        circles.append(circle)
        _join(circle, host if index < 3 else people[index], Role.HOST, sponsor=None)
        others = rng.sample(people, k=min(circle.seat_limit - 3, 7))
        for person in others:
            sponsor = host if index < 3 else people[index]
            _join(circle, person, Role.MEMBER, sponsor=sponsor)
    # The demo member sits at the flagship breakfast and one online circle.
    _join(circles[0], member, Role.MEMBER, sponsor=host)
    _join(circles[5], member, Role.MEMBER, sponsor=people[5])
    return circles


def _circle(name, city, zone, weekday, hhmm, seats, policy, topic_names, *, topics):
    hour, minute = (int(part) for part in hhmm.split(":"))
    circle, created = Circle.objects.get_or_create(
        slug=slugify(name),
        defaults={
            "name": name,
            "purpose": (
                f"{name} is a small table of peers who meet to think out loud together. "
                "Bring a question you are stuck on; leave with three people who care "
                "how it turns out."
            ),
            "city": city,
            "is_online": not city,
            "meeting_link": "" if city else "https://meet.example.org/" + slugify(name),
            "venue_name": "The Corner Diner" if city else "",
            "venue_address": f"12 Market Street, {city}" if city else "",
            "time_zone": zone,
            "weekday": weekday,
            "start_time": dt.time(hour, minute),
            "duration_minutes": 75,
            "seat_limit": seats,
            "join_policy": policy,
            "listing": Listing.LISTED,
            "starts_on": timezone.localdate() - dt.timedelta(days=21),
        },
    )
    if created:
        circle.topics.set([topics[name] for name in topic_names])
    return circle


def _join(circle: Circle, user: User, role: str, sponsor: User | None) -> None:
    Membership.objects.get_or_create(
        circle=circle,
        user=user,
        defaults={
            "role": role,
            "status": Status.ACTIVE,
            "invited_by": sponsor,
            "joined_at": timezone.now(),
        },
    )
