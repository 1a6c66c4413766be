"""Demo profiles for `manage.py seed_demo` (safe to run again).

Every demo person gets a filled-in profile, already past the first-sign-in
prompt, so the demo host and member land where they expect; industries,
cities and topics vary so "circles you might sit at" has something to say.
"""

from __future__ import annotations

import random

from django.utils import timezone

from members.models import Experience, Industry, Profile, Topic, User

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
