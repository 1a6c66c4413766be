"""`make bench`: seed a large data set into PostgreSQL, serve it with gunicorn in
production mode, drive load with wrk, and write the tables to docs/PERFORMANCE.md.

Every page is measured twice in the same run, by two gunicorns serving the same
database side by side: "cached", the app as configured (the environment as
given), and "uncached", with every rendered-output cache off (``UNCACHED``: the
settings a cache of rendered HTML reads its time from, set to 0). Every number is
relative to the ceiling measured on the same server in the same run: a view that
returns a constant string through the same middleware stack.

The "live circle" rows read a page while other members of the circle reply in
the thread and answer the meeting once a second (bench/live.py); every write
must succeed. At the end the issue's targets are checked against this run's
numbers and printed as met or not met, with the tables, into docs/PERFORMANCE.md.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/peertables_bench),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/9), BENCH_PORT (the cached server;
the uncached one listens on the next port; default 8077), BENCH_DURATION seconds
per target (default 10), BENCH_WARMUP seconds of warm-up per target (default 5),
BENCH_CONNECTIONS (default 16), BENCH_SCALE (default 1.0), BENCH_SMALL_SCALE (the
second, small data set the uncached queries are counted on as well; default 0.01;
0 leaves it out), BENCH_LIVE=0 to leave out the live rows, BENCH_REMINDERS=0 to
leave out the reminder step (bench/reminders.py).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from bench.report import check_targets, render_report, write_performance
from bench.targets import (
    CONNECTIONS,
    DATABASE_URL,
    DURATION,
    MODES,
    PORT,
    REDIS_URL,
    ROOT,
    SCALE,
    SMALL_DATABASE_URL,
    SMALL_SCALE,
    UNCACHED,
    UNCACHED_KEY_PREFIX,
    WARMUP,
    WORKERS,
    Target,
    live_targets,
    log,
    member_cookie,
    page_targets,
)


def bench_env(
    mode: str = "cached", *, port: int | None = None, database_url: str = DATABASE_URL
) -> dict[str, str]:
    """The environment of the Django processes: the one given, plus ``UNCACHED`` for "uncached"."""
    port = PORT if port is None else port
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or _secret_key(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        EMAIL_URL="console://",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        DB_CONN_MAX_AGE="600",  # persistent connections
        BENCH_CEILING="1",
        LOG_LEVEL="WARNING",
    )
    if mode == "uncached":
        env.update(UNCACHED)
        # Its own keys in the shared Redis: with a timeout of 0 a cache stores nothing, but
        # it still reads, and would find what the cached server kept.
        env["CACHE_KEY_PREFIX"] = UNCACHED_KEY_PREFIX
    return env


_SECRET_KEY: list[str] = []


def _secret_key() -> str:
    # One key for the run: the sessions made by one process are read by the others.
    if not _SECRET_KEY:
        _SECRET_KEY.append(secrets.token_urlsafe(60))
    return _SECRET_KEY[0]


def port_for(mode: str) -> int:
    return PORT + MODES.index(mode)


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, **kwargs)


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    log("installing wrk from Debian's packages")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def ensure_database(env: dict[str, str]) -> None:
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    script = (
        "import psycopg,sys\n"
        f"c=psycopg.connect({admin_url!r}, autocommit=True)\n"
        f"n={name!r}\n"
        "if not c.execute('select 1 from pg_database where datname=%s',(n,)).fetchone():\n"
        "    c.execute(f'create database \"{n}\"')\n"
    )
    run([sys.executable, "-c", script], env)


def wait_for_server(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url}")


def parse_wrk(output: str) -> dict[str, float]:
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(x) for x in match.groups())
    if re.search(r"^\s*0 requests in", output, re.M):
        errors += 1  # nothing answered in the whole duration: not a number to report
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def load(wrk: str, path: str, cookie: str, *, port: int = PORT, seconds: int = DURATION) -> dict:
    cmd = [
        wrk,
        f"-t{min(2, CONNECTIONS)}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",  # a slow answer counts in p99 rather than vanishing as a timeout
        "-H",
        "X-Forwarded-Proto: https",
        "-H",
        "Accept-Encoding: gzip",
    ]
    if path.startswith("@"):
        cmd += ["-H", f"Cookie: {member_cookie(cookie)}"]
    cmd.append(f"http://127.0.0.1:{port}{path.lstrip('@')}")
    output = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


def prepare(env: dict[str, str], *, scale: str = SCALE) -> dict:
    """Create, migrate and seed the database ``env`` names; the targets' ids and sessions."""
    ensure_database(env)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    log(f"seeding {env['DATABASE_URL'].rsplit('/', 1)[1]} (scale {scale}; skipped when seeded)")
    run([sys.executable, "-m", "bench.cli", "seed", "--scale", scale], env)
    return json.loads(
        run([sys.executable, "-m", "bench.cli", "targets"], env, capture_output=True).stdout
    )


