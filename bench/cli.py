"""Django-side steps of the benchmark, run by bench/run.py in the bench environment.

python -m bench.cli seed [--scale 1.0]   # write the data set once
python -m bench.cli targets              # print the ids and a session key as JSON
python -m bench.cli queries PATH...      # SQL queries per request, as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench import seeding

    parser = argparse.ArgumentParser(prog="bench.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    seed = sub.add_parser("seed")
    seed.add_argument("--scale", type=float, default=1.0)
    sub.add_parser("targets")
    queries = sub.add_parser("queries")
    queries.add_argument("--session", default="")
    queries.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)

    if args.command == "seed":
        if seeding.seeded():
            print("bench data already seeded", file=sys.stderr)
        else:
            started = time.monotonic()
            seeding.seed(scale=args.scale)
            print(f"seeded in {time.monotonic() - started:.0f}s", file=sys.stderr)
        # Fresh planner statistics, as autovacuum would have them on a live site:
        # right after a bulk load PostgreSQL still thinks the tables are empty.
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    elif args.command == "targets":
        print(json.dumps(seeding.targets().__dict__))
    elif args.command == "queries":
        print(json.dumps(count_queries(args.paths, args.session)))
    return 0


def count_queries(paths: list[str], session_key: str) -> dict[str, int]:
    """Queries per request for each path, through the whole middleware stack.

    The second request is counted, as gunicorn's warm workers would serve it.
    """
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    counts = {}
    for path in paths:
        signed_in = path.startswith("@")
        url = path.lstrip("@")
        client.cookies.clear()
        if signed_in:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # A redirect or an error is a measuring mistake; it shows as minus the status.
        ok = response.status_code in (200, 204)
        counts[path] = len(captured) if ok else -response.status_code
    return counts


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
