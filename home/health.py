"""Checks behind /healthz: each returns None when healthy, else what is wrong."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", and we say which
        return f"{type(exc).__name__}: {exc}"
    return None


def check_broker() -> str | None:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None


def run_checks() -> dict[str, str | None]:
    checks = {"database": check_database()}
    if settings.HEALTHZ_CHECK_BROKER:
        checks["broker"] = check_broker()
    return checks
