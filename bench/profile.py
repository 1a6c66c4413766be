"""`make profile`: where each page's time goes on the full path, as Markdown in docs/PROFILE.md.

For the circle page, the meeting page, the thread with 100 replies, the
signed-in directory and the landing page, with every rendered-output cache off
(bench/targets.py's ``UNCACHED``), it sends PROFILE_REQUESTS requests (default 30)
through Django's test client and the whole middleware stack in this one process,
on the bench's data set (bench/run.py creates and seeds it when it is not there;
same environment variables), and reports per request:

- ms: the wall time of a request (a timed pass, without the profiler);
- queries and their ms, from a wrapper around every SQL statement;
- template ms: the time inside the outermost template renders (Django's template
  backend), and the part of it that is not SQL run from the template (lazy
  querysets);
- the 15 functions with the most cumulative time (leaving out the request's
  plumbing: the test client, Django's handlers and the middleware, each of which
  holds the whole request), and the 15 with the most time of their own, from a
  second pass under cProfile (whose overhead inflates those numbers: compare them
  with each other, not with the ms above).

Environment: PROFILE_REQUESTS, PROFILE_OUTPUT (default docs/PROFILE.md; "-" prints
it), and bench/targets.py's BENCH_* variables.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import run, targets

REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "30"))
OUTPUT = os.environ.get("PROFILE_OUTPUT", str(targets.ROOT / "docs" / "PROFILE.md"))
PAGES = (
    "circle page",
    "meeting page (12 RSVPs, 15 topics)",
    "thread with 100 replies",
    "directory, signed in",
    "landing",
)
TOP = 15


@dataclass
class Timers:
    """What the wrappers add up while requests run."""

    queries: int = 0
    sql: float = 0.0
    template: float = 0.0
    sql_in_template: float = 0.0
    depth: int = 0
    on: bool = False

    def reset(self) -> None:
        self.queries = 0
        self.sql = self.template = self.sql_in_template = 0.0


@dataclass
class PageProfile:
    name: str
    path: str
    ms: float
    queries: float
    sql_ms: float
    template_ms: float
    template_own_ms: float
    cumulative: list[tuple[str, int, float, float]] = field(default_factory=list)
    own: list[tuple[str, int, float, float]] = field(default_factory=list)


def install_timers(timers: Timers) -> None:
    """Time SQL (on every connection made from here on) and the outermost template renders."""
    from django.db.backends.signals import connection_created
    from django.template.backends.django import Template

    def time_sql(execute, sql, params, many, context):
        if not timers.on:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            timers.queries += 1
            timers.sql += spent
            if timers.depth:
                timers.sql_in_template += spent

    def wrap(sender, connection, **kwargs):
        if time_sql not in connection.execute_wrappers:
            connection.execute_wrappers.append(time_sql)

    connection_created.connect(wrap, weak=False)
    from django.db import connections

    for connection in connections.all():
        wrap(None, connection)

    render = Template.render

    def timed_render(self, context=None, request=None):
        if timers.depth or not timers.on:
            return render(self, context, request)
        timers.depth += 1
        started = time.perf_counter()
        try:
            return render(self, context, request)
        finally:
            timers.template += time.perf_counter() - started
            timers.depth -= 1

    Template.render = timed_render


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    for prefix in (str(targets.ROOT / ".venv"), str(targets.ROOT)):
        if filename.startswith(prefix):
            filename = filename[len(prefix) :].lstrip("/")
            break
    filename = filename.split("site-packages/", 1)[-1]
    filename = re.sub(r"^.*/lib/python3\.\d+/", "", filename)
    return f"{filename}:{line}({name})" if line else name


# The request's plumbing: every one of these holds the whole request in its cumulative
# time, so the cumulative list leaves them out to show the view and what it calls.
PLUMBING = re.compile(r"django/test/|django/core/handlers/|deprecation\.py|middleware")


def _top(stats: pstats.Stats, sort: str, requests: int) -> list[tuple[str, int, float, float]]:
    """(where, calls per request, own ms per request, cumulative ms per request), best first."""
    index = {"cumulative": 3, "tottime": 2}[sort]
    rows = [
        (key, calls, own, cumulative)
        for key, (_, calls, own, cumulative, _) in stats.stats.items()  # type: ignore[attr-defined]
        if sort != "cumulative" or not PLUMBING.search(key[0])
    ]
    rows.sort(key=lambda row: row[index], reverse=True)
    return [
        (_where(key), round(calls / requests), 1000 * own / requests, 1000 * cum / requests)
        for key, calls, own, cum in rows[:TOP]
    ]


def profile_page(client, name: str, path: str, timers: Timers) -> PageProfile:
    url = path.lstrip("@")
    for _ in range(3):  # warm: the first request of a process loads templates and code
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
    timers.reset()
    timers.on = True
    started = time.perf_counter()
    for _ in range(REQUESTS):
        client.get(url)
    elapsed = time.perf_counter() - started
    timers.on = False
    page = PageProfile(
        name=name,
        path=url,
        ms=1000 * elapsed / REQUESTS,
        queries=timers.queries / REQUESTS,
        sql_ms=1000 * timers.sql / REQUESTS,
        template_ms=1000 * timers.template / REQUESTS,
        template_own_ms=1000 * (timers.template - timers.sql_in_template) / REQUESTS,
    )
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REQUESTS):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    page.cumulative = _top(stats, "cumulative", REQUESTS)
    page.own = _top(stats, "tottime", REQUESTS)
    return page


def render_markdown(pages: list[PageProfile], *, requests: int, header: str) -> str:
    lines = [
        "# Profile of the full path",
        "",
        "Written by `make profile` (bench/profile.py); every run rewrites this file.",
        "",
        header,
        "",
        "| page | ms/request | queries/request | SQL ms/request | template ms/request "
        "| template ms without its SQL |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in pages:
        lines.append(
            f"| {page.name} | {page.ms:.1f} | {page.queries:g} | {page.sql_ms:.1f} "
            f"| {page.template_ms:.1f} | {page.template_own_ms:.1f} |"
        )
    for page in pages:
        for title, rows in (
            ("most cumulative time", page.cumulative),
            ("most time of their own", page.own),
        ):
            lines += [
                "",
                f"## {page.name}: the {TOP} functions with the {title}",
                "",
                f"`{page.path}`, {requests} requests under cProfile; per request.",
                "",
                "| function | calls | own ms | cumulative ms |",
                "| --- | ---: | ---: | ---: |",
            ]
            lines += [
                f"| `{where}` | {calls} | {own:.2f} | {cum:.2f} |"
                for where, calls, own, cum in rows
            ]
    return "\n".join(lines) + "\n"


def main() -> int:
    env = run.bench_env("uncached")
    found = run.prepare(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    timers = Timers()
    install_timers(timers)
    by_name = {target.name: target for target in targets.page_targets(found)}
    pages = []
    for name in PAGES:
        target = by_name[name]
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        if target.path.startswith("@"):
            client.cookies[settings.SESSION_COOKIE_NAME] = found["session_key"]
        targets.log(f"profiling {name}")
        pages.append(profile_page(client, name, target.path, timers))
    off = ", ".join(f"`{k}={v}`" for k, v in targets.UNCACHED.items())
    header = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {targets.machine()}; "
        f"{REQUESTS} requests a page through Django's test client in one process, production "
        f"settings with {off}, data set at scale {targets.SCALE}; PostgreSQL and Redis on the "
        "same machine. The first table is from a pass without the profiler."
    )
    markdown = render_markdown(pages, requests=REQUESTS, header=header)
    if OUTPUT == "-":
        print(markdown)
    else:
        Path(OUTPUT).write_text(markdown)
        targets.log(f"wrote {OUTPUT}")
        print(markdown.split("\n## ", 1)[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
