"""`make prod`: every production process of one host, started by honcho from Procfile.prod.

    python -m deploy.processes start    # check, migrate, collectstatic, then honcho
    python -m deploy.processes check    # only check the environment and print the plan

The host runs WEB_PROCESSES gunicorn processes on PORT, PORT+1, ... (default 2 from
8000), WORKER_PROCESSES Celery workers (default 2) and BEAT_PROCESSES beats (1, or 0 on
every host but one: a deployment runs exactly one beat). Every process is stateless
beyond PostgreSQL and Redis, so more hosts run the same command behind a load balancer
(docs/DEPLOY.md). tests/test_scale_out.py starts this same module and checks that a
session, a live thread and a reminder hold across the processes.

Process-per-type settings, read by Procfile.prod: HOST (bind address, 127.0.0.1),
WEB_WORKERS (gunicorn workers per web process, 2), WORKER_CONCURRENCY (task processes
per Celery worker, 2), LOG_LEVEL. MIGRATE=0 skips the migration on hosts other than the
one that migrates a release.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile.prod"

# What production needs from the environment, and what to put there.
REQUIRED = {
    "SECRET_KEY": "a random secret of 50+ characters: "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(60))'",
    "ALLOWED_HOSTS": "the public host name(s), comma-separated, e.g. peertables.example.org",
    "SITE_URL": "the public address for links in emails, e.g. https://peertables.example.org",
    "DATABASE_URL": "PostgreSQL, e.g. postgres://peertables:secret@db.internal:5432/peertables",
    "REDIS_URL": "Redis, the broker and the cache (sessions, rate limits) every process "
    "shares, e.g. redis://redis.internal:6379/0",
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigurationError(Exception):
    """The environment cannot run production; the message says what to set."""


@dataclass(frozen=True)
class Plan:
    """How many of each process this host runs, and where the web processes listen."""

    web: int
    workers: int
    beat: int
    port: int
    host: str

    @property
    def web_ports(self) -> list[int]:
        # honcho gives the n-th process of the first type in the Procfile PORT + n - 1.
        return [self.port + index for index in range(self.web)]

    @property
    def concurrency(self) -> str:
        return f"web={self.web},worker={self.workers},beat={self.beat}"

    def describe(self) -> str:
        listens = ", ".join(f"{self.host}:{port}" for port in self.web_ports)
        web = f"{self.web} web (gunicorn on {listens})" if self.web else "no web"
        return f"{web}, {self.workers} Celery worker(s), {self.beat} beat"


def _count(environ: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        problems.append(f"{name} must be a whole number, got {raw!r}")
        return default
    return int(raw)


def plan_for(environ: Mapping[str, str]) -> Plan:
    """Read and check the environment; raise ConfigurationError listing every problem."""
    problems = [
        f"{name} is not set ({hint})"
        for name, hint in REQUIRED.items()
        if not environ.get(name, "").strip()
    ]
    secret = environ.get("SECRET_KEY", "").strip()
    if secret and (len(secret) < 50 or secret.startswith("django-insecure-")):
        problems.append("SECRET_KEY must be a real secret of 50+ characters")
    if not (environ.get("EMAIL_URL") or environ.get("EMAIL_HOST")):
        problems.append(
            "EMAIL_URL is not set (the mail server, e.g. smtp://user:pass@smtp.example.org:587?tls=1)"
        )
    database = urlsplit(environ.get("DATABASE_URL", ""))
    if database.scheme and not database.scheme.startswith("postgres"):
        problems.append(
            f"DATABASE_URL must be PostgreSQL, not {database.scheme!r}: "
            "several processes and hosts share it"
        )
    redis = urlsplit(environ.get("REDIS_URL", ""))
    if redis.scheme and redis.scheme not in {"redis", "rediss"}:
        problems.append(f"REDIS_URL must be redis:// or rediss://, not {redis.scheme!r}")
    if environ.get("DEBUG", "").strip().lower() in _TRUE:
        problems.append("DEBUG is on; production runs with DEBUG off (unset it)")
    plan = Plan(
        web=_count(environ, "WEB_PROCESSES", 2, problems),
        workers=_count(environ, "WORKER_PROCESSES", 2, problems),
        beat=_count(environ, "BEAT_PROCESSES", 1, problems),
        port=_count(environ, "PORT", 8000, problems),
        host=environ.get("HOST", "").strip() or "127.0.0.1",
    )
    for name in ("WEB_WORKERS", "WORKER_CONCURRENCY"):
        _count(environ, name, 2, problems)
    if plan.web + plan.workers + plan.beat == 0:
        problems.append("WEB_PROCESSES, WORKER_PROCESSES and BEAT_PROCESSES are all 0")
    if plan.beat > 1:
        # Two beats fire every scheduled task twice; the sweeps would survive it
        # (the delivery ledger), but nothing should rely on that.
        problems.append("BEAT_PROCESSES must be 1 (or 0 on all hosts but one): run one beat")
    if plan.web_ports and plan.web_ports[-1] > 65535:
        problems.append(f"PORT {plan.port} leaves no room for {plan.web} web processes")
    if problems:
        raise ConfigurationError(
            "make prod refuses to start:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
            + "\nSee docs/DEPLOY.md, 'Environment'."
        )
    return plan


def production_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment every process gets: production mode, this virtualenv's commands first."""
    env = dict(environ)
    env["DJANGO_ENV"] = "production"
    env["DEBUG"] = "0"
    env["PYTHONUNBUFFERED"] = "1"  # log lines reach honcho (and journald) as they happen
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    return env


def prepare(env: Mapping[str, str]) -> None:
    """Before any process starts: migrate (unless MIGRATE=0), collect the static files."""
    var_dir = Path(env.get("VAR_DIR") or ROOT / "var")
    var_dir.mkdir(parents=True, exist_ok=True)  # beat keeps its schedule file here
    commands = [["collectstatic", "--noinput", "-v", "0"]]
    if env.get("MIGRATE", "1").strip().lower() not in _FALSE:
        # Once per release: with several hosts, one migrates and the others set MIGRATE=0.
        commands.insert(0, ["migrate", "--noinput"])
    for command in commands:
        print(f"== manage.py {' '.join(command)}", flush=True)
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *command], cwd=ROOT, env=dict(env), check=True
        )


def honcho_argv(plan: Plan) -> list[str]:
    return [
        "start",
        "--procfile",
        str(PROCFILE),
        "--app-root",
        str(ROOT),
        # The environment is this process's own, checked above; a stray .env
        # file must not override it behind the check's back.
        "--env",
        os.devnull,
        "--port",
        str(plan.port),
        "--concurrency",
        plan.concurrency,
    ]


def start(environ: Mapping[str, str]) -> None:
    plan = plan_for(environ)
    env = production_environ(environ)
    prepare(env)
    print(f"== starting {plan.describe()}", flush=True)
    os.chdir(ROOT)
    os.environ.clear()
    os.environ.update(env)
    from honcho.command import main as honcho

    honcho(honcho_argv(plan))  # runs until a process stops or a signal arrives


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.processes", description=__doc__)
    parser.add_argument("command", choices=["start", "check"], nargs="?", default="start")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            print(plan_for(os.environ).describe())
            return 0
        start(os.environ)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
