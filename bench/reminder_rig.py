"""The rig bench/reminders.py measures on: an SMTP sink that counts, and real Celery workers.

The sink (an aiosmtpd handler) counts SMTP connections, messages and
duplicates (the same recipient and subject twice); the workers are separate
``celery -A config worker`` processes, started, pinged, timed (their CPU
time from /proc) and stopped here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Sink:
    """aiosmtpd handler: counts connections (EHLO/HELO) and messages per (recipient, subject)."""

    def __init__(self, domain: str) -> None:
        self.domain = domain  # whose messages ours() counts
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.connections = 0
            self.messages = 0
            self.seen: Counter = Counter()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):  # noqa: N802
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return "250 sink"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        headers = BytesHeaderParser(policy=compat32).parsebytes(envelope.content)
        subject = str(headers.get("Subject", ""))
        with self.lock:
            self.messages += 1
            for recipient in envelope.rcpt_tos:
                self.seen[(recipient.lower(), subject)] += 1
        return "250 2.0.0 queued"

    def duplicates(self) -> int:
        with self.lock:
            return sum(n - 1 for n in self.seen.values() if n > 1)

    def ours(self) -> int:
        with self.lock:
            return sum(1 for recipient, _ in self.seen if recipient.endswith(f"@{self.domain}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The workers ----------------------------------------------------------------------------


def worker_env(base: dict[str, str], smtp_port: int) -> dict[str, str]:
    env = dict(base)
    env.update(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", LOG_LEVEL="WARNING")
    return env


def start_workers(count: int, env: dict[str, str], tag: str) -> list[subprocess.Popen]:
    """``count`` worker processes, each a prefork worker with concurrency 1, named ``tag-n``."""
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--hostname",
                f"{tag}-{n}@%h",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the banner; warnings and errors go to stderr
            start_new_session=True,
        )
        for n in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def cpu_seconds(workers: list[subprocess.Popen]) -> float:
    """CPU time so far of the worker processes and their pool children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for worker in workers:
        pids = [worker.pid]
        try:
            children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text()
            pids += [int(pid) for pid in children.split()]
            for pid in pids:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError):
            return float("nan")
    return total / ticks


def wait_for_workers(app, count: int, tag: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if sum(1 for reply in replies for name in reply if name.startswith(f"{tag}-")) >= count:
            return
        time.sleep(0.2)
    raise SystemExit(f"{count} Celery worker(s) did not answer a ping within {seconds:.0f} s")
