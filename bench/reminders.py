"""`make bench-reminders`: how fast real Celery workers send 10,000 due reminders over SMTP.

    uv run python -m bench.reminders          # also the last step of `make bench`

Seeds 10,000 due reminders into the bench database (200 circles of 50 members, one
meeting each starting in two hours, most members going, some on the waitlist, a
few agenda topics), starts an SMTP sink (aiosmtpd) in this process and one real
`celery -A config worker` in production mode with EMAIL_URL pointing at the sink
(both in bench/reminder_rig.py),
then queues the sweep task once, as beat would, and times it until every one of
the 10,000 ledger rows is sent. The sink counts messages, SMTP connections and
duplicates (the same recipient and subject twice). Then it resets and does the
same with two workers. The table goes to docs/PERFORMANCE.md between the
`bench:reminders` markers; the exit status is 1 when a reminder is missing or
duplicated.

Everything it writes is its own (circles `reminders-bench-*`, people
`@reminders.bench`) and is deleted before and after a run, so the web benchmark's
data set is left as it was. Reminders the web data set itself owes at that moment
are recorded as skipped first, so they do not dilute the measurement.

Environment: BENCH_DATABASE_URL, BENCH_REDIS_URL as for bench/run.py;
BENCH_REMINDERS (default 10000); BENCH_REMINDER_WORKERS (default "1,2").
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.reminder_rig import (
    Sink,
    cpu_seconds,
    free_port,
    start_workers,
    stop_workers,
    wait_for_workers,
    worker_env,
)

ROOT = Path(__file__).resolve().parent.parent
TAG = "reminders-bench"
DOMAIN = "reminders.bench"
MEMBERS_PER_MEETING = 50
CIRCLES_PER_MEMBER = 5
SEATS = 30
COUNT = int(os.environ.get("BENCH_REMINDERS", "10000"))
WORKER_COUNTS = [int(n) for n in os.environ.get("BENCH_REMINDER_WORKERS", "1,2").split(",")]
TIMEOUT_SECONDS = 20 * 60
TARGET_PER_SECOND = 200
MARK_START = "<!-- bench:reminders:start -->"
MARK_END = "<!-- bench:reminders:end -->"
SKIP_NOTE = "Not part of the reminder benchmark."


def log(message: str) -> None:
    print(f"== {message}", flush=True)


# --- The data (needs Django set up) -----------------------------------------------------------


def cleanup() -> None:
    """Delete everything a previous run wrote (its meetings' ledger rows go with them)."""
    from circles.models import Circle
    from members.models import User

    Circle.objects.filter(slug__startswith=f"{TAG}-").delete()
    User.objects.filter(email__endswith=f"@{DOMAIN}").delete()


def settle_other_reminders() -> int:
    """Record what the rest of the database owes right now as skipped; returns how many.

    The web benchmark's data set has meetings whose reminders fall due too; sent
    during the measurement they would be counted against our 10,000.
    """
    from notifications import ledger
    from notifications.models import Delivery, DeliveryState

    ledger.reminders_create_due()
    return (
        Delivery.objects.reminders()
        .filter(state=DeliveryState.PENDING)
        .exclude(meeting__circle__slug__startswith=f"{TAG}-")
        .update(state=DeliveryState.SKIPPED, note=SKIP_NOTE)
    )


def seed(count: int = COUNT) -> int:
    """``count`` due reminders: circles of 50 members, each member in five circles.

    Starts with cleanup(), so running it again measures the same thing. Every
    circle has one meeting two hours from now (due: the lead is 24 hours), 30
    members going, 6 going on the waitlist, 6 maybe and the rest not answered,
    and three agenda topics. Returns the number of meetings.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from circles.models import Circle, Membership, Role, Status
    from meetings.models import AgendaTopic, Answer, Meeting, Rsvp
    from members.models import User

    cleanup()
    zones = ["America/Chicago", "Europe/Berlin", "Australia/Sydney", "America/New_York", "UTC"]
    n_meetings = -(-count // MEMBERS_PER_MEETING)
    n_users = max(MEMBERS_PER_MEETING, count // CIRCLES_PER_MEMBER)
    now = timezone.now()
    starts = (now + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    password = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            (
                User(
                    email=f"r{i}@{DOMAIN}",
                    display_name=f"Reminded Member {i}",
                    time_zone=zones[i % len(zones)],
                    password=password,
                )
                for i in range(n_users)
            ),
            batch_size=2000,
        )
        circles = Circle.objects.bulk_create(
            Circle(
                name=f"Reminder Bench Breakfast {c}",
                slug=f"{TAG}-{c}",
                purpose="Measures how fast reminders go out.",
                city="Chicago",
                time_zone=zones[c % len(zones)],
                weekday=starts.weekday(),
                start_time=dt.time(6, 30),
                seat_limit=SEATS,
                reminder_lead_hours=24,
                starts_on=starts.date(),
            )
            for c in range(n_meetings)
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                circle=circle,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=75),
                local_date=starts.astimezone(circle.zone).date(),
                is_one_off=True,
            )
            for circle in circles
        )
        memberships, rsvps, topics = [], [], []
        for c, (circle, meeting) in enumerate(zip(circles, meetings, strict=True)):
            size = min(MEMBERS_PER_MEETING, count - c * MEMBERS_PER_MEETING)
            people = [users[(c * MEMBERS_PER_MEETING + k) % n_users] for k in range(size)]
            for k, person in enumerate(people):
                memberships.append(
                    Membership(
                        circle=circle,
                        user=person,
                        role=Role.HOST if k == 0 else Role.MEMBER,
                        status=Status.ACTIVE,
                        joined_at=now,
                    )
                )
                if k < SEATS + 12:
                    waitlisted = SEATS <= k < SEATS + 6
                    rsvps.append(
                        Rsvp(
                            meeting=meeting,
                            user=person,
                            answer=Answer.MAYBE if k >= SEATS + 6 else Answer.GOING,
                            waitlisted=waitlisted,
                            waitlisted_at=now if waitlisted else None,
                        )
                    )
            topics += [
                AgendaTopic(
                    meeting=meeting,
                    author=people[t % len(people)],
                    title=f"Topic {t}: what would you do in my place?",
                )
                for t in range(3)
            ]
        Membership.objects.bulk_create(memberships, batch_size=5000)
        Rsvp.objects.bulk_create(rsvps, batch_size=5000)
        AgendaTopic.objects.bulk_create(topics, batch_size=5000)
    return n_meetings


def progress() -> Counter:
    """Our ledger rows by state."""
    from django.db.models import Count

    from notifications.models import Delivery

    rows = (
        Delivery.objects.filter(meeting__circle__slug__startswith=f"{TAG}-")
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter(dict(rows))


def last_sent_at() -> dt.datetime | None:
    from django.db.models import Max

    from notifications.models import Delivery

    return Delivery.objects.filter(meeting__circle__slug__startswith=f"{TAG}-").aggregate(
        last=Max("sent_at")
    )["last"]


# --- One measurement --------------------------------------------------------------------------


@dataclass
class Result:
    workers: int
    concurrency: int
    reminders: int
    seconds: float
    sent: int
    received: int
    duplicates: int
    connections: int
    others: int
    cpu_ms: float  # the worker processes' CPU time per reminder sent
    load: float  # the machine's 1-minute load average (the higher of start and end)
    states: dict = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.sent == self.reminders == self.received and self.duplicates == 0


def measure(*, workers: int, sink: Sink, env: dict[str, str], count: int = COUNT) -> Result:
    from django.utils import timezone

    from config.celery import app
    from notifications import tasks
    from notifications.models import DeliveryState

    log(f"{workers} worker(s): seeding {count} due reminders")
    cleanup()
    others = settle_other_reminders()  # before ours exist: the sweep creates our rows
    seed(count)
    app.control.purge()
    sink.reset()
    processes = start_workers(workers, env, TAG)
    try:
        wait_for_workers(app, workers, TAG)
        load_before = os.getloadavg()[0]
        cpu_before = cpu_seconds(processes)
        started = timezone.now()
        clock = time.monotonic()
        tasks.send_due_reminders.delay()  # once, as beat does; the task brings in idle workers
        states: Counter = Counter()
        while time.monotonic() - clock < TIMEOUT_SECONDS:
            time.sleep(0.25)
            states = progress()
            if sum(states.values()) >= count and states[DeliveryState.SENT] == count:
                break
            if any(process.poll() is not None for process in processes):
                raise SystemExit("a Celery worker exited during the measurement")
        deadline = time.monotonic() + 10
        while sink.ours() < states[DeliveryState.SENT] and time.monotonic() < deadline:
            time.sleep(0.1)
        cpu = cpu_seconds(processes) - cpu_before
        load = max(load_before, os.getloadavg()[0])
        time.sleep(1.0)  # sweeps still queued must find nothing to send
        states = progress()
    finally:
        stop_workers(processes)
    finished = last_sent_at() or timezone.now()
    result = Result(
        workers=workers,
        concurrency=1,
        reminders=count,
        seconds=max((finished - started).total_seconds(), 1e-6),
        sent=states[DeliveryState.SENT],
        received=sink.ours(),
        duplicates=sink.duplicates(),
        connections=sink.connections,
        others=others,
        cpu_ms=1000 * cpu / max(states[DeliveryState.SENT], 1),
        load=load,
        states=dict(states),
    )
    log(
        f"{workers} worker(s): {result.sent}/{count} sent in {result.seconds:.1f} s, "
        f"{result.per_second:.0f} reminders/s; the sink received {result.received} "
        f"over {result.connections} SMTP connection(s), {result.duplicates} duplicate(s); "
        f"worker CPU {result.cpu_ms:.2f} ms a reminder; load {result.load:.1f}; "
        f"ledger {result.states}"
    )
    return result


# --- The report -------------------------------------------------------------------------------


def render_table(results: list[Result]) -> str:
    from bench.run import machine
    from notifications import sending

    lanes = getattr(sending, "SEND_LANES", 1)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"{results[0].reminders:,} due reminders (one meeting each in "
        f"{-(-results[0].reminders // MEMBERS_PER_MEETING)} circles of {MEMBERS_PER_MEETING}), "
        "the sweep task queued once as beat does, production settings, PostgreSQL, Redis and "
        "an aiosmtpd sink on the same machine. A worker is one `celery -A config worker "
        "--pool prefork --concurrency 1` process (during a burst its sweep sends on "
        f"{lanes} lanes, threads: docs/REMINDERS.md); the time runs from queuing the task to "
        f"the last row marked sent. Target: {TARGET_PER_SECOND}/s with one worker.",
        "",
        "| workers | reminders sent | seconds | reminders/s | received by the sink "
        "| duplicates | SMTP connections | worker CPU ms/reminder | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} × concurrency {r.concurrency} | {r.sent:,} | {r.seconds:.1f} | "
            f"{r.per_second:.0f} | {r.received:,} | {r.duplicates} | {r.connections} | "
            f"{r.cpu_ms:.2f} | {r.load:.1f} |"
        )
    return "\n".join(lines)


def write_performance(table: str) -> None:
    path = ROOT / "docs" / "PERFORMANCE.md"
    text = path.read_text()
    if MARK_START not in text:
        text = (
            text.rstrip("\n")
            + "\n\n## Reminder throughput\n\n`make bench-reminders` (bench/reminders.py, also "
            "the last step of `make bench`) times real Celery\nworkers sending 10,000 due "
            "reminders to an SMTP sink; docs/REMINDERS.md explains the sending\npath. The "
            "table between the markers is rewritten by every run.\n\n"
            f"{MARK_START}\n{MARK_END}\n"
        )
    before, rest = text.split(MARK_START, 1)
    _, after = rest.split(MARK_END, 1)
    path.write_text(f"{before}{MARK_START}\n{table}\n{MARK_END}{after}")
    log(f"wrote {path.relative_to(ROOT)}")


def main() -> int:
    from bench.run import DATABASE_URL, REDIS_URL, bench_env, ensure_database, run

    env = bench_env()
    env.pop("BENCH_CEILING", None)
    log(f"reminders: database {DATABASE_URL}, redis {REDIS_URL}")
    ensure_database(env)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)

    port = free_port()
    env = worker_env(env, port)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from aiosmtpd.controller import Controller

    sink = Sink(DOMAIN)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    results = []
    try:
        for workers in WORKER_COUNTS:
            results.append(measure(workers=workers, sink=sink, env=env))
    finally:
        controller.stop()
        cleanup()
    table = render_table(results)
    print()
    print(table)
    write_performance(table)
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
