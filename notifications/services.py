"""Writes for notifications: preferences, the delivery ledger, the reminder and digest sweeps.

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

The sending loop is deliberately *not* one transaction: each claim must be
committed before the email leaves, or a crash would roll the claim back
after the mail server already has the message. Every other write here is
atomic.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from circles.models import Membership, Status
from meetings.models import Answer, Meeting, Rsvp
from notifications.models import (
    ActivityEmail,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Notification,
    NotificationKind,
    NotificationPreferences,
    Preference,
)

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

    from circles.models import Circle
    from members.models import User

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
# Lanes one sweep sends on once a burst is due (a full first claim): threads, each with
# its own claims, database and SMTP connections, so one worker's waits overlap.
SEND_LANES = 4
# The longest lead a circle may set (circles.Circle.reminder_lead_hours).
MAX_LEAD = dt.timedelta(hours=168)
# One sweep stops claiming new rows after this long so it ends well inside
# CELERY_TASK_SOFT_TIME_LIMIT; the next sweep carries on.
SWEEP_BUDGET_SECONDS = 150.0
DIGEST_HOUR = 7  # Monday 07:00 in the member's own zone.
DIGEST_LOOKBACK = dt.timedelta(days=7)
DIGEST_MEETINGS_AHEAD = dt.timedelta(days=7)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8… minutes after the n-th failed attempt, at most an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


# --- Preferences --------------------------------------------------------------------------


def preferences_for(user: User) -> NotificationPreferences:
    """The person's preferences; an unsaved all-on row when they never changed anything."""
    prefs = NotificationPreferences.objects.filter(user_id=user.pk).first()
    return prefs or NotificationPreferences(user=user)


def wants(user: User, kind: str) -> bool:
    """Does this person want emails of this kind? ``kind``: "reminders", "digest" or "replies".

    The one question every app asks before sending an optional email (the
    conversations app asks through its signal, notifications/receivers.py). One query;
    a person who never changed their settings wants everything. Reply emails
    also need activity emails "at once": a person who chose the Monday digest
    finds their replies there (and under the bell), not in a separate email.
    """
    if kind not in Preference.values:
        raise ValueError(f"Unknown notification kind {kind!r}; one of {Preference.values}.")
    if not user.is_active:
        return False
    row = (
        NotificationPreferences.objects.filter(user_id=user.pk)
        .values_list(kind, "activity_email")
        .first()
    )
    if row is None:
        return True
    chosen, activity_email = row
    if kind == Preference.REPLIES and activity_email != ActivityEmail.IMMEDIATE:
        return False
    return bool(chosen)


@transaction.atomic
def preferences_set(
    *,
    user: User,
    reminders: bool | None = None,
    digest: bool | None = None,
    replies: bool | None = None,
    activity_email: str | None = None,
) -> NotificationPreferences:
    """Change some of a person's choices (None leaves one as is); creates the row on first use."""
    if activity_email is not None and activity_email not in ActivityEmail.values:
        raise ValueError(f"activity_email is one of {ActivityEmail.values}.")
    prefs, _ = NotificationPreferences.objects.select_for_update().get_or_create(user=user)
    changes = {
        "reminders": reminders,
        "digest": digest,
        "replies": replies,
        "activity_email": activity_email or None,
    }
    if digest is False and activity_email is None and prefs.activity_email == ActivityEmail.DIGEST:
        # Activity went by digest: with the digest off (the one-click unsubscribe,
        # which skips the form's check) it is emailed at once, not dropped.
        changes["activity_email"] = ActivityEmail.IMMEDIATE
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(prefs, name, changes[name])
    if fields:
        prefs.save(update_fields=[*fields, "updated_at"])
    return prefs


# --- In-app notifications (the bell) -----------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One notification to create: for whom, what kind, what it says, where it leads."""

    recipient_id: int
    kind: str
    text: str
    url: str


