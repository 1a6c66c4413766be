"""Sending what the ledger owes: the reminder and digest sweeps beat runs.

A sweep creates the due rows (``notifications.ledger``), then claims them a
batch at a time and sends each over one SMTP connection, recording every
outcome in the ledger as it happens. Not one transaction, on purpose: each
claim is committed before its email leaves (docs/REMINDERS.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.mail import get_connection
from django.db import connection as db_connection
from django.utils import timezone

from circles.models import Membership, Status
from meetings.models import Answer, Rsvp
from notifications import ledger
from notifications.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    NotificationPreferences,
    Preference,
)

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

# Lanes one sweep sends on once a burst is due (a full first claim): threads, each with
# its own claims, database and SMTP connections, so one worker's waits overlap.
SEND_LANES = 4
# One sweep stops claiming new rows after this long so it ends well inside
# CELERY_TASK_SOFT_TIME_LIMIT; the next sweep carries on.
SWEEP_BUDGET_SECONDS = 150.0


@dataclass
class SendReport:
    created: int = 0
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0
    left_for_next_sweep: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: SendReport) -> None:
        """Count in what another lane of the same sweep did."""
        self.sent += other.sent
        self.skipped += other.skipped
        self.retrying += other.retrying
        self.failed += other.failed
        for reason, count in other.skip_reasons.items():
            self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + count

    def __str__(self) -> str:
        return (
            f"created {self.created}, sent {self.sent}, skipped {self.skipped}, "
            f"retrying {self.retrying}, failed {self.failed}, "
            f"left for the next sweep {self.left_for_next_sweep}"
        )


class _BatchFacts:
    """What the rows of one claimed batch need to know, in three queries for the whole batch."""

    def __init__(self, rows: list[Delivery]) -> None:
        reminders = [row for row in rows if row.meeting_id]
        users = {row.user_id for row in rows}
        self.rsvps = {
            (rsvp.meeting_id, rsvp.user_id): rsvp
            for rsvp in Rsvp.objects.filter(
                meeting_id__in={row.meeting_id for row in reminders}, user_id__in=users
            )
        }
        self.active = set(
            Membership.objects.filter(
                circle_id__in={row.meeting.circle_id for row in reminders},
                user_id__in=users,
                status=Status.ACTIVE,
            ).values_list("circle_id", "user_id")
        )
        self.preferences = {
            prefs.user_id: prefs
            for prefs in NotificationPreferences.objects.filter(user_id__in=users)
        }

    def wants(self, user_id: int, kind: str) -> bool:
        prefs = self.preferences.get(user_id)
        return prefs is None or bool(getattr(prefs, kind))


def _reminder_skip_reason(
    delivery: Delivery, rsvp: Rsvp | None, facts: _BatchFacts, now: dt.datetime
) -> str:
    meeting = delivery.meeting
    assert meeting is not None
    if meeting.is_cancelled:
        return "The meeting was cancelled."
    if meeting.starts_at <= now:
        return "The meeting started before the reminder could be sent."
    if meeting.circle.is_archived:
        return "The circle was archived."
    if not delivery.user.is_active:
        return "The account is not active."
    if (meeting.circle_id, delivery.user_id) not in facts.active:
        return "No longer an active member of the circle."
    if rsvp is not None and rsvp.answer == Answer.NOT_GOING:
        return "Answered not going."
    if not facts.wants(delivery.user_id, Preference.REMINDERS):
        return "Reminders are turned off."
    return ""


class _Sender:
    """Sends claimed rows over one mail connection, caching what a meeting's emails share."""

    def __init__(self, connection: BaseEmailBackend) -> None:
        self.connection = connection
        self.is_open = False
        self.briefs: dict[int, object] = {}

    def build(self, delivery: Delivery, facts: _BatchFacts, now: dt.datetime):
        """The message to send, or a skip reason (str)."""
        from notifications import digest_emails, emails

        if delivery.kind == DeliveryKind.REMINDER:
            meeting = delivery.meeting
            assert meeting is not None
            rsvp = facts.rsvps.get((meeting.pk, delivery.user_id))
            reason = _reminder_skip_reason(delivery, rsvp, facts, now)
            if reason:
                return reason
            if meeting.pk not in self.briefs:
                self.briefs[meeting.pk] = emails.meeting_brief(meeting)
            return emails.reminder_message(
                meeting=meeting, user=delivery.user, rsvp=rsvp, brief=self.briefs[meeting.pk]
            )
        if not delivery.user.is_active:
            return "The account is not active."
        if not facts.wants(delivery.user_id, Preference.DIGEST):
            return "The digest is turned off."
        content = digest_emails.digest_content(user=delivery.user, now=now)
        if content.is_empty:
            return "Nothing to say this week."
        return digest_emails.digest_message(user=delivery.user, content=content)

    def send(self, message) -> None:
        if not self.is_open:
            # Opened here, so send_messages() leaves it open for the next message: one
            # SMTP connection (connect, EHLO, QUIT) per batch rather than per email.
            self.connection.open()
            self.is_open = True
        if self.connection.send_messages([message]) != 1:
            raise RuntimeError("The mail server did not accept the message.")

    def close(self) -> None:
        """End the batch's connection (or one that raised: the next send opens a new one)."""
        self.is_open = False
        self.connection.close()


