from __future__ import annotations

from django.contrib import admin

from conversations.models import Introduction, Post, Reply, Thanks


class ReplyInline(admin.TabularInline):
    model = Reply
    extra = 0
    fields = ["author", "body", "created_at", "edited_at", "deleted_at"]
    readonly_fields = ["created_at", "edited_at", "deleted_at"]
    raw_id_fields = ["author"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "status",
        "circle",
        "author",
        "in_the_room",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["kind", "status", "in_the_room", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "body", "author__email", "author__display_name", "circle__name"]
    raw_id_fields = ["circle", "author"]
    date_hierarchy = "created_at"
    list_select_related = ["circle", "author"]
    readonly_fields = ["created_at", "edited_at", "deleted_at"]
    inlines = [ReplyInline]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["pk", "post", "author", "created_at", "edited_at", "deleted_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["body", "author__email", "author__display_name", "post__title"]
    raw_id_fields = ["post", "author"]
    list_select_related = ["post", "author"]
    readonly_fields = ["created_at", "edited_at", "deleted_at"]


@admin.register(Thanks)
class ThanksAdmin(admin.ModelAdmin):
    list_display = ["pk", "reply", "given_by", "created_at"]
    search_fields = ["note", "given_by__email", "reply__author__email"]
    raw_id_fields = ["reply", "given_by"]
    list_select_related = ["reply", "given_by"]
    readonly_fields = ["created_at"]


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    list_display = ["pk", "circle", "introducer", "person_a", "person_b", "status", "created_at"]
    list_filter = ["status", "answer_a", "answer_b"]
    search_fields = ["introducer__email", "person_a__email", "person_b__email", "circle__name"]
    raw_id_fields = ["circle", "introducer", "person_a", "person_b"]
    list_select_related = ["circle", "introducer", "person_a", "person_b"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "closed_at", "requests_sent_at", "outcome_sent_at"]
