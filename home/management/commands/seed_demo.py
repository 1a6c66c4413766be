"""Demo data for `make run`: circles in cities and online, 40 members, a demo host and member.

Each app seeds its own part (members/demo.py, circles/demo.py, meetings/demo.py,
conversations/demo.py, moderation/demo.py), in the order the layers build on
each other. Idempotent: every row is found by a natural key (email, slug)
before it is made, so running it twice leaves the same data.
"""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from circles.demo import seed_circles
from conversations.demo import seed_posts
from meetings.demo import seed_meetings
from members.demo import (
    DEMO_HOST_EMAIL,
    DEMO_MEMBER_EMAIL,
    DEMO_PASSWORD,
    DEMO_STAFF_EMAIL,
    seed_people,
    seed_profiles,
    seed_topics,
)
from moderation.demo import seed_flags


class Command(BaseCommand):
    help = "Load demo circles, members and memberships (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        rng = random.Random(20261123)  # noqa: S311 - demo data, not security
        topics = seed_topics()
        cast = seed_people()
        circles = seed_circles(topics=topics, cast=cast, rng=rng)
        seed_profiles()
        seed_meetings(circles)
        seed_posts(circles)
        seed_flags(DEMO_MEMBER_EMAIL)

        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"  Demo host:   {DEMO_HOST_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Demo member: {DEMO_MEMBER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Staff:       {DEMO_STAFF_EMAIL} / {DEMO_PASSWORD} (admin)")
