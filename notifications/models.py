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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.bell_texts import notification_text


class DeliveryKind(models.TextChoices):
    REMINDER = "reminder", _("Meeting reminder")
    DIGEST = "digest", _("Weekly digest")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending (claimed by a worker)")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


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

    kind = models.CharField(verbose_name=_("kind"), max_length=10, choices=DeliveryKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("user"),
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("meeting"),
    )
    digest_week = models.DateField(
        verbose_name=_("digest week"),
        null=True,
        blank=True,
        help_text=_("The Monday (in the member's zone) a digest is for."),
    )
    state = models.CharField(
        verbose_name=_("state"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), default=timezone.now)
    claim_token = models.CharField(verbose_name=_("claim token"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(verbose_name=_("claimed at"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        verbose_name=_("lease expires at"), null=True, blank=True
    )
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    note = models.CharField(verbose_name=_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("deliveries")
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
        subject = (
            gettext("meeting %(id)s") % {"id": self.meeting_id}
            if self.meeting_id
            else gettext("week of %(date)s") % {"date": self.digest_week}
        )
        return gettext("%(kind)s for %(person)s (%(subject)s): %(state)s") % {
            "kind": self.get_kind_display(),
            "person": self.user,
            "subject": subject,
            "state": self.get_state_display(),
        }


class ActivityEmail(models.TextChoices):
    """When the emails about activity (replies, thanks…) go out; the bell shows them either way."""

    IMMEDIATE = "immediate", _("Email me at once")
    DIGEST = "digest", _("Save them for the Monday digest")


class Preference(models.TextChoices):
    """What a person can turn on or off; the values are the field names below."""

    REMINDERS = "reminders", _("Meeting reminders")
    DIGEST = "digest", _("Weekly digest")
    REPLIES = "replies", _("Replies to my posts")


class NotificationPreferences(models.Model):
    """A person's email choices. Created on first change: no row means every email is on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    reminders = models.BooleanField(
        _("meeting reminders"),
        default=True,
        help_text=_("An email before each meeting of my circles."),
    )
    digest = models.BooleanField(
        _("weekly digest"),
        default=True,
        help_text=_("On Monday morning: open asks and gives in my circles, my meetings this week."),
    )
    replies = models.BooleanField(
        _("replies to my posts"), default=True, help_text=_("An email as soon as someone replies.")
    )
    activity_email = models.CharField(
        _("emails about activity"),
        max_length=10,
        choices=ActivityEmail.choices,
        default=ActivityEmail.IMMEDIATE,
        help_text=_(
            "Replies, thanks and the rest of what the bell shows: by email at once, "
            "or listed in the Monday digest."
        ),
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["user"]
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(activity_email__in=["immediate", "digest"]),
                name="notifications_preferences_activity_email_valid",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Notification preferences of %(person)s") % {"person": self.user}


# --- In-app notifications (the bell) ----------------------------------------------------------


class NotificationKind(models.TextChoices):
    REPLY_TO_MY_POST = "reply_to_my_post", _("A reply to my post")
    REPLY_IN_THREAD = "reply_in_thread", _("A reply in a thread I replied in")
    THANKS = "thanks", _("Thanks for a reply")
    INTRODUCTION = "introduction", _("An introduction")
    JOIN_APPROVED = "join_approved", _("A join request approved")
    WAITLIST_PROMOTED = "waitlist_promoted", _("A seat from the waitlist")
    INVITATION = "invitation", _("An invitation to a circle")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_recipient(self, user) -> NotificationQuerySet:
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> NotificationQuerySet:
        return self.order_by("-created_at", "-pk")


class Notification(models.Model):
    """Something that happened to a person, shown under the bell until they read it.

    ``params`` (written by notifications.events) is which message it is and the
    values it names, never quoting an in-the-room post; ``message`` writes it in
    the reader's language. ``text`` is the same in the site's language, for the
    admin. ``url`` is a path on this site (a CheckConstraint keeps it one), so
    following it can never leave the site.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    circle = models.ForeignKey(
        "circles.Circle",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("circle"),
    )
    text = models.CharField(verbose_name=_("text"), max_length=200)
    # Which message of notifications.bell_texts and the values it names; rendered
    # in the reader's language when read. Empty for rows written before it was kept.
    params = models.JSONField(verbose_name=_("message and its values"), default=dict, blank=True)
    url = models.CharField(
        verbose_name=_("URL"), max_length=500, help_text=_("A path on this site, e.g. /circles/…")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    read_at = models.DateTimeField(verbose_name=_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
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
        return gettext("%(kind)s for %(person)s: %(text)s") % {
            "kind": self.get_kind_display(),
            "person": self.recipient_id,
            "text": self.text,
        }

    def get_absolute_url(self) -> str:
        return self.url

    @property
    def message(self) -> str:
        """What it says, in the active language (the reader's); ``text`` when no message is kept."""
        return notification_text(self.params, self.text)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
