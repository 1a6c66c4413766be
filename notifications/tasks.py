"""Celery tasks for notifications: short sweeps that beat runs, safe to run twice or at once.

There is no task per reminder with an ETA: the Redis broker can redeliver
those and send twice. Beat fires a sweep; the sweep finds what is due in the
database and the delivery ledger makes each email go out once.
"""

from __future__ import annotations

from celery import shared_task

from notifications import sending


@shared_task(ignore_result=True)
def send_due_reminders() -> str:
    """Every two minutes (beat): create and send the reminders that are due.

    More due than one claim (a burst of meetings): queue one more sweep at
    once, so an idle worker joins in; that sweep does the same while the
    backlog lasts, so every free worker ends up sending, and no more than one
    extra sweep waits in the queue at a time. The ledger's claim keeps them
    from sending anything twice.
    """
    queued = []
    report = sending.reminders_sweep(on_backlog=lambda: queued.append(send_due_reminders.delay()))
    if report.left_for_next_sweep and not queued:
        # Out of time with rows left: carry on now rather than wait for the next beat.
        send_due_reminders.delay()
    return str(report)


@shared_task(ignore_result=True)
def send_due_digests() -> str:
    """Every quarter hour (beat): the digests of members whose Monday morning has come."""
    report = sending.digests_sweep()
    if report.left_for_next_sweep:
        send_due_digests.delay()
    return str(report)
