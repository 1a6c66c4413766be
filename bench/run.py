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
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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


def page_targets(found: dict) -> list[Target]:
    slug = found["circle_slug"]
    thread = f"/circles/{slug}/posts/{found['post_id']}/"
    meeting = f"@/circles/{slug}/meetings/{found['meeting_id']}/"
    return [
        Target("ceiling (constant string)", "/bench/ceiling"),
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
        cmd += ["-H", f"Cookie: sessionid={cookie}"]
    cmd.append(f"http://127.0.0.1:{port}{path.lstrip('@')}")
    output = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


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


# --- The report ------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    target: str
    wanted: str
    measured: str
    met: bool | None  # None: not measured in this run


def ceilings(rows: list[dict]) -> dict[str, float]:
    """The run's ceiling (req/s) for each column: the higher of the two constant-string
    rows (the first row), since both servers run the same stack; a server disturbed
    while it was measured cannot make its own column look better."""
    best = max(rows[0][mode]["rps"] for mode in MODES)
    return dict.fromkeys(MODES, best)


def share(result: dict, ceiling: float) -> float:
    return result["rps"] / ceiling if ceiling else 0.0


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %"


def _queries(value: int) -> str:
    # bench/cli.py writes a redirect or an error as minus its status: a measuring mistake.
    return str(value) if value >= 0 else f"status {-value}"


def check_targets(
    rows: list[dict], live_rows: list[dict], targets: list[Target], *, small_scale: float = 0.0
) -> list[Check]:
    """The issue's targets against this run: shares of the ceiling, p99, queries, errors."""
    ceiling = ceilings(rows)
    by_name = {row["name"]: row for row in rows}
    checks = []
    for target in targets:
        row = by_name.get(target.name)
        if target.min_share is None or row is None:
            continue
        measured = share(row["uncached"], ceiling["uncached"])
        checks.append(
            Check(
                f"{target.name}, uncached",
                f"≥ {_percent(target.min_share)} of the ceiling",
                f"{_percent(measured)} ({row['uncached']['rps']:.0f} req/s)",
                measured >= target.min_share,
            )
        )
    timed = [(row, mode) for row in rows for mode in MODES if _is_target(row, targets)]
    timed += [(row, mode) for row in live_rows for mode in MODES]
    if timed:
        slowest_row, slowest_mode = max(timed, key=lambda item: item[0][item[1]]["p99"])
        worst = slowest_row[slowest_mode]["p99"]
        checks.append(
            Check(
                f"p99 at {CONNECTIONS} connections: the pages above and the live rows, both ways",
                f"< {P99_LIMIT_MS:.0f} ms",
                f"worst {worst:.0f} ms ({slowest_row['name']}, {slowest_mode})",
                worst < P99_LIMIT_MS,
            )
        )
    compared = [row for row in rows if "small_queries" in row and row["name"] != rows[0]["name"]]
    if compared:
        grown = [
            f"{row['name']} {row['small_queries']} → {row['uncached']['queries']}"
            for row in compared
            if row["small_queries"] != row["uncached"]["queries"]
        ]
        checks.append(
            Check(
                "queries per page constant in the data size (uncached)",
                f"the same at scale {small_scale:g} and {SCALE}",
                "; ".join(grown) if grown else "the same on every page",
                not grown,
            )
        )
    else:
        checks.append(
            Check(
                "queries per page constant in the data size",
                "the same at two scales",
                "not measured (BENCH_SMALL_SCALE=0); the query-budget tests hold it",
                None,
            )
        )
    errors = sum(row[mode]["errors"] for row in rows + live_rows for mode in MODES)
    failed = sum(row[mode].get("write_failures", 0) for row in live_rows for mode in MODES)
    writes = sum(row[mode].get("writes", 0) for row in live_rows for mode in MODES)
    checks.append(
        Check(
            "no errors; every live write taken",
            "0 errors, 0 failed writes",
            f"{errors} errors, {writes} writes taken, {failed} failed",
            errors == 0 and failed == 0,
        )
    )
    return checks


def _is_target(row: dict, targets: list[Target]) -> bool:
    return any(t.name == row["name"] and t.min_share is not None for t in targets)


def render_report(rows: list[dict], live_rows: list[dict], checks: list[Check]) -> str:
    changed = ", ".join(f"`{name}={value}`" for name, value in UNCACHED.items())
    given = ", ".join(f"`{name}={os.environ[name]}`" for name in UNCACHED if name in os.environ)
    parts = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()} "
        f"({socket.gethostname()}); two gunicorns side by side, {WORKERS} sync workers each, "
        f"wrk {CONNECTIONS} connections for {DURATION} s per target and server after a "
        f"{WARMUP} s warm-up; PostgreSQL and Redis on the same machine. Cached: the app as "
        f"configured{' (started with ' + given + ')' if given else ''}; uncached: {changed}. "
        "Each % is of the run's ceiling: the higher of the two servers' first rows.",
        "",
        render_table(rows),
    ]
    if live_rows:
        parts += ["", render_live_table(live_rows, ceilings(rows))]
    parts += ["", render_checks(checks)]
    return "\n".join(parts)


