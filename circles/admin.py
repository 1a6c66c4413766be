from __future__ import annotations

from django.contrib import admin

from circles.models import Circle, Invitation, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "circle"
    extra = 0
    raw_id_fields = ["user", "invited_by"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "place",
        "weekday",
        "start_time",
        "time_zone",
        "join_policy",
        "listing",
        "archived_at",
    ]
    list_filter = ["listing", "join_policy", "is_online", "weekday", "frequency"]
    search_fields = ["name", "slug", "city", "purpose"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]
    filter_horizontal = ["topics"]
    inlines = [MembershipInline]
    # Staff archive and restore circles with the moderation app's logged actions
    # (moderation/admin_content.py subclasses this admin and adds them).


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "circle", "role", "status", "invited_by", "joined_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__display_name", "circle__name"]
    list_select_related = ["user", "circle", "invited_by"]
    raw_id_fields = ["user", "circle", "invited_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "circle", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = [
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "circle__name", "invited_by__email"]
    list_select_related = ["circle", "invited_by"]
    raw_id_fields = ["circle", "invited_by", "accepted_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["token", "created_at", "sent_at"]
