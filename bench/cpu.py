"""`python -m bench.cpu`: what one request of each page costs in one process, CPU and wall.

Django's WSGI handler is called directly (no test client, no server), with the
whole middleware stack and the headers the bench sends, signed in as the bench
member where the target is; PostgreSQL and Redis as in `make bench` (the same data
set, created and seeded when missing), every rendered-output cache off. For each
page: CPU milliseconds of this process and wall milliseconds a request, over
CPU_REQUESTS requests (default 300) after 20 unmeasured ones. Run it before and after
a change, alternately, on a quiet machine: the numbers move with other load.

Environment: CPU_REQUESTS, CPU_PAGES (target names, separated by ";"; default the
signed-in ceiling and the four pages issue 16 sets targets for), and bench/targets.py's
BENCH_* variables.
"""

from __future__ import annotations

import io
import os
import sys
import time

from bench import run, targets

REQUESTS = int(os.environ.get("CPU_REQUESTS", "300"))
WARMUP = 20
PAGES = [
    name.strip()
    for name in os.environ.get(
        "CPU_PAGES",
        "ceiling, signed in (constant string);directory, signed in;circle page;"
        "meeting page (12 RSVPs, 15 topics);thread with 100 replies",
    ).split(";")
    if name.strip()
]


def wsgi_environ(path: str, cookie: str) -> dict:
    """A GET of ``path`` as the bench sends it, behind the proxy, with ``cookie`` if any."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(targets.PORT),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def warmed(application, path: str, cookie: str, *, warmup: int = WARMUP):
    """A function that requests ``path`` once and returns the page, after ``warmup``
    unmeasured requests; the last of them must answer 200."""
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def get() -> bytes:
        response = application(wsgi_environ(path, cookie), start_response)
        try:
            return b"".join(response)
        finally:
            response.close()

    for _ in range(warmup):
        get()
    if not statuses[-1].startswith("200"):
        raise SystemExit(f"{path} answered {statuses[-1]}")
    return get


def pages(found: dict) -> list[tuple[str, str, str]]:
    """The pages ``PAGES`` names: name, path and cookie (the member's, where signed in)."""
    by_name = {target.name: target.path for target in targets.page_targets(found)}
    cookie = targets.member_cookie(found["session_key"])
    chosen = []
    for name in PAGES:
        path = by_name[name]
        chosen.append((name, path.lstrip("@"), cookie if path.startswith("@") else ""))
    return chosen


def measure(application, path: str, cookie: str) -> tuple[float, float, int]:
    """CPU ms and wall ms a request, and the size of the page, for ``path``."""
    get = warmed(application, path, cookie)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(REQUESTS):
        body = get()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return 1000 * cpu / REQUESTS, 1000 * wall / REQUESTS, len(body)


def main() -> int:
    env = run.bench_env("uncached")
    found = run.prepare(env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    print(f"| page | CPU ms a request | wall ms a request | bytes |  ({REQUESTS} requests)")
    print("| --- | ---: | ---: | ---: |")
    for name, path, cookie in pages(found):
        cpu, wall, size = measure(application, path, cookie)
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {size:,} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