def delivery_send(
    *,
    delivery: Delivery,
    token: str,
    sender: _Sender,
    facts: _BatchFacts,
    now: dt.datetime,
    report: SendReport,
) -> None:
    """Send one claimed row and record the outcome (sent, skipped, retrying or failed)."""
    if delivery.attempts > ledger.MAX_ATTEMPTS:
        # The worker holding the last attempt died; do not try forever.
        ledger.delivery_skip(
            delivery_id=delivery.pk,
            token=token,
            reason=f"Gave up: the worker was lost on attempt {ledger.MAX_ATTEMPTS}.",
            now=now,
            failed=True,
        )
        report.failed += 1
        return
    try:
        built = sender.build(delivery, facts, now)
        if isinstance(built, str):
            # A reminder that had already failed and then ran out of time is a failure.
            ledger.delivery_skip(
                delivery_id=delivery.pk,
                token=token,
                reason=built,
                now=now,
                failed=bool(delivery.last_error),
            )
            report.skipped += 1
            report.skip_reasons[built] = report.skip_reasons.get(built, 0) + 1
            return
        sender.send(built)
    except Exception as exc:
        logger.warning("Delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, exc)
        state = ledger.delivery_mark_failed(
            delivery_id=delivery.pk,
            token=token,
            attempts=delivery.attempts,
            error=f"{type(exc).__name__}: {exc}",
            now=now,
        )
        if state == DeliveryState.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
        # An SMTP connection that raised may be broken; the next send reopens it.
        sender.close()
        return
    ledger.delivery_mark_sent(delivery_id=delivery.pk, token=token, now=now)
    report.sent += 1


def _send_lane(
    *,
    kind: str | None,
    clock: Callable[[], dt.datetime],
    deadline: float,
    report: SendReport,
    on_full_claim: Callable[[], object] | None = None,
) -> bool:
    """Claim and send batches until nothing is due (False) or the deadline passed (True)."""
    sender = _Sender(get_connection())
    while True:
        if time.monotonic() > deadline:
            return True
        token, batch = ledger.deliveries_claim(now=clock(), kind=kind)
        if not batch:
            return False
        if on_full_claim is not None and len(batch) == ledger.CLAIM_BATCH:
            on_full_claim()
            on_full_claim = None
        facts = _BatchFacts(batch)
        try:
            for position, delivery in enumerate(batch):
                if clock() > delivery.lease_expires_at - ledger.LEASE_MARGIN:
                    # A slow mail server ate the lease: hand the rest back untouched.
                    rest = [row.pk for row in batch[position:]]
                    ledger.deliveries_release(delivery_ids=rest, token=token, now=clock())
                    break
                delivery_send(
                    delivery=delivery,
                    token=token,
                    sender=sender,
                    facts=facts,
                    now=clock(),
                    report=report,
                )
        finally:
            sender.close()  # one SMTP connection per batch


def _helper_lane(**kwargs) -> tuple[SendReport, bool]:
    """A lane in its own thread, with its own database connection, closed at the end."""
    report = SendReport()
    try:
        return report, _send_lane(report=report, **kwargs)
    finally:
        db_connection.close()


def _lanes_possible() -> bool:
    """Helper lanes need PostgreSQL's row locks, and must see what this thread sees.

    Inside a transaction (a test's, say) another connection would not see the
    uncommitted rows, so the sweep stays in one lane.
    """
    on_postgres = db_connection.vendor == "postgresql"
    return SEND_LANES > 1 and on_postgres and not db_connection.in_atomic_block


def deliveries_send_due(
    *,
    kind: str | None = None,
    now: dt.datetime | None = None,
    budget_seconds: float = SWEEP_BUDGET_SECONDS,
    report: SendReport | None = None,
    on_backlog: Callable[[], object] | None = None,
) -> SendReport:
    """Claim and send every row that is due (or abandoned by a dead worker), oldest first.

    Claims CLAIM_BATCH rows at a time, reads what they need in a few queries
    for the whole batch, then sends them one by one over one SMTP connection,
    marking each sent as soon as the server accepted it (one UPDATE per
    email). ``now`` freezes the clock (tests); otherwise the real time is read
    at each step. Stops claiming after ``budget_seconds``; what is left waits
    for the next sweep.

    When the first claim comes back full (more is due than one batch) the sweep
    opens SEND_LANES - 1 more lanes: threads that do the same, each with its own
    claims, database connection and SMTP connection, so the waits on the mail
    server and the database overlap. Each lane follows the same protocol as a
    separate worker would. ``on_backlog`` is called then too: the task uses it
    to queue a second sweep that an idle worker can pick up.
    """
    report = report or SendReport()
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
    deadline = time.monotonic() + budget_seconds
    lane = {"kind": kind, "clock": clock, "deadline": deadline}
    helpers: list[Future] = []
    pool = ThreadPoolExecutor(max_workers=SEND_LANES, thread_name_prefix="send-lane")

    def backlog() -> None:
        if on_backlog is not None:
            on_backlog()
        if _lanes_possible():
            helpers.extend(pool.submit(_helper_lane, **lane) for _ in range(SEND_LANES - 1))

    try:
        out_of_time = _send_lane(report=report, on_full_claim=backlog, **lane)
    finally:
        pool.shutdown(wait=True)  # the helper lanes finish their batches
    for helper in helpers:
        helper_report, helper_out_of_time = helper.result()
        report.add(helper_report)
        out_of_time = out_of_time or helper_out_of_time
    if out_of_time:
        rows = Delivery.objects.claimable(clock())
        report.left_for_next_sweep = (rows.filter(kind=kind) if kind else rows).count()
    return report


def reminders_sweep(
    *,
    now: dt.datetime | None = None,
    budget_seconds: float = SWEEP_BUDGET_SECONDS,
    on_backlog: Callable[[], object] | None = None,
) -> SendReport:
    """What beat runs every two minutes: create the due reminder rows, then send what is due."""
    report = SendReport(created=ledger.reminders_create_due(now=now))
    return deliveries_send_due(
        kind=DeliveryKind.REMINDER,
        now=now,
        budget_seconds=budget_seconds,
        report=report,
        on_backlog=on_backlog,
    )


def digests_sweep(
    *, now: dt.datetime | None = None, budget_seconds: float = SWEEP_BUDGET_SECONDS
) -> SendReport:
    """What beat runs every quarter hour: create the due digest rows, then send what is due."""
    report = SendReport(created=ledger.digests_create_due(now=now))
    return deliveries_send_due(
        kind=DeliveryKind.DIGEST, now=now, budget_seconds=budget_seconds, report=report
    )
