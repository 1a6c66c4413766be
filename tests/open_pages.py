"""A member with their circle, a meeting, a thread and its poll open; after a change that ends
their access, their next request must get the 404 or the sign-in page, never what they saw.

Shared by the "takes effect at once" tests (issue 19): tests/members/test_suspension_now.py,
test_deletion_now.py, test_password_now.py, tests/circles/test_removal_now.py and
tests/test_other_process.py. Each page is opened twice before the change, so anything that
keeps a page's body or a poll's "nothing new" (conversations/live.py; before issue 16 also a
per-viewer page cache) has kept it; the assertions are about the outcome only.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.test import Client
from django.urls import reverse

from circles.models import Circle, Listing, Role
from conversations.models import Post, Reply
from meetings.models import Meeting
from members.models import User
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host
from tests.meetings.conftest import make_meeting

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HTTP_HX_REQUEST": "true"}

# What only a member of the circle sees, one line per page.
CO_MEMBER = "Bertha Coworker"
MEETING_NOTES = "Bring the quarterly numbers on paper"
POST_TITLE = "Pricing the Lisbon contract"
REPLY_BODY = "Quote the day rate, never the hourly one"


@dataclass
class OpenPages:
    client: Client
    member: User
    host: User
    circle: Circle
    meeting: Meeting
    post: Post
    reply: Reply

    @property
    def pages(self) -> dict[str, tuple[str, str]]:
        """Each page the member had open, with a line on it only members see."""
        return {
            "circle": (reverse("circles:detail", args=[self.circle.slug]), CO_MEMBER),
            "meeting": (self.meeting.get_absolute_url(), MEETING_NOTES),
            "thread": (self.post.get_absolute_url(), REPLY_BODY),
        }

    @property
    def poll_url(self) -> str:
        return reverse(
            "conversations:reply_poll", kwargs={"slug": self.circle.slug, "post_id": self.post.pk}
        )

    def poll(self, client: Client | None = None):
        return (client or self.client).get(self.poll_url, {"after": self.reply.pk}, **HTMX)

    def open(self, client: Client | None = None) -> None:
        """Open every page twice and poll twice: each shows what only a member sees."""
        client = client or self.client
        for _ in range(2):
            for name, (url, line) in self.pages.items():
                response = client.get(url)
                assert response.status_code == 200, name
                html = response.content.decode()
                assert line in html, f"the {name} page does not show {line!r} to a member"
            assert self.poll(client).status_code == 204  # nothing new, the second from the cache

    def assert_shut_out(self, client: Client | None = None) -> None:
        """The next request to each page is the 404 or the sign-in page; the poll is a 404."""
        client = client or self.client
        for name, (url, line) in self.pages.items():
            response = client.get(url)
            html = response.content.decode()
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("account_login")), name
            else:
                assert response.status_code == 404, (name, response.status_code)
            assert line not in html, f"the {name} page still shows {line!r}"
            assert POST_TITLE not in html, name
        poll = self.poll(client)
        assert poll.status_code == 404, f"the poll answered {poll.status_code}"
        assert REPLY_BODY not in poll.content.decode()


def open_pages(*, client: Client | None = None) -> OpenPages:
    """An unlisted circle (so its page is 404 to anyone outside) with a member signed in."""
    circle, host = make_circle_with_host(name="Lisbon Freelancers", listing=Listing.UNLISTED)
    member = UserFactory(display_name="Marta Member")
    MembershipFactory(circle=circle, user=member, role=Role.MEMBER)
    MembershipFactory(circle=circle, user=UserFactory(display_name=CO_MEMBER))
    meeting = make_meeting(circle, in_days=-1, notes=MEETING_NOTES)  # notes show once it began
    post = PostFactory(circle=circle, author=host, title=POST_TITLE)
    reply = ReplyFactory(post=post, author=host, body=REPLY_BODY)
    client = client or Client()
    client.force_login(member)
    return OpenPages(client, member, host, circle, meeting, post, reply)


# --- Changes that skip every signal ------------------------------------------------------

SIGNALS = (pre_save, post_save, pre_delete, post_delete, m2m_changed)


@contextlib.contextmanager
def no_signals() -> Iterator[None]:
    """No receiver runs inside: what a raw write (or another program on the database) does."""
    saved = [(signal, signal.receivers, signal.sender_receivers_cache.copy()) for signal in SIGNALS]
    for signal in SIGNALS:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers, cache in saved:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()
            signal.sender_receivers_cache.update(cache)


# --- Changes made by another process -----------------------------------------------------


def database_url() -> str:
    """The URL of the database this test runs on, for a process of its own."""
    found = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(found["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("the SQLite test database is in memory (settings: TEST NAME)")
        return f"sqlite:///{name}"
    user = quote(found["USER"] or "", safe="")
    password = f":{quote(found['PASSWORD'], safe='')}" if found["PASSWORD"] else ""
    host = found["HOST"] or "localhost"
    port = f":{found['PORT']}" if found["PORT"] else ""
    return f"postgresql://{user}{password}@{host}{port}/{found['NAME']}"


def in_another_process(code: str, var_dir: Path) -> str:
    """Run ``code`` in ``manage.py shell`` with the same settings and database.

    REDIS_URL is left out: the other process keeps its own local cache, as a second
    web process or a worker does with the embedded default, so nothing it writes
    to a cache (or drops from one) can reach this process.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("REDIS")}
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(var_dir),  # its Celery file broker, not the project's var/
        DB_CONN_MAX_AGE="0",
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
