"""The staff side of moderation: the open-flags queue first, then every action, logged.

The flag queue is the first thing on the admin index (templates/admin/index.html).
Posts, replies and circles keep their own apps' admin classes; this module
extends them (by subclassing, registered again here, since moderation loads
after them) with hide/restore and archive/restore actions and the
moderation log, so the moderation pieces live in one place.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from moderation import services
from moderation.admin_tools import action_with_reason
from moderation.models import Flag, ModerationAction


class OpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("resolved", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


def _hide_item(flag: Flag, request: HttpRequest, reason: str) -> bool:
    return services.item_hide(item=flag.item, by=request.user, reason=reason, as_staff=True)


def _restore_item(flag: Flag, request: HttpRequest, reason: str) -> bool:
    return services.item_restore(item=flag.item, by=request.user, reason=reason, as_staff=True)


def _resolve(flag: Flag, request: HttpRequest, reason: str) -> bool:
    return bool(services.flags_resolve(flags=[flag], by=request.user, note=reason, as_staff=True))


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "reason",
        "item_link",
        "item_author",
        "item_hidden",
        "circle",
        "flagged_by",
        "is_open",
        "resolved_by",
    ]
    list_filter = [OpenFilter, "reason", ("circle", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "note",
        "post__title",
        "post__body",
        "reply__body",
        "flagged_by__email",
        "flagged_by__display_name",
        "circle__name",
    ]
    date_hierarchy = "created_at"
    list_select_related = [
        "circle",
        "flagged_by",
        "resolved_by",
        "post",
        "post__author",
        "post__circle",
        "reply",
        "reply__author",
        "reply__post__circle",
    ]
    raw_id_fields = ["post", "reply", "flagged_by", "resolved_by", "circle"]
    readonly_fields = ["created_at", "resolved_at", "resolved_by", "flagged_by", "circle"]
    fields = [
        "circle",
        "post",
        "reply",
        "flagged_by",
        "reason",
        "note",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution_note",
    ]
    actions = [
        action_with_reason(
            name="resolve_flags",
            description=_("Resolve the selected flags"),
            done=_("Resolved"),
            perform=_resolve,
        ),
        action_with_reason(
            name="hide_flagged_items",
            description=_("Hide the flagged posts or replies"),
            done=_("Hidden"),
            perform=_hide_item,
        ),
        action_with_reason(
            name="restore_flagged_items",
            description=_("Restore the flagged posts or replies"),
            done=_("Restored"),
            perform=_restore_item,
        ),
    ]

    @admin.display(description=_("item"))
    def item_link(self, flag: Flag) -> str:
        item = flag.item
        label = (
            _("Post: %(title)s") % {"title": item.title}
            if flag.post_id
            else _("Reply %(id)s") % {"id": item.pk}
        )
        admin_url = reverse(
            f"admin:conversations_{'post' if flag.post_id else 'reply'}_change", args=[item.pk]
        )
        return format_html('<a href="{}">{}</a>', admin_url, label[:80])

    @admin.display(description=_("author"))
    def item_author(self, flag: Flag) -> str:
        author = flag.item.author
        return author.email if author else _("a former member")

    @admin.display(description=_("hidden"), boolean=True)
    def item_hidden(self, flag: Flag) -> bool:
        return flag.item.hidden_at is not None

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, flag: Flag) -> bool:
        return flag.resolved_at is None

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Flags come from members; staff act on them.
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "kind", "target_label", "circle", "as_staff", "reason"]
    list_filter = ["kind", "as_staff", ("target_type", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "target_label",
        "reason",
        "actor__email",
        "actor__display_name",
        "circle__name",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "circle"]
    readonly_fields = [
        "created_at",
        "actor",
        "kind",
        "target_type",
        "target_id",
        "target_label",
        "circle",
        "reason",
        "as_staff",
    ]

    # The log is append-only.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.index_template = "admin/peertables_index.html"


# Hide/restore and archive/restore on the posts', replies' and circles' own admin pages.
from moderation import admin_content  # noqa: E402, F401