def count_queries(env: dict[str, str], found: dict, targets: list[Target]) -> dict[str, int]:
    """Queries per request for each target's path, by bench/cli.py in ``env``."""
    paths = [target.path for target in targets]
    command = [sys.executable, "-m", "bench.cli", "queries", "--session", found["session_key"]]
    return json.loads(run(command + paths, env, capture_output=True).stdout)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    return server


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> int:
    from bench.live import Writer

    envs = {mode: bench_env(mode, port=port_for(mode)) for mode in MODES}
    wrk = ensure_wrk()
    log(f"database {DATABASE_URL}, redis {REDIS_URL}")
    found = prepare(envs["cached"])
    targets = page_targets(found)
    live = live_targets(found) if os.environ.get("BENCH_LIVE", "1") != "0" else []
    queries = {mode: count_queries(envs[mode], found, targets) for mode in MODES}
    small_queries: dict[str, int] = {}
    if float(SMALL_SCALE) > 0:
        small_env = bench_env("uncached", database_url=SMALL_DATABASE_URL)
        # Its own keys in the shared Redis: the same ids name other rows there.
        small_env["CACHE_KEY_PREFIX"] = "peertables-bench-small"
        small_found = prepare(small_env, scale=SMALL_SCALE)
        small_paths = {t.name: t.path for t in page_targets(small_found)}
        counted = count_queries(small_env, small_found, page_targets(small_found))
        small_queries = {name: counted[path] for name, path in small_paths.items()}
    # After counting: the query counter's requests fill caches (and its sessions).
    clear = "from django.core.cache import cache; cache.clear()"
    run([sys.executable, "manage.py", "shell", "-c", clear], envs["cached"])

    servers = {}
    rows: list[dict] = []
    live_rows: list[dict] = []
    try:
        for mode in MODES:
            port = port_for(mode)
            changed = (
                ", ".join(f"{k}={v}" for k, v in UNCACHED.items())
                if mode == "uncached"
                else "the environment as given"
            )
            log(f"gunicorn {mode} ({changed}): {WORKERS} sync workers on 127.0.0.1:{port}")
            servers[mode] = start_server(envs[mode], port)
        for mode in MODES:
            wait_for_server(f"http://127.0.0.1:{port_for(mode)}/bench/ceiling")
        # One answer says one worker is up; load on both until every worker of both is,
        # so the second server's start does not slow the first one's rows.
        for mode in MODES:
            load(wrk, "/bench/ceiling", "", port=port_for(mode), seconds=max(WARMUP, 5))
        # Each target on both servers back to back, so both columns see the same machine.
        for target in targets:
            row: dict = {
                "name": target.name,
                "path": target.path.lstrip("@"),
                "signed_in": target.path.startswith("@"),
            }
            for mode in MODES:
                port = port_for(mode)
                load(wrk, target.path, found["session_key"], port=port, seconds=WARMUP)
                result = load(wrk, target.path, found["session_key"], port=port)
                result["queries"] = queries[mode][target.path]
                row[mode] = result
                print_result(f"{target.name}, {mode}", result)
            if target.name in small_queries:
                row["small_queries"] = small_queries[target.name]
            rows.append(row)
        for target in live:
            row = {"name": target.name, "path": target.path.lstrip("@"), "signed_in": True}
            for mode in MODES:
                port = port_for(mode)
                writer = Writer(
                    port=port,
                    slug=found["circle_slug"],
                    post_id=found["post_id"],
                    meeting_id=found["meeting_id"],
                    sessions=found["writer_sessions"],
                )
                writer.start()
                try:
                    result = load(wrk, target.path, found["session_key"], port=port)
                finally:
                    writer.stop()
                result.update(
                    writes=writer.replies.ok + writer.rsvps.ok,
                    replies=writer.replies.ok,
                    rsvps=writer.rsvps.ok,
                    write_failures=writer.failed,
                )
                row[mode] = result
                print_result(f"{target.name}, {mode}", result)
                for failure in writer.failures:
                    print(f"   write failed: {failure}", flush=True)
            live_rows.append(row)
    finally:
        for server in servers.values():
            stop_server(server)

    checks = check_targets(rows, live_rows, targets, small_scale=float(SMALL_SCALE))
    report = render_report(rows, live_rows, checks)
    print()
    print(report)
    write_performance(report)
    reminders_ok = True
    if os.environ.get("BENCH_REMINDERS", "1") != "0":
        log("reminder throughput (bench/reminders.py)")
        reminders = subprocess.run([sys.executable, "-m", "bench.reminders"], cwd=ROOT, check=False)
        reminders_ok = reminders.returncode == 0
    clean = all(
        row[mode]["errors"] == 0 and not row[mode].get("write_failures")
        for row in rows + live_rows
        for mode in MODES
    )
    return 0 if clean and reminders_ok else 1


def print_result(label: str, result: dict) -> None:
    line = (
        f"{label:52} {result['rps']:8.0f} req/s  p50 {result['p50']:6.1f} ms  "
        f"p99 {result['p99']:6.1f} ms  errors {result['errors']}"
    )
    if "queries" in result:
        line += f"  queries {result['queries']}"
    if "writes" in result:
        line += f"  writes {result['writes']} ok, {result['write_failures']} failed"
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
