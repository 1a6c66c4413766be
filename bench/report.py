"""The report of `make bench` (bench/run.py): the tables, the targets met or not, and
docs/PERFORMANCE.md's generated part. Pure functions of the rows the run measured."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from bench.targets import (
    CONNECTIONS,
    DURATION,
    MARK_END,
    MARK_START,
    MODES,
    P99_LIMIT_MS,
    ROOT,
    SCALE,
    SMALL_SCALE,
    UNCACHED,
    WARMUP,
    WORKERS,
    Target,
    log,
    machine,
)


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
