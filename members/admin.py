from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from members.models import Profile, Topic, User


class ProfileInline(admin.StackedInline):
    model = Profile
    extra = 0
    can_delete = False
    filter_horizontal = ["can_help_with", "looking_for"]
    readonly_fields = ["prompted_at", "created_at", "updated_at"]


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("Suspended")), ("no", _("Not suspended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "time_zone",
        "is_active",
        "suspended_at",
        "is_staff",
        "date_joined",
        "last_login",
    ]
    list_filter = [SuspendedFilter, "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "display_name"]
    date_hierarchy = "date_joined"
    readonly_fields = ["date_joined", "last_login", "suspended_at", "suspended_reason"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "time_zone", "language"]}),
        (
            _("Suspension"),
            {
                "fields": ["suspended_at", "suspended_reason"],
                "description": _(
                    "Use the 'Suspend' and 'Unsuspend' actions on the list: they "
                    "end the person's sessions and are logged."
                ),
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]
    inlines = [ProfileInline]

    def get_inlines(self, request: HttpRequest, obj: User | None):
        return self.inlines if obj is not None else []


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "headline", "industry", "experience", "city", "updated_at"]
    list_filter = ["industry", "experience"]
    search_fields = ["user__email", "user__display_name", "headline", "role", "city"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["can_help_with", "looking_for"]
    readonly_fields = ["prompted_at", "created_at", "updated_at"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
