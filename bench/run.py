"""`make bench`: seed a large data set into PostgreSQL, serve it with gunicorn in
production mode, drive load with wrk, and write the table to docs/PERFORMANCE.md.

Every number is relative to the ceiling measured in the same run: a view that
returns a constant string through the same middleware stack.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/peertables_bench),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/9), BENCH_DURATION seconds per
target (default 10), BENCH_CONNECTIONS (default 16), BENCH_SCALE (default 1.0),
BENCH_REMINDERS=0 to leave out the reminder step (bench/reminders.py).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8077"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SCALE = os.environ.get("BENCH_SCALE", "1.0")
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peertables_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
CORES = os.cpu_count() or 1
WORKERS = 2 * CORES + 1
MARK_START = "<!-- bench:results:start -->"
MARK_END = "<!-- bench:results:end -->"


def log(message: str) -> None:
    print(f"== {message}", flush=True)


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", secrets.token_urlsafe(60)),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{PORT}",
        EMAIL_URL="console://",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        DB_CONN_MAX_AGE="600",  # persistent connections
        BENCH_CEILING="1",
        LOG_LEVEL="WARNING",
    )
    return env


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
    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
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
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def load(wrk: str, path: str, cookie: str) -> dict[str, float]:
    cmd = [
        wrk,
        f"-t{min(2, CONNECTIONS)}",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
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
    cmd.append(f"http://127.0.0.1:{PORT}{path.lstrip('@')}")
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


def main() -> int:
    env = bench_env()
    wrk = ensure_wrk()
    log(f"database {DATABASE_URL}, redis {REDIS_URL}")
    ensure_database(env)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    log(f"seeding (scale {SCALE}; skipped when already seeded)")
    run([sys.executable, "-m", "bench.cli", "seed", "--scale", SCALE], env)
    run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.core.cache import cache; cache.clear()",
        ],
        env,
    )
    found = json.loads(
        run([sys.executable, "-m", "bench.cli", "targets"], env, capture_output=True).stdout
    )
    slug = found["circle_slug"]
    targets = [
        ("ceiling (constant string)", "/bench/ceiling"),
        ("landing", "/"),
        ("directory, signed out", "/circles/"),
        ("directory, signed in", "@/circles/"),
        ("circle page", f"@/circles/{slug}/"),
        ("meeting page (12 RSVPs, 15 topics)", f"@/circles/{slug}/meetings/{found['meeting_id']}/"),
        ("thread with 100 replies", f"@/circles/{slug}/posts/{found['post_id']}/"),
        (
            "thread poll, nothing new",
            f"@/circles/{slug}/posts/{found['post_id']}/replies/?after={found['last_reply_id']}",
        ),
        (".ics feed", f"/calendar/{found['feed_token']}.ics"),
    ]
    queries = json.loads(
        run(
            [sys.executable, "-m", "bench.cli", "queries", "--session", found["session_key"]]
            + [path for _, path in targets],
            env,
            capture_output=True,
        ).stdout
    )

    log(f"gunicorn: {WORKERS} sync workers on 127.0.0.1:{PORT}")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
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
    rows = []
    try:
        wait_for_server(f"http://127.0.0.1:{PORT}/bench/ceiling")
        for name, path in targets:
            load(wrk, path, found["session_key"])  # warm up every worker once
            result = load(wrk, path, found["session_key"])
            result.update(
                name=name,
                path=path.lstrip("@"),
                queries=queries[path],
                signed_in=path.startswith("@"),
            )
            rows.append(result)
            print(
                f"{name:40} {result['rps']:8.0f} req/s  p50 {result['p50']:6.1f} ms  "
                f"p99 {result['p99']:6.1f} ms  errors {result['errors']}  "
                f"queries {result['queries']}",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    ceiling = rows[0]["rps"]
    table = render_table(rows, ceiling)
    print()
    print(table)
    write_performance(table)
    reminders_ok = True
    if os.environ.get("BENCH_REMINDERS", "1") != "0":
        log("reminder throughput (bench/reminders.py)")
        reminders = subprocess.run([sys.executable, "-m", "bench.reminders"], cwd=ROOT, check=False)
        reminders_ok = reminders.returncode == 0
    return 0 if all(row["errors"] == 0 for row in rows) and reminders_ok else 1


def render_table(rows: list[dict], ceiling: float) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()} "
        f"({socket.gethostname()}); gunicorn {WORKERS} sync workers, wrk {CONNECTIONS} "
        f"connections for {DURATION} s per target after a warm-up run; PostgreSQL and Redis "
        "on the same machine.",
        "",
        "| target | req/s | p50 ms | p99 ms | errors | queries/request | % of ceiling |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        who = " (signed in)" if row["signed_in"] else ""
        lines.append(
            f"| {row['name']}{who} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | "
            f"{row['errors']} | {row['queries']} | {100 * row['rps'] / ceiling:.0f} % |"
        )
    return "\n".join(lines)


def write_performance(table: str) -> None:
    path = ROOT / "docs" / "PERFORMANCE.md"
    text = path.read_text() if path.exists() else f"# Performance\n\n{MARK_START}\n{MARK_END}\n"
    if MARK_START not in text:
        text += f"\n{MARK_START}\n{MARK_END}\n"
    before, rest = text.split(MARK_START, 1)
    _, after = rest.split(MARK_END, 1)
    path.write_text(f"{before}{MARK_START}\n{table}\n{MARK_END}{after}")
    log(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
