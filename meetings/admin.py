"""Staff views of meetings and everything hung on them: searchable, filterable, read-mostly.

Seats and the waitlist are kept right by services.rsvp_set under a row lock,
so RSVPs are read-only here: staff look, they do not reseat people by hand.
"""

from __future__ import annotations

from django.contrib import admin

from meetings.models import (
    AgendaTopic,
    Attendance,
    CalendarFeed,
    Commitment,
    Meeting,
    Rsvp,
    Vote,
)


class RsvpInline(admin.TabularInline):
    model = Rsvp
    extra = 0
    can_delete = False
    raw_id_fields = ["user"]
    readonly_fields = ["user", "answer", "waitlisted", "waitlisted_at", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["circle", "starts_at", "local_date", "status", "is_moved", "is_one_off"]
    list_filter = ["status", "is_moved", "is_one_off", "agenda_locked", "circle__time_zone"]
    search_fields = ["circle__name", "circle__slug", "venue_name", "notes"]
    date_hierarchy = "starts_at"
    list_select_related = ["circle"]
    raw_id_fields = ["circle"]
    readonly_fields = ["sequence", "series_date", "cancelled_at", "created_at", "updated_at"]
    inlines = [RsvpInline]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "answer", "waitlisted", "updated_at"]
    list_filter = ["answer", "waitlisted"]
    search_fields = ["user__email", "user__display_name", "meeting__circle__name"]
    list_select_related = ["meeting__circle", "user"]
    readonly_fields = ["meeting", "user", "answer", "waitlisted", "waitlisted_at", "created_at"]


@admin.register(AgendaTopic)
class AgendaTopicAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "author", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "details", "author__email", "meeting__circle__name"]
    list_select_related = ["meeting__circle", "author"]
    raw_id_fields = ["meeting", "author", "carried_from"]
    readonly_fields = ["created_at"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["topic", "user", "meeting", "created_at"]
    search_fields = ["topic__title", "user__email", "meeting__circle__name"]
    list_select_related = ["topic", "user", "meeting__circle"]
    raw_id_fields = ["topic", "meeting", "user"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["user", "meeting", "text", "updated_at"]
    search_fields = ["text", "user__email", "meeting__circle__name"]
    list_select_related = ["user", "meeting__circle"]
    raw_id_fields = ["meeting", "user"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["user", "meeting", "attended", "marked_at"]
    list_filter = ["attended"]
    search_fields = ["user__email", "meeting__circle__name"]
    list_select_related = ["user", "meeting__circle"]
    raw_id_fields = ["meeting", "user"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """The token is a secret: staff see that a feed exists and when it was rotated, not the key."""

    list_display = ["user", "rotated_at"]
    search_fields = ["user__email"]
    exclude = ["token"]
    readonly_fields = ["user", "rotated_at"]
