"""Included at circles/<slug:slug>/meetings/, so every view receives ``slug``."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from meetings import agenda_views, calendar_views, record_views, schedule_views, views

app_name = "meetings"

urlpatterns = [
    path("", schedule_views.meeting_list, name="list"),
    path("add/", schedule_views.meeting_add, name="add"),
    path("<id:pk>/", views.meeting_detail, name="detail"),
    path("<id:pk>/meeting.ics", calendar_views.meeting_ics, name="ics"),
    path("<id:pk>/rsvp/", schedule_views.meeting_rsvp, name="rsvp"),
    path("<id:pk>/move/", schedule_views.meeting_move, name="move"),
    path("<id:pk>/cancel/", schedule_views.meeting_cancel, name="cancel"),
    path("<id:pk>/topics/", agenda_views.topic_propose, name="topic_propose"),
    path("<id:pk>/topics/<id:topic_pk>/vote/", agenda_views.topic_vote, name="topic_vote"),
    path("<id:pk>/topics/<id:topic_pk>/status/", agenda_views.topic_status, name="topic_status"),
    path("<id:pk>/topics/<id:topic_pk>/move/", agenda_views.topic_move, name="topic_move"),
    path("<id:pk>/agenda/lock/", agenda_views.agenda_lock, name="agenda_lock"),
    path("<id:pk>/agenda/unpin/", agenda_views.agenda_unpin, name="agenda_unpin"),
    path("<id:pk>/agenda/carry/", agenda_views.agenda_carry, name="agenda_carry"),
    path("<id:pk>/notes/", record_views.meeting_notes, name="notes"),
    path("<id:pk>/commitment/", record_views.commitment_set, name="commitment"),
    path("<id:pk>/attendance/", record_views.attendance_set, name="attendance"),
]
