"""Demo people, topics and profiles for `manage.py seed_demo` (safe to run again).

Every row is found by a natural key (email, slug) before it is made, so
running it twice leaves the same data. Every demo person gets a filled-in
profile, already past the first-sign-in prompt, so the demo host and member
land where they expect; industries, cities and topics vary so "circles you
might sit at" has something to say.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify

from members.models import Experience, Industry, Profile, Topic, User

DEMO_PASSWORD = "peertables-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_HOST_EMAIL = "host@peertables.demo"
DEMO_MEMBER_EMAIL = "member@peertables.demo"
DEMO_STAFF_EMAIL = "staff@peertables.demo"

TOPICS = [
    "Leadership", "Product management", "Founders", "Design", "Engineering management",
    "Career change", "Sales", "Parenting and work", "Nonprofits", "Freelancing",
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

HEADLINES = [
    "Product lead helping small teams ship",
    "Founder of a two-person design studio",
    "Engineering manager, second time around",
    "Nonprofit director learning to delegate",
    "Freelance writer turned content strategist",
    "Sales lead who loves a hard question",
    "Operations generalist at a growing startup",
    "Parent of two, back at work after a year off",
]
ROLES = ["Head of product", "Founder", "Engineering manager", "Director", "Consultant", "Lead"]
CITIES = {
    "America/Chicago": "Chicago",
    "Europe/Berlin": "Berlin",
    "Australia/Sydney": "Sydney",
    "America/New_York": "New York",
    "Europe/London": "London",
}


@dataclass(frozen=True)
class DemoPeople:
    """Who the demo has: the host and member who sign in, and forty others."""

    host: User
    member: User
    staff: User
    people: list[User]


def seed_topics() -> dict[str, Topic]:
    return {
        name: Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in TOPICS
    }


def seed_people() -> DemoPeople:
    # One Argon2 hash shared by every demo account: hashing 43 times is slow on purpose.
    password_hash = make_password(DEMO_PASSWORD)

    def person(email: str, name: str, zone: str, staff: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email,
                password=password_hash,
                display_name=name,
                time_zone=zone,
                is_staff=staff,
                is_superuser=staff,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"primary": True, "verified": True}
        )
        return user

    host = person(DEMO_HOST_EMAIL, "Harriet Host", "America/Chicago")
    member = person(DEMO_MEMBER_EMAIL, "Milo Member", "America/Chicago")
    staff = person(DEMO_STAFF_EMAIL, "Sasha Staff", "UTC", staff=True)
    people = [
        person(
            f"{first.lower()}.{LAST[i % len(LAST)].lower()}@peertables.demo",
            f"{first} {LAST[i % len(LAST)]}",
            ZONES[i % len(ZONES)],
        )
        for i, first in enumerate(FIRST * 2)
    ][:40]
    return DemoPeople(host=host, member=member, staff=staff, people=people)


def seed_profiles() -> None:
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    topics = list(Topic.objects.order_by("name"))
    industries = [choice for choice in Industry.values if choice != Industry.OTHER]
    now = timezone.now()
    for index, user in enumerate(User.objects.filter(email__endswith="@peertables.demo")):
        profile, created = Profile.objects.get_or_create(
            user=user,
            defaults={
                "headline": HEADLINES[index % len(HEADLINES)],
                "role": ROLES[index % len(ROLES)],
                "industry": industries[index % len(industries)],
                "experience": Experience.values[index % len(Experience.values)],
                "city": CITIES.get(user.time_zone, ""),
                "bio": "I come to the table to **think out loud** and to help where I can.",
                "prompted_at": now,
            },
        )
        if created and topics:
            profile.can_help_with.set(rng.sample(topics, k=min(2, len(topics))))
            profile.looking_for.set(rng.sample(topics, k=min(2, len(topics))))
