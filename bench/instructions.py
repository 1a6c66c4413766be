"""`python -m bench.instructions`: the machine instructions one request of each page takes.

On a shared machine the CPU time of a request moves by a third between two runs of
the same code, more than most changes save. The instructions a request executes do
not: this runs bench/cpu.py's requests (Django's WSGI handler in one process, the
bench member's cookies, every rendered-output cache off) under valgrind's callgrind,
which counts every instruction the process executes, whatever else the machine does.
Counting covers only the measured requests: each page's ``INSTRUCTIONS_REQUESTS``
(default 10) run inside ``sys.call_tracing``, which nothing else here calls, so
callgrind counts inside that call alone and writes one dump per page. Start-up and
the ``WARMUP`` requests before it are not counted.

What is counted is this process's own work: Python, Django and the app, the drivers'
parsing, and the system calls' user side. PostgreSQL's and Redis's work happens in
their own processes and is not in the count. Instructions are not time (a cache miss
costs more than an add), so use it to compare two versions of the code, not to say
how fast a page is. Under valgrind the process runs about fifty times slower: a run
takes two to four minutes. PYTHONHASHSEED is fixed so that two runs of the same code
agree to within a few tenths of a percent.

Environment: INSTRUCTIONS_REQUESTS, CPU_PAGES (as bench/cpu.py), bench/targets.py's
BENCH_* variables. Needs valgrind (Debian's package).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bench import cpu, run

REQUESTS = int(os.environ.get("INSTRUCTIONS_REQUESTS", "10"))
WARMUP = 5
# The C function the measured requests run inside; nothing else here calls it.
MARKER = "sys_call_tracing"


def valgrind_command(program: list[str], out_file: Path) -> list[str]:
    """``program`` under callgrind, counting only inside ``sys.call_tracing`` and writing a
    dump after each such call."""
    return [
        "valgrind",
        "--tool=callgrind",
        "--cache-sim=no",
        "--collect-atstart=no",
        f"--toggle-collect={MARKER}",
        f"--dump-after={MARKER}",
        f"--callgrind-out-file={out_file}",
        *program,
    ]


def counted(out_file: Path) -> list[int]:
    """The instructions of each dump callgrind wrote after ``out_file``, in order
    (``out_file.1``, ``.2`` and so on; ``out_file`` itself holds what followed the last)."""
    dumps = []
    for path in out_file.parent.glob(out_file.name + ".*"):
        suffix = path.name.rsplit(".", 1)[1]
        if suffix.isdigit():
            dumps.append((int(suffix), path))
    totals = []
    for _, path in sorted(dumps):
        match = re.search(r"^totals: (\d+)", path.read_text(), re.M)
        if match is None:
            raise SystemExit(f"{path} has no totals line: not a callgrind dump")
        totals.append(int(match.group(1)))
    return totals


def _inside() -> int:
    """Under valgrind: each page's requests, the measured ones inside sys.call_tracing."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    found = json.loads(os.environ["INSTRUCTIONS_TARGETS"])
    for _name, path, cookie in cpu.pages(found):
        get = cpu.warmed(application, path, cookie, warmup=WARMUP)
        sys.call_tracing(lambda count, get=get: [get() for _ in range(count)], (REQUESTS,))
    return 0


def main() -> int:
    if "--inside" in sys.argv:
        return _inside()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    env = run.bench_env("uncached")
    found = run.prepare(env)
    env.update(PYTHONHASHSEED="0", INSTRUCTIONS_TARGETS=json.dumps(found))
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as folder:
        out_file = Path(folder) / "callgrind.out"
        program = [sys.executable, "-m", "bench.instructions", "--inside"]
        run.run(valgrind_command(program, out_file), env, capture_output=True)
        totals = counted(out_file)
    if len(totals) != len(cpu.PAGES):
        raise SystemExit(f"{len(totals)} dumps for {len(cpu.PAGES)} pages")
    print(f"| page | million instructions a request |  ({REQUESTS} requests)")
    print("| --- | ---: |")
    for name, total in zip(cpu.PAGES, totals, strict=True):
        print(f"| {name} | {total / REQUESTS / 1e6:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
