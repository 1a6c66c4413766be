"""The delivery ledger: the rows of what is owed, created, claimed and recorded exactly once.

Exactly once, in short (docs/REMINDERS.md has the whole story):

1. A sweep *creates* one ledger row per email owed; a unique constraint per
   (meeting, member, kind) or (week, member, kind) means a second sweep, or
   three at once, insert nothing new.
2. Before sending, a worker *claims* a batch of due rows (SELECT … FOR UPDATE
   SKIP LOCKED, then a conditional UPDATE: pending → sending, with a lease and
   a random claim token). Of several workers racing, exactly one gets a row.
3. After the mail server accepts the message the row is marked *sent*.
   A send that raised goes back to pending with a backoff and ends *failed*;
   a worker that died leaves a row in *sending* that any sweep reclaims once
   its lease runs out.

Sending the claimed rows (the sweeps beat runs) is ``notifications/sending.py``;
its loop is deliberately *not* one transaction: each claim must be committed
before the email leaves, or a crash would roll the claim back after the mail
server already has the message. Every other write here is atomic.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from circles.models import Membership, Status
from meetings.models import Answer, Meeting, Rsvp
from notifications.models import Delivery, DeliveryKind, DeliveryState, NotificationPreferences

logger = logging.getLogger(__name__)

# A claimed row whose worker has not reported back within this time is
# presumed dead and may be claimed again. Far longer than one SMTP send
# (EMAIL_TIMEOUT is 20 s), so a slow but living worker is never overtaken.
LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
# Rows claimed at once, sent over one SMTP connection. Their lease should outlast
# sending them all: 100 sends take about half a second on a healthy mail server
# (docs/PERFORMANCE.md), and a batch whose lease runs low because the server is slow
# (at worst each SMTP command waits the 20 s EMAIL_TIMEOUT) hands its unsent rows
# back (LEASE_MARGIN, longer than any one send) rather than racing a takeover.
CLAIM_BATCH = 100
LEASE_MARGIN = dt.timedelta(minutes=2)
# The longest lead a circle may set (circles.Circle.reminder_lead_hours).
MAX_LEAD = dt.timedelta(hours=168)
DIGEST_HOUR = 7  # Monday 07:00 in the member's own zone.


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8… minutes after the n-th failed attempt, at most an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


# --- Creating what is owed ------------------------------------------------------------------


def meetings_due_for_reminder(now: dt.datetime) -> list[Meeting]:
    """Scheduled meetings that have not started and whose reminder time has come.

    A meeting stays due until it starts, so a worker that was down at
    reminder time catches up when it returns; after the start, never.
    """
    candidates = (
        Meeting.objects.scheduled()
        .filter(starts_at__gt=now, starts_at__lte=now + MAX_LEAD, circle__archived_at__isnull=True)
        .select_related("circle")
        .order_by("starts_at", "pk")
    )
    return [
        meeting
        for meeting in candidates
        if meeting.starts_at - dt.timedelta(hours=meeting.circle.reminder_lead_hours) <= now
    ]


@transaction.atomic
def reminders_create_due(*, now: dt.datetime | None = None) -> int:
    """One pending reminder row per due meeting and eligible member; returns how many are new.

    Eligible: an active member (and active account) of the circle who has not
    answered "not going" and has not turned reminders off. Five queries
    whatever the number of meetings; rows that exist already are left alone
    and the unique constraint settles a race with a concurrent sweep.
    """
    now = now or timezone.now()
    due = meetings_due_for_reminder(now)
    if not due:
        return 0
    members: dict[int, set[int]] = defaultdict(set)
    for circle_id, user_id in Membership.objects.filter(
        circle_id__in={m.circle_id for m in due}, status=Status.ACTIVE, user__is_active=True
    ).values_list("circle_id", "user_id"):
        members[circle_id].add(user_id)
    declined = set(
        Rsvp.objects.filter(meeting__in=due, answer=Answer.NOT_GOING).values_list(
            "meeting_id", "user_id"
        )
    )
    existing = set(
        Delivery.objects.reminders().filter(meeting__in=due).values_list("meeting_id", "user_id")
    )
    everyone = set().union(*members.values()) if members else set()
    opted_out = set(
        NotificationPreferences.objects.filter(user_id__in=everyone, reminders=False).values_list(
            "user_id", flat=True
        )
    )
    new = [
        Delivery(
            kind=DeliveryKind.REMINDER, meeting_id=meeting.pk, user_id=user_id, next_attempt_at=now
        )
        for meeting in due
        for user_id in sorted(members[meeting.circle_id])
        if (meeting.pk, user_id) not in declined
        and (meeting.pk, user_id) not in existing
        and user_id not in opted_out
    ]
    Delivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def digest_week_due(now: dt.datetime, zone_name: str) -> dt.date | None:
    """The Monday whose digest is due in this zone now (Monday from 07:00 local), else None."""
    try:
        local = now.astimezone(ZoneInfo(zone_name))
    except (KeyError, ValueError):
        return None
    if local.weekday() == 0 and local.hour >= DIGEST_HOUR:
        return local.date()
    return None


@transaction.atomic
def digests_create_due(*, now: dt.datetime | None = None) -> int:
    """One pending digest row per member whose Monday morning has come; returns how many are new.

    Only people with an active membership in a live circle and the digest on.
    Whether there is anything to say is decided when the row is sent (an
    empty digest is skipped, not sent), so the row also records "done for
    this week" and the member is not looked at again until next Monday.
    A sweep that misses a whole Monday in some zone skips that week there:
    a digest is about the week ahead, not worth sending on Wednesday.
    """
    from members.models import User

    now = now or timezone.now()
    with_circles = User.objects.filter(
        is_active=True,
        memberships__status=Status.ACTIVE,
        memberships__circle__archived_at__isnull=True,
    )
    zones = set(with_circles.order_by().values_list("time_zone", flat=True).distinct())
    due_zones = {zone: week for zone in zones if (week := digest_week_due(now, zone))}
    if not due_zones:
        return 0
    # Every zone on a Monday at one instant is on the same Monday.
    week = next(iter(due_zones.values()))
    user_ids = (
        with_circles.filter(time_zone__in=due_zones)
        .exclude(Exists(NotificationPreferences.objects.filter(user=OuterRef("pk"), digest=False)))
        .exclude(Exists(Delivery.objects.digests().filter(user=OuterRef("pk"), digest_week=week)))
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    new = [
        Delivery(kind=DeliveryKind.DIGEST, user_id=user_id, digest_week=week, next_attempt_at=now)
        for user_id in user_ids
    ]
    Delivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


# --- Claiming and recording one delivery -------------------------------------------------------


def deliveries_claim(
    *, now: dt.datetime, kind: str | None = None, limit: int | None = None
) -> tuple[str, list[Delivery]]:
    """Claim up to ``limit`` (CLAIM_BATCH) due rows for this worker; returns the token and rows.

    SELECT … FOR UPDATE SKIP LOCKED, then one UPDATE of exactly those rows, in
    one short transaction: two workers never pick the same row and never wait
    for each other (rows another worker is claiming are skipped, not
    deadlocked on). The UPDATE repeats the "claimable" condition, so even
    without row locks (SQLite serializes writers instead) a row claimed by
    someone else in between is not taken. The transaction commits before
    anything is sent: the claim is durable before the email leaves.
    """
    token = secrets.token_hex(16)
    limit = limit or CLAIM_BATCH
    with transaction.atomic():
        due = Delivery.objects.claimable(now)
        if kind:
            due = due.filter(kind=kind)
        ids = list(
            due.select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return token, []
        Delivery.objects.claimable(now).filter(pk__in=ids).update(
            state=DeliveryState.SENDING,
            claim_token=token,
            claimed_at=now,
            lease_expires_at=now + LEASE,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    rows = (
        Delivery.objects.filter(claim_token=token, state=DeliveryState.SENDING)
        .select_related("user", "meeting__circle")
        .order_by("next_attempt_at", "pk")
    )
    return token, list(rows)


def deliveries_release(*, delivery_ids: list[int], token: str, now: dt.datetime) -> int:
    """Give back claimed rows this worker will not get to (its lease is running out)."""
    return Delivery.objects.filter(
        pk__in=delivery_ids, claim_token=token, state=DeliveryState.SENDING
    ).update(
        state=DeliveryState.PENDING,
        attempts=F("attempts") - 1,
        lease_expires_at=None,
        next_attempt_at=now,
        updated_at=now,
    )


@functools.cache
def _mark_sent_sql(vendor: str) -> str:
    """What ``delivery_mark_sent``'s QuerySet.update() would say, written once.

    One UPDATE per email is the price of sending each exactly once; building it
    with the ORM cost more CPU than the round trip (0.47 ms against 0.13 ms).
    """
    quote = db_connection.ops.quote_name
    column = {name: quote(Delivery._meta.get_field(name).column) for name in (
        "id", "state", "sent_at", "lease_expires_at", "last_error", "updated_at", "claim_token"
    )}  # fmt: skip
    # Only the model's own table and column names go in; every value is a parameter.
    table = quote(Delivery._meta.db_table)
    sets = (
        f"{column['state']} = %s, {column['sent_at']} = %s, {column['lease_expires_at']} = NULL, "
        f"{column['last_error']} = '', {column['updated_at']} = %s"
    )
    where = f"{column['id']} = %s AND {column['claim_token']} = %s AND {column['state']} = %s"
    return f"UPDATE {table} SET {sets} WHERE {where}"  # noqa: S608


def delivery_mark_sent(*, delivery_id: int, token: str, now: dt.datetime) -> bool:
    """The mail server accepted the message. False if our lease was lost meanwhile."""
    with db_connection.cursor() as cursor:
        cursor.execute(
            _mark_sent_sql(db_connection.vendor),
            [DeliveryState.SENT, now, now, delivery_id, token, DeliveryState.SENDING],
        )
        marked = cursor.rowcount
    if not marked:
        logger.warning("Delivery %s was sent after its lease was taken over.", delivery_id)
    return bool(marked)


def delivery_mark_failed(
    *, delivery_id: int, token: str, attempts: int, error: str, now: dt.datetime
) -> str:
    """A send raised: retry later with backoff, or give up after MAX_ATTEMPTS. Returns the state."""
    if attempts >= MAX_ATTEMPTS:
        state, next_at = DeliveryState.FAILED, now
        note = f"Gave up after {attempts} attempts."
    else:
        state, next_at = DeliveryState.PENDING, now + backoff(attempts)
        note = f"Attempt {attempts} failed; retrying."
    Delivery.objects.filter(pk=delivery_id, claim_token=token, state=DeliveryState.SENDING).update(
        state=state,
        next_attempt_at=next_at,
        lease_expires_at=None,
        last_error=error[:2000],
        note=note,
        updated_at=now,
    )
    return state


def delivery_skip(
    *, delivery_id: int, token: str, reason: str, now: dt.datetime, failed: bool = False
) -> None:
    """Not sending on purpose (or, ``failed``, no longer able to); the admin shows ``reason``."""
    Delivery.objects.filter(pk=delivery_id, claim_token=token, state=DeliveryState.SENDING).update(
        state=DeliveryState.FAILED if failed else DeliveryState.SKIPPED,
        lease_expires_at=None,
        note=reason[:200],
        updated_at=now,
    )


@transaction.atomic
def delivery_retry(*, delivery: Delivery, now: dt.datetime | None = None) -> bool:
    """Staff put a failed row back in the queue (admin action). False if it was not failed."""
    now = now or timezone.now()
    return bool(
        Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
            state=DeliveryState.PENDING,
            attempts=0,
            next_attempt_at=now,
            note="Retried by staff.",
            updated_at=now,
        )
    )
