"""Moderation on the admin pages of posts, replies, circles and people.

Their own apps define the admin classes (conversations/admin.py,
circles/admin.py, members/admin.py); these subclasses add what moderation
needs (hide and restore, archive and restore, suspend and unsuspend, each
asking why and logged; the moderation log and the flags on each item) and are
registered in their place. The moderation app loads after them, so this runs
last.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from circles.admin import CircleAdmin as BaseCircleAdmin
from circles.models import Circle
from conversations.admin import PostAdmin as BasePostAdmin
from conversations.admin import ReplyAdmin as BaseReplyAdmin
from conversations.models import Post, Reply
from members.admin import UserAdmin as BaseUserAdmin
from members.models import User
from moderation import services
from moderation.admin_tools import ModerationActionInline, action_with_reason
from moderation.models import Flag


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    can_delete = False
    fields = ["created_at", "reason", "note", "flagged_by", "resolved_at", "resolved_by"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("flagged_by", "resolved_by")


class PostFlagInline(FlagInline):
    fk_name = "post"


class ReplyFlagInline(FlagInline):
    fk_name = "reply"


def _hide(item, request: HttpRequest, reason: str) -> bool:
    return services.item_hide(item=item, by=request.user, reason=reason, as_staff=True)


def _restore(item, request: HttpRequest, reason: str) -> bool:
    return services.item_restore(item=item, by=request.user, reason=reason, as_staff=True)


class HiddenFilter(admin.SimpleListFilter):
    title = _("hidden by moderation")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden")), ("no", _("Shown"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


AUDIT = ["created_at", "edited_at", "deleted_at", "hidden_at", "hidden_by"]

admin.site.unregister(Post)
admin.site.unregister(Reply)
admin.site.unregister(Circle)
admin.site.unregister(User)


@admin.register(Post)
class PostAdmin(BasePostAdmin):
    list_display = [*BasePostAdmin.list_display, "hidden_at"]
    list_filter = [HiddenFilter, *BasePostAdmin.list_filter]
    readonly_fields = [*BasePostAdmin.readonly_fields, *AUDIT, "last_activity_at", "resolved_at"]
    inlines = [*BasePostAdmin.inlines, PostFlagInline, ModerationActionInline]
    actions = [
        action_with_reason(
            name="hide_posts",
            description=_("Hide the selected posts"),
            done=_("Hidden"),
            perform=_hide,
        ),
        action_with_reason(
            name="restore_posts",
            description=_("Restore the selected posts"),
            done=_("Restored"),
            perform=_restore,
        ),
    ]


@admin.register(Reply)
class ReplyAdmin(BaseReplyAdmin):
    list_display = [*BaseReplyAdmin.list_display, "hidden_at"]
    list_filter = [HiddenFilter, *BaseReplyAdmin.list_filter]
    readonly_fields = [*BaseReplyAdmin.readonly_fields, *AUDIT, "author_notified_at"]
    inlines = [*BaseReplyAdmin.inlines, ReplyFlagInline, ModerationActionInline]
    actions = [
        action_with_reason(
            name="hide_replies",
            description=_("Hide the selected replies"),
            done=_("Hidden"),
            perform=_hide,
        ),
        action_with_reason(
            name="restore_replies",
            description=_("Restore the selected replies"),
            done=_("Restored"),
            perform=_restore,
        ),
    ]


def _archive(circle: Circle, request: HttpRequest, reason: str) -> bool:
    return services.circle_archive(circle=circle, by=request.user, reason=reason)


def _unarchive(circle: Circle, request: HttpRequest, reason: str) -> bool:
    return services.circle_unarchive(circle=circle, by=request.user, reason=reason)


@admin.register(Circle)
class CircleAdmin(BaseCircleAdmin):
    list_filter = [("archived_at", admin.EmptyFieldListFilter), *BaseCircleAdmin.list_filter]
    readonly_fields = [*BaseCircleAdmin.readonly_fields, "archived_at"]
    inlines = [*BaseCircleAdmin.inlines, ModerationActionInline]
    actions = [
        action_with_reason(
            name="archive_circles",
            description=_("Archive the selected circles (nothing is deleted)"),
            done=_("Archived"),
            perform=_archive,
        ),
        action_with_reason(
            name="unarchive_circles",
            description=_("Restore the selected archived circles"),
            done=_("Restored"),
            perform=_unarchive,
        ),
    ]


def _suspend(person: User, request: HttpRequest, reason: str) -> bool:
    if person.pk == request.user.pk:
        return False
    return services.person_suspend(person=person, by=request.user, reason=reason)


def _unsuspend(person: User, request: HttpRequest, reason: str) -> bool:
    return services.person_unsuspend(person=person, by=request.user, reason=reason)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, ModerationActionInline]
    actions = [
        action_with_reason(
            name="suspend_people",
            description="Suspend the selected people (they cannot sign in; content stays)",
            done="Suspended",
            perform=_suspend,
        ),
        action_with_reason(
            name="unsuspend_people",
            description="Unsuspend the selected people",
            done="Unsuspended",
            perform=_unsuspend,
        ),
    ]