def is_site_path(url: str) -> bool:
    """A path on this site ("/circles/x/"), never another host ("//evil", "http://…", "/\\evil")."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(ord(char) < 32 for char in url)
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


@transaction.atomic
def notify_all(
    *, notices: Iterable[Notice], actor: User | None = None, circle: Circle | None = None
) -> list[Notification]:
    """Create one event's notifications in one INSERT (bulk_create), whatever their number.

    Never for the person who did it (``actor``), and one per recipient: the
    first notice for a person wins. Texts longer than the column are cut.
    """
    actor_id = actor.pk if actor is not None else None
    seen: set[int] = set()
    rows = []
    now = timezone.now()
    for notice in notices:
        if notice.recipient_id in (None, actor_id) or notice.recipient_id in seen:
            continue
        if notice.kind not in NotificationKind.values:
            raise ValueError(f"Unknown notification kind {notice.kind!r}.")
        if not is_site_path(notice.url):
            raise ValueError(f"A notification leads to a path on this site, not {notice.url!r}.")
        seen.add(notice.recipient_id)
        rows.append(
            Notification(
                recipient_id=notice.recipient_id,
                kind=notice.kind,
                text=Truncator(notice.text).chars(200),
                url=notice.url,
                actor_id=actor_id,
                circle_id=circle.pk if circle is not None else None,
                created_at=now,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    _forget_unread_counts(seen)
    return created


def notify(
    *,
    recipient: User,
    kind: str,
    text: str,
    url: str,
    actor: User | None = None,
    circle: Circle | None = None,
) -> Notification | None:
    """Tell one person something under the bell; None when they are the actor."""
    created = notify_all(
        notices=[Notice(recipient_id=recipient.pk, kind=kind, text=text, url=url)],
        actor=actor,
        circle=circle,
    )
    return created[0] if created else None


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's own unread notifications read (all of them when ``ids`` is None).

    Other people's ids are ignored, not an error: the filter is on the recipient.
    Returns how many changed.
    """
    unread = Notification.objects.for_recipient(user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    changed = unread.update(read_at=timezone.now())
    _forget_unread_counts([user.pk])
    return changed


# The bell is on every signed-in page and asks again every 30 seconds; its count
# is kept in the cache and dropped whenever a notification is created or read.
UNREAD_COUNT_SECONDS = 5 * 60


def unread_key(user_id: int) -> str:
    """Where the bell's count is kept (circles/member_pages.py reads it with its page)."""
    return f"bell:unread:{user_id}"


def _forget_unread_counts(user_ids: Iterable[int]) -> None:
    # Now, and again after commit: a request that counted before the commit
    # may have stored the old number in between.
    keys = [unread_key(user_id) for user_id in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def unread_count(user: User) -> int:
    """The number on the bell: from the cache, else one query on the partial unread index."""
    if not user.is_authenticated:
        return 0
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.for_recipient(user).unread().count()
        cache.set(key, count, UNREAD_COUNT_SECONDS)
    return count


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


# --- Sending --------------------------------------------------------------------------------------


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
        from notifications import emails

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
        content = emails.digest_content(user=delivery.user, now=now)
        if content.is_empty:
            return "Nothing to say this week."
        return emails.digest_message(user=delivery.user, content=content)

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
    if delivery.attempts > MAX_ATTEMPTS:
        # The worker holding the last attempt died; do not try forever.
        delivery_skip(
            delivery_id=delivery.pk,
            token=token,
            reason=f"Gave up: the worker was lost on attempt {MAX_ATTEMPTS}.",
            now=now,
            failed=True,
        )
        report.failed += 1
        return
    try:
        built = sender.build(delivery, facts, now)
        if isinstance(built, str):
            # A reminder that had already failed and then ran out of time is a failure.
            delivery_skip(
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
        state = delivery_mark_failed(
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
    delivery_mark_sent(delivery_id=delivery.pk, token=token, now=now)
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
        token, batch = deliveries_claim(now=clock(), kind=kind)
        if not batch:
            return False
        if on_full_claim is not None and len(batch) == CLAIM_BATCH:
            on_full_claim()
            on_full_claim = None
        facts = _BatchFacts(batch)
        try:
            for position, delivery in enumerate(batch):
                if clock() > delivery.lease_expires_at - LEASE_MARGIN:
                    # A slow mail server ate the lease: hand the rest back untouched.
                    rest = [row.pk for row in batch[position:]]
                    deliveries_release(delivery_ids=rest, token=token, now=clock())
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
    report = SendReport(created=reminders_create_due(now=now))
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
    report = SendReport(created=digests_create_due(now=now))
    return deliveries_send_due(
        kind=DeliveryKind.DIGEST, now=now, budget_seconds=budget_seconds, report=report
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