def _head(per_mode: list[str]) -> str:
    """The header's target column and each column per mode, the first named with its mode."""
    cells = ["target"]
    for mode in MODES:
        cells += [f"{mode} {per_mode[0]}", *per_mode[1:]]
    return "| " + " | ".join(cells) + " |"


def render_table(rows: list[dict]) -> str:
    ceiling = ceilings(rows)
    small = any("small_queries" in row for row in rows)
    per_mode = ["req/s", "% of ceiling", "p50 ms", "p99 ms", "queries"]
    head = _head(per_mode)
    rule = "| --- |" + " ---: |" * 10
    if small:
        head += f" queries at scale {SMALL_SCALE} |"
        rule += " ---: |"
    head += " errors |"
    rule += " ---: |"
    lines = [head, rule]
    for row in rows:
        who = " (signed in)" if row["signed_in"] and "signed in" not in row["name"] else ""
        cells = [f"{row['name']}{who}"]
        for mode in MODES:
            result = row[mode]
            cells += [
                f"{result['rps']:.0f}",
                _percent(share(result, ceiling[mode])),
                f"{result['p50']:.1f}",
                f"{result['p99']:.1f}",
                _queries(result["queries"]),
            ]
        if small:
            cells.append(_queries(row["small_queries"]) if "small_queries" in row else "")
        cells.append(str(sum(row[mode]["errors"] for mode in MODES)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_live_table(live_rows: list[dict], ceiling: dict[str, float]) -> str:
    lines = [
        "Live circle: the page read by the bench member while other members of the circle "
        "post a reply in the thread and change an RSVP to the meeting every second "
        "(bench/live.py); the thread grows by a reply a second through these rows.",
        "",
        _head(["reads/s", "% of ceiling", "p50 ms", "p99 ms", "writes"])
        + " errors | failed writes |",
        "| --- |" + " ---: |" * 12,
    ]
    for row in live_rows:
        cells = [row["name"]]
        for mode in MODES:
            result = row[mode]
            cells += [
                f"{result['rps']:.0f}",
                _percent(share(result, ceiling[mode])),
                f"{result['p50']:.1f}",
                f"{result['p99']:.1f}",
                f"{result['replies']} + {result['rsvps']}",
            ]
        cells.append(str(sum(row[mode]["errors"] for mode in MODES)))
        cells.append(str(sum(row[mode]["write_failures"] for mode in MODES)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_checks(checks: list[Check]) -> str:
    lines = ["| target | wanted | this run | met? |", "| --- | --- | --- | --- |"]
    for check in checks:
        met = {True: "met", False: "**not met**", None: "not measured"}[check.met]
        lines.append(f"| {check.target} | {check.wanted} | {check.measured} | {met} |")
    return "\n".join(lines)


def write_performance(report: str, path: Path | None = None) -> None:
    """Put ``report`` between the markers in docs/PERFORMANCE.md; the rest stays as it is."""
    path = path or ROOT / "docs" / "PERFORMANCE.md"
    text = path.read_text() if path.exists() else f"# Performance\n\n{MARK_START}\n{MARK_END}\n"
    if MARK_START not in text:
        text += f"\n{MARK_START}\n{MARK_END}\n"
    before, rest = text.split(MARK_START, 1)
    _, after = rest.split(MARK_END, 1)
    path.write_text(f"{before}{MARK_START}\n{report}\n{MARK_END}{after}")
    log(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    sys.exit(main())
