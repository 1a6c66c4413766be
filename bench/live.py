"""The writer behind `make bench`'s "live circle" rows: members reply and answer while others read.

A circle people are using changes every few seconds, and every change makes
whatever was kept for its pages stale, so its readers are served mostly by the
full path. While wrk reads one page, ``Writer`` posts a reply in the bench
thread and changes an RSVP to the bench meeting once a second, taking turns
among several members of the circle (each has an hourly reply limit,
conversations/limits.py). It posts the way the pages' forms do: the session
cookie, a CSRF cookie with the same token in the ``X-CSRFToken`` header (as
htmx sends it from ``<body hx-headers>``), and the Origin and Referer of the
site, over what the server takes for HTTPS (``X-Forwarded-Proto``).

Every write is checked: a reply answers with the redirect to it, an RSVP
(posted as htmx) with its panel and no error in it. The bench fails when one
does not.
"""

from __future__ import annotations

import http.client
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_CHARS = string.ascii_letters + string.digits
# The writers change their answer between these, never "going", so the
# meeting's seats stay as seeded (bench/seeding.py takes the answers back).
ANSWERS = ("maybe", "not_going")


def csrf_secret() -> str:
    """A token in the form Django accepts as a CSRF cookie (32 letters and digits)."""
    return "".join(secrets.choice(CSRF_CHARS) for _ in range(32))


@dataclass(frozen=True)
class WriteRequest:
    kind: str  # "reply" or "rsvp"
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Member:
    """One writer: their session and the CSRF token they post with."""

    session: str
    csrf: str = field(default_factory=csrf_secret)


def _headers(
    host: str, member: Member, referer_path: str, *, session_cookie: str, csrf_cookie: str
) -> dict[str, str]:
    return {
        "Host": host,
        "Cookie": f"{session_cookie}={member.session}; {csrf_cookie}={member.csrf}",
        "X-CSRFToken": member.csrf,
        "Origin": f"https://{host}",
        "Referer": f"https://{host}{referer_path}",
        "X-Forwarded-Proto": "https",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def reply_request(
    *,
    host: str,
    slug: str,
    post_id: int,
    member: Member,
    text: str,
    session_cookie: str = "sessionid",
    csrf_cookie: str = "csrftoken",
) -> WriteRequest:
    """The thread page's reply form, posted without htmx (a success is a redirect)."""
    thread = f"/circles/{slug}/posts/{post_id}/"
    headers = _headers(host, member, thread, session_cookie=session_cookie, csrf_cookie=csrf_cookie)
    return WriteRequest(
        "reply", thread + "replies/new/", headers, urlencode({"body": text}).encode()
    )


def rsvp_request(
    *,
    host: str,
    slug: str,
    meeting_id: int,
    member: Member,
    answer: str,
    session_cookie: str = "sessionid",
    csrf_cookie: str = "csrftoken",
) -> WriteRequest:
    """The meeting page's RSVP buttons, posted with htmx (the answer is the RSVP panel)."""
    meeting = f"/circles/{slug}/meetings/{meeting_id}/"
    headers = _headers(
        host, member, meeting, session_cookie=session_cookie, csrf_cookie=csrf_cookie
    )
    headers["HX-Request"] = "true"
    return WriteRequest("rsvp", meeting + "rsvp/", headers, urlencode({"answer": answer}).encode())


def succeeded(request: WriteRequest, status: int, location: str, body: str) -> bool:
    """Whether the app took the write: what a person posting the form would see as done."""
    if request.kind == "reply":
        # Refused (rate limit, empty body) re-renders the thread with 200; signed out
        # or not a member redirects to sign in or answers 404.
        return status == 302 and "#reply-" in location
    return status == 200 and "message-error" not in body


@dataclass
class Tally:
    ok: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, request: WriteRequest, ok: bool, detail: str) -> None:
        if ok:
            self.ok += 1
        else:
            self.failed += 1
            if len(self.failures) < 5:
                self.failures.append(f"{request.kind} {request.path}: {detail}")


class Writer(threading.Thread):
    """Posts one reply and one RSVP change every ``interval`` seconds until ``stop()``."""

    def __init__(
        self,
        *,
        port: int,
        slug: str,
        post_id: int,
        meeting_id: int,
        sessions: list[str],
        interval: float = 1.0,
    ) -> None:
        super().__init__(daemon=True)
        if not sessions:
            raise ValueError("the live rows need at least one writer session")
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.slug = slug
        self.post_id = post_id
        self.meeting_id = meeting_id
        self.members = [Member(session) for session in sessions]
        self.interval = interval
        self.replies = Tally()
        self.rsvps = Tally()
        self._stopping = threading.Event()
        self._turn = 0

    def requests_for_turn(self, turn: int) -> list[WriteRequest]:
        member = self.members[turn % len(self.members)]
        # Each member alternates between the two answers on their own turns.
        answer = ANSWERS[(turn // len(self.members)) % len(ANSWERS)]
        return [
            reply_request(
                host=self.host,
                slug=self.slug,
                post_id=self.post_id,
                member=member,
                text=f"Live reply {turn} from the bench: what did you try next?",
            ),
            rsvp_request(
                host=self.host,
                slug=self.slug,
                meeting_id=self.meeting_id,
                member=member,
                answer=answer,
            ),
        ]

    def send(self, request: WriteRequest) -> None:
        tally = self.replies if request.kind == "reply" else self.rsvps
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", request.path, body=request.body, headers=request.headers)
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
            location = response.getheader("Location") or ""
            ok = succeeded(request, response.status, location, body)
            tally.add(request, ok, f"{response.status} {location}".strip())
        except OSError as error:
            tally.add(request, False, repr(error))
        finally:
            connection.close()

    def run(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            for request in self.requests_for_turn(self._turn):
                self.send(request)
            self._turn += 1
            self._stopping.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=60)

    @property
    def failed(self) -> int:
        return self.replies.failed + self.rsvps.failed

    @property
    def failures(self) -> list[str]:
        return self.replies.failures + self.rsvps.failures
