from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def heartbeat() -> str:
    """Beat's pulse: a log line a minute shows that scheduled work really runs."""
    now = timezone.now().isoformat(timespec="seconds")
    logger.info("beat heartbeat at %s", now)
    return now
