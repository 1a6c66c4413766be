"""How long one worker takes to send N reminders to a local SMTP sink (not collected by pytest).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> uv run python manage.py migrate
    DATABASE_URL=... uv run python tests/notifications/bench_reminders.py 5000

It creates a circle with N members and a meeting whose reminder is due, runs the
sweep once in this process (what one worker does), over real SMTP to a sink that
answers 250 to everything, prints the timings, then deletes what it created.
Use a database you own: it writes to it.
"""

from __future__ import annotations

import datetime as dt
import os
import socketserver
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402

from circles.models import Circle, Membership, Role, Status  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from members.models import User  # noqa: E402
from notifications import services  # noqa: E402
from notifications.models import Delivery, DeliveryState  # noqa: E402


class SinkHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP: 250 to every command, swallow DATA up to the lone dot."""

    messages = 0
    lock = threading.Lock()

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.reply("250 sink")
            elif command == b"DATA":
                self.reply("354 go ahead")
                while (data := self.rfile.readline()) and data.rstrip(b"\r\n") != b".":
                    pass
                with SinkHandler.lock:
                    SinkHandler.messages += 1
                self.reply("250 2.0.0 queued")
            elif command == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def main(count: int) -> None:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    now = timezone.now()
    circle = Circle.objects.create(
        name="Bench Breakfast",
        slug=f"bench-{int(time.time())}",
        purpose="Benchmark.",
        city="Chicago",
        time_zone="America/Chicago",
        weekday=1,
        start_time=dt.time(6, 30),
        reminder_lead_hours=24,
    )
    password = make_password(None)
    tag = circle.slug
    users = User.objects.bulk_create(
        User(
            email=f"{tag}-{n}@bench.example",
            display_name=f"Member {n}",
            time_zone="Europe/Berlin" if n % 2 else "America/Chicago",
            password=password,
        )
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(
            circle=circle,
            user=user,
            role=Role.HOST if n == 0 else Role.MEMBER,
            status=Status.ACTIVE,
            joined_at=now,
        )
        for n, user in enumerate(users)
    )
    starts = now + dt.timedelta(hours=2)
    Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=75),
        local_date=starts.date(),
        is_one_off=True,
    )
    try:
        began = time.perf_counter()
        created = services.reminders_create_due()
        after_create = time.perf_counter()
        report = services.reminders_sweep(budget_seconds=float("inf"))
        ended = time.perf_counter()
        sent = Delivery.objects.filter(meeting__circle=circle, state=DeliveryState.SENT).count()
        total = ended - began
        print(f"database: {settings.DATABASES['default']['ENGINE']}")
        print(f"created {created} ledger rows in {after_create - began:.2f} s")
        print(f"sweep: {report}")
        print(f"sent {sent} (sink received {SinkHandler.messages}) in {ended - after_create:.1f} s")
        print(f"total {total:.1f} s, {sent / (ended - after_create):.0f} emails/s")
    finally:
        Delivery.objects.filter(meeting__circle=circle).delete()
        circle.delete()
        User.objects.filter(email__startswith=f"{tag}-").delete()
        server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
