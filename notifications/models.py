"""The delivery ledger (one row per email we owe someone) and each person's preferences.

A reminder is owed once per (meeting, member), a digest once per (week,
member); the unique constraints below are what makes "exactly once" hold
when several sweeps run at the same time. docs/REMINDERS.md tells the whole
story, including the one narrow window that can still send twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class DeliveryKind(models.TextChoices):
    REMINDER = "reminder", "Meeting reminder"
    DIGEST = "digest", "Weekly digest"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending (claimed by a worker)"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def claimable(self, now: dt.datetime) -> DeliveryQuerySet:
        """Rows a worker may claim now: pending and due, or abandoned (lease ran out)."""
        return self.filter(
            Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            | Q(state=DeliveryState.SENDING, lease_expires_at__lte=now)
        )

    def reminders(self) -> DeliveryQuerySet:
        return self.filter(kind=DeliveryKind.REMINDER)

    def digests(self) -> DeliveryQuerySet:
        return self.filter(kind=DeliveryKind.DIGEST)


class Delivery(models.Model):
    """One email owed to one member: a meeting reminder or a week's digest.

    Life of a row: created ``pending`` by a sweep; claimed (``sending``, with a
    lease and a claim token) by one conditional UPDATE; ``sent`` once the mail
    server accepted the message. A send that raised goes back to ``pending``
    with a later ``next_attempt_at`` and ends ``failed`` after MAX_ATTEMPTS.
    ``skipped`` rows were not sent on purpose (the member said "not going",
    turned reminders off, the meeting started or was cancelled, or a digest
    had nothing to say); ``note`` says why.
    """

    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    digest_week = models.DateField(
        null=True, blank=True, help_text="The Monday (in the member's zone) a digest is for."
    )
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            # Exactly one reminder per member per meeting, whatever runs at once.
            models.UniqueConstraint(
                fields=["meeting", "user", "kind"],
                condition=Q(meeting__isnull=False),
                name="notifications_delivery_one_per_meeting",
            ),
            # Exactly one digest per member per week.
            models.UniqueConstraint(
                fields=["digest_week", "user", "kind"],
                condition=Q(digest_week__isnull=False),
                name="notifications_delivery_one_per_week",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DeliveryKind.values), name="notifications_delivery_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values),
                name="notifications_delivery_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind=DeliveryKind.REMINDER, meeting__isnull=False, digest_week__isnull=True
                )
                | Q(kind=DeliveryKind.DIGEST, meeting__isnull=True, digest_week__isnull=False),
                name="notifications_delivery_subject_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="notifications_delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENDING) | Q(lease_expires_at__isnull=False),
                name="notifications_delivery_sending_has_lease",
            ),
        ]
        indexes = [
            # The sweep: "which rows are due (pending) or abandoned (lease expired)?"
            models.Index(
                fields=["state", "next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="notifications_delivery_due_idx",
            ),
            # The admin's default list, newest first.
            models.Index(fields=["-created_at"], name="notifications_delivery_new_idx"),
        ]

    def __str__(self) -> str:
        subject = f"meeting {self.meeting_id}" if self.meeting_id else f"week of {self.digest_week}"
        return f"{self.get_kind_display()} for {self.user} ({subject}): {self.get_state_display()}"


class ActivityEmail(models.TextChoices):
    """When the emails about activity (replies, thanks…) go out; the bell shows them either way."""

    IMMEDIATE = "immediate", "Email me at once"
    DIGEST = "digest", "Save them for the Monday digest"


class Preference(models.TextChoices):
    """What a person can turn on or off; the values are the field names below."""

    REMINDERS = "reminders", "Meeting reminders"
    DIGEST = "digest", "Weekly digest"
    REPLIES = "replies", "Replies to my posts"


class NotificationPreferences(models.Model):
    """A person's email choices. Created on first change: no row means every email is on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
    )
    reminders = models.BooleanField(
        "meeting reminders", default=True, help_text="An email before each meeting of my circles."
    )
    digest = models.BooleanField(
        "weekly digest",
        default=True,
        help_text="On Monday morning: open asks and gives in my circles, my meetings this week.",
    )
    replies = models.BooleanField(
        "replies to my posts", default=True, help_text="An email as soon as someone replies."
    )
    activity_email = models.CharField(
        "emails about activity",
        max_length=10,
        choices=ActivityEmail.choices,
        default=ActivityEmail.IMMEDIATE,
        help_text="Replies, thanks and the rest of what the bell shows: by email at once, "
        "or listed in the Monday digest.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user"]
        verbose_name = "notification preferences"
        verbose_name_plural = "notification preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(activity_email__in=["immediate", "digest"]),
                name="notifications_preferences_activity_email_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"


# --- In-app notifications (the bell) ----------------------------------------------------------


class NotificationKind(models.TextChoices):
    REPLY_TO_MY_POST = "reply_to_my_post", "A reply to my post"
    REPLY_IN_THREAD = "reply_in_thread", "A reply in a thread I replied in"
    THANKS = "thanks", "Thanks for a reply"
    INTRODUCTION = "introduction", "An introduction"
    JOIN_APPROVED = "join_approved", "A join request approved"
    WAITLIST_PROMOTED = "waitlist_promoted", "A seat from the waitlist"
    INVITATION = "invitation", "An invitation to a circle"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_recipient(self, user) -> NotificationQuerySet:
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> NotificationQuerySet:
        return self.order_by("-created_at", "-pk")


class Notification(models.Model):
    """Something that happened to a person, shown under the bell until they read it.

    ``text`` is written by notifications.events and never quotes an in-the-room
    post; ``url`` is a path on this site (a CheckConstraint keeps it one), so
    following it can never leave the site.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=200)
    url = models.CharField(max_length=500, help_text="A path on this site, e.g. /circles/…")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="notifications_notification_kind_valid",
            ),
            # Same-site paths only: "/x", never "//host" or "http://host".
            models.CheckConstraint(
                condition=Q(url__startswith="/") & ~Q(url__startswith="//"),
                name="notifications_notification_url_is_a_path",
            ),
        ]
        indexes = [
            # The bell on every page: "how many unread notifications has this person?"
            # Partial, so it holds only unread rows and stays small as people read.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notifications_unread_idx",
            ),
            # The list page and the digest: "this person's notifications, newest first".
            models.Index(fields=["recipient", "-created_at", "-id"], name="notifications_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}: {self.text}"

    def get_absolute_url(self) -> str:
        return self.url

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
