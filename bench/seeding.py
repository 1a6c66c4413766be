"""The benchmark's data set, written with bulk inserts.

At scale 1: 10,000 members, 1,000 circles, 30,000 meetings, 100,000 RSVPs and
200,000 posts and replies, plus the fixed things the benchmark requests: a
circle whose next meeting has 12 RSVPs and 15 agenda topics, and a thread with
100 replies, all visible to one signed-in bench member. `tests/test_bench.py`
runs it at a tiny scale so it cannot rot.

The "live circle" rows (bench/live.py) have other members of that circle reply in
the thread and answer the meeting while it is read; ``targets()`` first takes back
what an earlier run wrote, so every run starts from the same 100 replies and 12
seats taken.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from importlib import import_module
from itertools import islice

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from circles.models import Circle, JoinPolicy, Membership, Role, Status
from config.text import render_markdown
from conversations.models import Post, Reply
from meetings.models import AgendaTopic, CalendarFeed, Meeting, Rsvp
from members.models import Topic, User

BENCH_SLUG = "bench-breakfast-table"
BENCH_EMAIL = "bench@peertables.bench"
BATCH = 5_000

ZONES = ["America/Chicago", "Europe/Berlin", "Australia/Sydney", "America/New_York", "UTC"]
CITIES = ["Chicago", "Berlin", "Sydney", "New York", ""]
TOPICS = ["Leadership", "Founders", "Design", "Engineering", "Sales", "Career change"]
BODY = (
    "We are hiring our first **designer** and I would love to hear how you ran the "
    "process: where you found people, what the take-home looked like, and what you "
    "would not do again. [Our notes](https://example.org/notes) so far."
)


@dataclass(frozen=True)
class Targets:
    circle_slug: str
    meeting_id: int
    post_id: int
    last_reply_id: int
    feed_token: str
    session_key: str
    # Members of the bench circle who write during the live rows (bench/live.py): not
    # going to the meeting, so their "maybe" and "not going" never change its 12 seats.
    writer_sessions: tuple[str, ...] = ()


def _chunks(iterable, size=BATCH):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def seeded() -> bool:
    return Circle.objects.filter(slug=BENCH_SLUG).exists()


@transaction.atomic
def seed(*, scale: float = 1.0, rng_seed: int = 9) -> None:
    """Write the data set; callers check `seeded()` first (it is not idempotent)."""
    rng = random.Random(rng_seed)  # noqa: S311 - benchmark data
    n_members = max(40, int(10_000 * scale))
    n_circles = max(4, int(1_000 * scale))
    meetings_per_circle = 30
    rsvps_per_meeting = max(1, round(100_000 / 30_000))  # ~3.3; rounded per meeting below
    posts_per_circle = 40
    replies_per_post = 4  # 1,000 x 40 x (1 + 4) = 200,000
    now = timezone.now()
    password = make_password("bench-password-not-secret")

    topics = [
        Topic.objects.get_or_create(slug=t.lower().replace(" ", "-"), name=t)[0] for t in TOPICS
    ]
    users = User.objects.bulk_create(
        (
            User(
                email=f"member{i}@peertables.bench",
                display_name=f"Member {i}",
                time_zone=ZONES[i % len(ZONES)],
                password=password,
            )
            for i in range(n_members)
        ),
        batch_size=BATCH,
    )
    bench_user = User.objects.create(
        email=BENCH_EMAIL,
        display_name="Bench Member",
        time_zone="America/Chicago",
        password=password,
    )

    circles = Circle.objects.bulk_create(
        (
            Circle(
                name=f"Circle {i} breakfast",
                slug=f"circle-{i}",
                purpose=BODY,
                city=CITIES[i % len(CITIES)],
                is_online=not CITIES[i % len(CITIES)],
                time_zone=ZONES[i % len(ZONES)],
                weekday=i % 7,
                start_time=dt.time(6 + i % 14, 30),
                seat_limit=12 if i % 3 else 30,
                join_policy=JoinPolicy.OPEN if i % 2 else JoinPolicy.REQUEST,
                starts_on=(now - dt.timedelta(weeks=22)).date(),
            )
            for i in range(n_circles - 1)
        ),
        batch_size=BATCH,
    )
    bench_circle = Circle.objects.create(
        name="Bench Breakfast Table",
        slug=BENCH_SLUG,
        purpose=BODY,
        city="Chicago",
        time_zone="America/Chicago",
        weekday=1,
        start_time=dt.time(6, 30),
        seat_limit=30,
        join_policy=JoinPolicy.REQUEST,
        starts_on=(now - dt.timedelta(weeks=22)).date(),
    )
    circles.append(bench_circle)
    Circle.topics.through.objects.bulk_create(
        Circle.topics.through(circle_id=c.pk, topic_id=topics[i % len(topics)].pk)
        for i, c in enumerate(circles)
    )

    # Ten members a circle (every member sits at one), the first one hosting.
    members_of: dict[int, list[User]] = {}
    memberships = []
    for index, circle in enumerate(circles):
        people = [users[(index * 10 + k) % len(users)] for k in range(10)]
        if circle is bench_circle:
            people = [bench_user, *people, *rng.sample(users, 12)]
        members_of[circle.pk] = people
        for k, person in enumerate(people):
            memberships.append(
                Membership(
                    circle=circle,
                    user=person,
                    role=Role.HOST if k == 0 else Role.MEMBER,
                    status=Status.ACTIVE,
                    joined_at=now - dt.timedelta(weeks=22),
                )
            )
    for chunk in _chunks(memberships):
        Membership.objects.bulk_create(chunk, ignore_conflicts=True)

    # 30 meetings a circle: 22 past, 8 ahead (the rolling horizon).
    meetings = []
    for circle in circles:
        first = now - dt.timedelta(weeks=22) + dt.timedelta(days=circle.pk % 7)
        for week in range(meetings_per_circle):
            starts = (first + dt.timedelta(weeks=week)).replace(second=0, microsecond=0)
            meetings.append(
                Meeting(
                    circle=circle,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=75),
                    local_date=starts.date(),
                    series_date=starts.date(),
                )
            )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)

    rsvps = []
    for meeting in meetings:
        people = members_of[meeting.circle_id]
        count = rsvps_per_meeting + (1 if rng.random() < 0.33 else 0)
        for person in rng.sample(people[:10], k=min(count, len(people))):
            rsvps.append(Rsvp(meeting=meeting, user=person, answer="going"))
    bench_next = (
        Meeting.objects.filter(circle=bench_circle, starts_at__gt=now).order_by("starts_at").first()
    )
    bench_people = members_of[bench_circle.pk]
    taken = {r.user_id for r in rsvps if r.meeting_id == bench_next.pk}
    for person in bench_people:
        if len(taken) >= 12:
            break
        if person.pk not in taken:
            rsvps.append(Rsvp(meeting=bench_next, user=person, answer="going"))
            taken.add(person.pk)
    for chunk in _chunks(rsvps):
        Rsvp.objects.bulk_create(chunk, ignore_conflicts=True)
    AgendaTopic.objects.bulk_create(
        AgendaTopic(
            meeting=bench_next,
            author=bench_people[i % len(bench_people)],
            title=f"Topic {i}: how do you run a hiring loop?",
            details=BODY,
            details_html=render_markdown(BODY),  # bulk_create skips save(), which writes it
        )
        for i in range(15)
    )

    posts = []
    for circle in circles:
        people = members_of[circle.pk]
        for p in range(posts_per_circle):
            created = now - dt.timedelta(hours=p * 5 + 1)
            posts.append(
                Post(
                    circle=circle,
                    author=people[p % len(people)],
                    kind=("ask", "give", "discussion")[p % 3],
                    title=f"Post {p}: who has hired a first designer?",
                    body=BODY,
                    created_at=created,
                    last_activity_at=created,
                )
            )
    posts = Post.objects.bulk_create(posts, batch_size=BATCH)
    circle_people = {c.pk: members_of[c.pk] for c in circles}
    replies = (
        Reply(
            post=post,
            author=circle_people[post.circle_id][(r + 1) % 10],
            body=BODY,
            created_at=post.created_at + dt.timedelta(minutes=r + 1),
        )
        for post in posts
        for r in range(replies_per_post)
    )
    for chunk in _chunks(replies):
        Reply.objects.bulk_create(chunk)

    thread = Post.objects.create(
        circle=bench_circle,
        author=bench_user,
        kind="discussion",
        title="The long thread: what did you learn this year?",
        body=BODY,
    )
    Reply.objects.bulk_create(
        Reply(
            post=thread,
            author=bench_people[r % len(bench_people)],
            body=BODY,
            created_at=now + dt.timedelta(seconds=r),
        )
        for r in range(100)
    )
    CalendarFeed.objects.get_or_create(user=bench_user)


def _session_for(user: User) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


@transaction.atomic
def take_back_live_writes(meeting: Meeting, thread: Post) -> None:
    """Delete what the live rows wrote: replies past the thread's first 100, and every
    answer but "going" to the meeting (the seed only writes "going")."""
    first = list(thread.replies.order_by("pk").values_list("pk", flat=True)[:100])
    if first:
        thread.replies.filter(pk__gt=first[-1]).delete()
    Rsvp.objects.filter(meeting=meeting).exclude(answer="going").delete()


def targets(*, writers: int = 8) -> Targets:
    """The ids the benchmark requests, a fresh signed-in session for the bench member,
    and sessions for up to ``writers`` other members who write during the live rows."""
    user = User.objects.get(email=BENCH_EMAIL)
    circle = Circle.objects.get(slug=BENCH_SLUG)
    meeting = (
        Meeting.objects.filter(circle=circle, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    thread = Post.objects.filter(circle=circle, author=user).latest("pk")
    take_back_live_writes(meeting, thread)
    last_reply = thread.replies.latest("pk")
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    going = Rsvp.objects.filter(meeting=meeting).values("user_id")
    writer_users = (
        User.objects.filter(memberships__circle=circle, memberships__status=Status.ACTIVE)
        .exclude(pk=user.pk)
        .exclude(pk__in=going)
        .order_by("pk")[:writers]
    )
    return Targets(
        circle_slug=circle.slug,
        meeting_id=meeting.pk,
        post_id=thread.pk,
        last_reply_id=last_reply.pk,
        feed_token=feed.token,
        session_key=_session_for(user),
        writer_sessions=tuple(_session_for(writer) for writer in writer_users),
    )
