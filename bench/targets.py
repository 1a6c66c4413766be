"""The bench's settings (environment variables), its targets and the helpers the run and
its report share (bench/run.py drives the load, bench/report.py writes the tables)."""

from __future__ import annotations

import os
import platform
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8077"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", str(min(DURATION, 5))))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SCALE = os.environ.get("BENCH_SCALE", "1.0")
SMALL_SCALE = os.environ.get("BENCH_SMALL_SCALE", "0.01")
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peertables_bench"
)
SMALL_DATABASE_URL = DATABASE_URL + "_small"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
CORES = os.cpu_count() or 1
WORKERS = 2 * CORES + 1
MARK_START = "<!-- bench:results:start -->"
MARK_END = "<!-- bench:results:end -->"
P99_LIMIT_MS = 150.0

MODES = ("cached", "uncached")
# What the uncached server changes: every setting a cache of rendered output reads
# its time from, at 0 (a cache timeout of 0 stores nothing). tests/test_bench.py
# fails when a *_SECONDS setting is in neither this nor NOT_RENDERED_OUTPUT.
UNCACHED = {
    # Signed-out landing and directory pages (config/pagecache.py), the directory's
    # cards and filter form and each person's suggestions (circles/views.py).
    "SIGNED_OUT_PAGE_CACHE_SECONDS": "0",
    # Viewer-independent fragments kept by what they show (config/settings.py).
    "FRAGMENT_CACHE_SECONDS": "0",
    # Django's whole-site cache middleware: not installed, and off here should it be.
    "CACHE_MIDDLEWARE_SECONDS": "0",
}
UNCACHED_KEY_PREFIX = "peertables-bench-uncached"
# *_SECONDS settings left as they are in the uncached rows: none keeps rendered output.
NOT_RENDERED_OUTPUT = {
    "INVITATION_RESEND_SECONDS": "a rate limit on invitation emails",
    "SECURE_HSTS_SECONDS": "an HTTP header",
}


@dataclass(frozen=True)
class Target:
    name: str
    path: str  # "@" first: requested signed in as the bench member
    # The share of the ceiling the uncached row must reach (issue 16), if any.
    min_share: float | None = None


# The CSRF cookie of the bench member's browser, the same for the whole run: a browser
# keeps the one it got with its first page that has a form, so a signed-in page is
# requested with it, as the live writers' posts are (bench/live.py). Without it every
# request would make a new secret and set it in a cookie, which no member's view does.
BROWSER_CSRF = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def member_cookie(session_key: str) -> str:
    """The Cookie header of the bench member's browser (Django's default cookie names)."""
    return f"sessionid={session_key}; csrftoken={BROWSER_CSRF}"


def page_targets(found: dict) -> list[Target]:
    slug = found["circle_slug"]
    thread = f"/circles/{slug}/posts/{found['post_id']}/"
    meeting = f"@/circles/{slug}/meetings/{found['meeting_id']}/"
    return [
        Target("ceiling (constant string)", "/bench/ceiling"),
        # The floor under every signed-in page: the same string after the session, the
        # person's row and the middleware that reads them (language, time zone, staff MFA).
        Target("ceiling, signed in (constant string)", "@/bench/ceiling"),
        Target("landing", "/"),
        Target("directory, signed out", "/circles/"),
        Target("directory, signed in", "@/circles/", 0.20),
        Target("circle page", f"@/circles/{slug}/", 0.20),
        Target("meeting page (12 RSVPs, 15 topics)", meeting, 0.20),
        Target("thread with 100 replies", "@" + thread, 0.15),
        Target("thread poll, nothing new", f"@{thread}replies/?after={found['last_reply_id']}"),
        Target(".ics feed", f"/calendar/{found['feed_token']}.ics"),
    ]  # fmt: skip


def live_targets(found: dict) -> list[Target]:
    slug = found["circle_slug"]
    return [
        Target("live circle: circle page", f"@/circles/{slug}/"),
        Target("live circle: meeting page", f"@/circles/{slug}/meetings/{found['meeting_id']}/"),
        Target("live circle: thread", f"@/circles/{slug}/posts/{found['post_id']}/"),
    ]


def log(message: str) -> None:
    print(f"== {message}", flush=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "?"
    return (
        f"{CORES} cores ({cpu}), {memory}, Python {platform.python_version()}, {platform.system()}"
    )
