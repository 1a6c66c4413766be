"""Staff see every reminder and digest owed: due, sending, sent, skipped or failed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import ledger
from notifications.models import Delivery, DeliveryState, Notification, NotificationPreferences


class DueFilter(admin.SimpleListFilter):
    title = _("progress")
    parameter_name = "progress"

    def lookups(self, request, model_admin):
        return [
            ("due", _("Due now")),
            ("waiting", _("Waiting to retry")),
            ("stuck", _("Sending, lease expired (worker lost)")),
            ("sent", _("Sent")),
            ("failed", _("Failed")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "due":
            return queryset.claimable(now)
        if value == "waiting":
            return queryset.filter(state=DeliveryState.PENDING, next_attempt_at__gt=now)
        if value == "stuck":
            return queryset.filter(Q(state=DeliveryState.SENDING, lease_expires_at__lte=now))
        if value == "sent":
            return queryset.filter(state=DeliveryState.SENT)
        if value == "failed":
            return queryset.filter(state=DeliveryState.FAILED)
        return queryset


# What a row owes and where it stands: the list's columns and the first read-only fields.
_DELIVERY_TERMS = ["kind", "user", "meeting", "digest_week", "state", "attempts", "next_attempt_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [*_DELIVERY_TERMS, "sent_at", "note"]
    list_filter = [DueFilter, "state", "kind", "digest_week"]
    # The meeting's __str__ names its circle: one join instead of a query per row.
    list_select_related = ["user", "meeting__circle"]
    search_fields = ["user__email", "user__display_name", "meeting__circle__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "meeting"]
    readonly_fields = [
        *_DELIVERY_TERMS,
        "claim_token",
        "claimed_at",
        "lease_expires_at",
        "sent_at",
        "last_error",
        "note",
        "created_at",
        "updated_at",
    ]
    actions = ["retry_failed"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        # Rows are created by the sweeps only; a hand-made row could break "exactly once".
        return False

    @admin.action(description=_("Retry the selected failed deliveries"))
    def retry_failed(self, request, queryset):
        retried = sum(
            ledger.delivery_retry(delivery=delivery)
            for delivery in queryset.filter(state=DeliveryState.FAILED)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d put back in the queue.", "%(count)d put back in the queue.", retried
            )
            % {"count": retried},
            messages.SUCCESS,
        )


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "reminders", "digest", "replies", "updated_at"]
    list_filter = ["reminders", "digest", "replies"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "circle", "actor", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient", "actor", "circle"]
    search_fields = ["text", "recipient__email", "recipient__display_name", "circle__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient", "actor", "circle"]
    readonly_fields = ["created_at", "read_at"]
