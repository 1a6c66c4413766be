"""Pieces the staff admin shares across apps: an action that asks why, and the log inline."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from moderation.forms import ReasonForm
from moderation.models import ModerationAction


def action_with_reason(
    *,
    name: str,
    description: str,
    done: str,
    perform: Callable[[object, HttpRequest, str], bool],
):
    """An admin action that first asks staff why (kept in the log), then acts on each row.

    ``perform(obj, request, reason)`` returns True when it changed something.
    """

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                changed = sum(
                    1 for obj in queryset if perform(obj, request, form.cleaned_data["reason"])
                )
                modeladmin.message_user(
                    request,
                    gettext("%(done)s: %(changed)s of %(selected)s selected.")
                    % {"done": done, "changed": changed, "selected": queryset.count()},
                    messages.SUCCESS if changed else messages.WARNING,
                )
                return None
        else:
            form = ReasonForm()
        return TemplateResponse(
            request,
            "admin/moderation/action_reason.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "objects": queryset,
                "form": form,
                "action_name": request.POST.get("action", ""),
                "select_across": request.POST.get("select_across", "0"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": modeladmin.model._meta,
            },
        )

    action.__name__ = name
    action.short_description = description  # type: ignore[attr-defined]
    action.allowed_permissions = ("change",)  # type: ignore[attr-defined]
    return action


class ModerationActionInline(GenericTabularInline):
    """Every moderation step on this item: who, what, when and why (read-only)."""

    model = ModerationAction
    ct_field = "target_type"
    ct_fk_field = "target_id"
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "kind", "reason", "as_staff"]
    readonly_fields = fields
    verbose_name = _("moderation action")
    verbose_name_plural = _("moderation log")
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")
