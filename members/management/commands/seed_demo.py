"""Demo data for `make run`: circles in cities and online, 40 members, a demo host and member.

Idempotent: every row is found by a natural key (email, slug) before it is
made, so running it twice leaves the same data.
"""

from __future__ import annotations

import datetime as dt
import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from circles.models import Circle, JoinPolicy, Listing, Membership, Role, Status, Topic
from members.models import User

DEMO_PASSWORD = "peertables-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_HOST_EMAIL = "host@peertables.demo"
DEMO_MEMBER_EMAIL = "member@peertables.demo"
DEMO_STAFF_EMAIL = "staff@peertables.demo"

TOPICS = [
    "Leadership", "Product management", "Founders", "Design", "Engineering management",
    "Career change", "Sales", "Parenting and work", "Nonprofits", "Freelancing",
]  # fmt: skip

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

FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kai",
         "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq"]  # fmt: skip
LAST = ["Ruiz", "Okafor", "Novak", "Shah", "Kim", "Meyer", "Haddad", "Silva"]
ZONES = [
    "America/Chicago",
    "Europe/Berlin",
    "Australia/Sydney",
    "America/New_York",
    "Europe/London",
]


class Command(BaseCommand):
    help = "Load demo circles, members and memberships (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        rng = random.Random(20261123)  # noqa: S311 - demo data, not security
        # One Argon2 hash shared by every demo account: hashing 43 times is slow on purpose.
        self._password_hash = make_password(DEMO_PASSWORD)
        topics = {name: self._topic(name) for name in TOPICS}
        host = self._user(DEMO_HOST_EMAIL, "Harriet Host", "America/Chicago")
        member = self._user(DEMO_MEMBER_EMAIL, "Milo Member", "America/Chicago")
        self._user(DEMO_STAFF_EMAIL, "Sasha Staff", "UTC", staff=True)
        people = [
            self._user(
                f"{first.lower()}.{LAST[i % len(LAST)].lower()}@peertables.demo",
                f"{first} {LAST[i % len(LAST)]}",
                ZONES[i % len(ZONES)],
            )
            for i, first in enumerate(FIRST * 2)
        ][:40]
        circles = []
        for index, spec in enumerate(CIRCLES):
            circle = self._circle(*spec, topics=topics)
            circles.append(circle)
            self._join(circle, host if index < 3 else people[index], Role.HOST, sponsor=None)
            others = rng.sample(people, k=min(circle.seat_limit - 3, 7))
            for person in others:
                sponsor = host if index < 3 else people[index]
                self._join(circle, person, Role.MEMBER, sponsor=sponsor)
        # The demo member sits at the flagship breakfast and one online circle.
        self._join(circles[0], member, Role.MEMBER, sponsor=host)
        self._join(circles[5], member, Role.MEMBER, sponsor=people[5])
        from members.demo import seed_profiles

        seed_profiles()
        self._seed_later_apps(circles)
        from moderation.demo import seed_flags

        seed_flags(DEMO_MEMBER_EMAIL)

        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"  Demo host:   {DEMO_HOST_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Demo member: {DEMO_MEMBER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Staff:       {DEMO_STAFF_EMAIL} / {DEMO_PASSWORD} (admin)")

    def _topic(self, name: str) -> Topic:
        topic, _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        return topic

    def _user(self, email: str, name: str, zone: str, staff: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email,
                password=self._password_hash,
                display_name=name,
                time_zone=zone,
                is_staff=staff,
                is_superuser=staff,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"primary": True, "verified": True}
        )
        return user

    def _circle(self, name, city, zone, weekday, hhmm, seats, policy, topic_names, *, topics):
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

    def _join(self, circle: Circle, user: User, role: str, sponsor: User | None) -> None:
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

    def _seed_later_apps(self, circles: list[Circle]) -> None:
        """Meetings and posts, once their apps provide the services."""
        from meetings.demo import seed_meetings

        seed_meetings(circles)

        from conversations.demo import seed_posts

        seed_posts(circles)
