"""Flags on posts and replies, and the log of every moderation action.

Moderation never destroys anything: hiding sets ``hidden_at`` on the post or
reply (conversations.models), restoring clears it, and each step is a
ModerationAction row saying who did what, when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    SPAM = "spam", _("Spam")
    SELLING = "selling", _("Selling or self-promotion")
    DISRESPECT = "disrespect", _("Disrespectful")
    OTHER = "other", _("Something else")


NOTE_MAX = 1_000


class FlagQuerySet(models.QuerySet["Flag"]):
    def open(self) -> FlagQuerySet:
        return self.filter(resolved_at__isnull=True)

    def in_circle(self, circle) -> FlagQuerySet:
        return self.filter(circle=circle)

    def for_queue(self) -> FlagQuerySet:
        """What a queue row shows: the item, its author and the flagger, in fixed queries."""
        return self.select_related(
            "circle", "flagged_by", "post", "post__author", "reply", "reply__author", "reply__post"
        ).order_by("created_at", "pk")


class Flag(models.Model):
    """A member's report of one post or reply to the circle's hosts and the site staff."""

    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="flags", verbose_name=_("circle")
    )
    post = models.ForeignKey(
        "conversations.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("post"),
    )
    reply = models.ForeignKey(
        "conversations.Reply",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("reply"),
    )
    # Kept (as "a former member") when the flagger deletes their account.
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags_filed",
        verbose_name=_("flagged by"),
    )
    reason = models.CharField(verbose_name=_("reason"), max_length=12, choices=Reason.choices)
    note = models.TextField(verbose_name=_("note"), max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(verbose_name=_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags_resolved",
        verbose_name=_("resolved by"),
    )
    resolution_note = models.TextField(verbose_name=_("resolution note"), blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A flag is about exactly one thing: a post or a reply.
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(reply__isnull=True))
                | (Q(post__isnull=True) & Q(reply__isnull=False)),
                name="moderation_flag_post_xor_reply",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=Reason.values), name="moderation_flag_reason_valid"
            ),
            # One flag per person per item: a double click or a second try makes none.
            models.UniqueConstraint(
                fields=["flagged_by", "post"],
                condition=Q(post__isnull=False),
                name="moderation_flag_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["flagged_by", "reply"],
                condition=Q(reply__isnull=False),
                name="moderation_flag_once_per_reply",
            ),
        ]
        indexes = [
            # A circle's host queue: its open flags, oldest first (Flag.objects.open().in_circle()).
            models.Index(
                fields=["circle", "created_at"],
                condition=Q(resolved_at__isnull=True),
                name="moderation_flag_queue_idx",
            ),
            # The staff queue on the admin index: every open flag, newest first.
            models.Index(
                fields=["-created_at"],
                condition=Q(resolved_at__isnull=True),
                name="moderation_flag_open_idx",
            ),
        ]

    def __str__(self) -> str:
        text = (
            gettext("%(reason)s flag on post %(id)s")
            if self.post_id
            else gettext("%(reason)s flag on reply %(id)s")
        )
        return text % {
            "reason": self.get_reason_display(),
            "id": self.post_id or self.reply_id,
        }

    @property
    def item(self):
        return self.post if self.post_id else self.reply

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ActionKind(models.TextChoices):
    HIDE = "hide", _("Hid")
    RESTORE = "restore", _("Restored")
    RESOLVE = "resolve", _("Resolved flags")
    SUSPEND = "suspend", _("Suspended")
    UNSUSPEND = "unsuspend", _("Unsuspended")
    ARCHIVE = "archive", _("Archived circle")
    UNARCHIVE = "unarchive", _("Restored circle")


class ModerationActionQuerySet(models.QuerySet["ModerationAction"]):
    def about(self, obj: models.Model) -> ModerationActionQuerySet:
        return self.filter(
            target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk
        ).select_related("actor")


class ModerationAction(models.Model):
    """One thing a host or staff member did: who, what, to which item, when and why.

    Append-only: the admin shows these and never edits or deletes them.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
        verbose_name=_("actor"),
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=12, choices=ActionKind.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("target type")
    )
    target_id = models.PositiveBigIntegerField(verbose_name=_("target id"))
    target = GenericForeignKey("target_type", "target_id")
    # What the target was at the time (it may be renamed or deleted later).
    target_label = models.CharField(verbose_name=_("target label"), max_length=200)
    circle = models.ForeignKey(
        "circles.Circle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
        verbose_name=_("circle"),
    )
    reason = models.TextField(verbose_name=_("reason"), blank=True)
    as_staff = models.BooleanField(
        verbose_name=_("as staff"),
        default=False,
        help_text=_("Done in the staff admin rather than by a circle's host."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActionKind.values), name="moderation_action_kind_valid"
            ),
        ]
        indexes = [
            # "What was done to this item?" (the admin inline, ModerationAction.objects.about()).
            models.Index(fields=["target_type", "target_id"], name="moderation_action_target_idx"),
        ]

    def __str__(self) -> str:
        who = self.actor.name if self.actor_id and self.actor else gettext("Someone")
        return f"{who} · {self.get_kind_display()} · {self.target_label}"
