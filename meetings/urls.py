"""Included at circles/<slug:slug>/meetings/, so every view receives ``slug``."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("add/", views.meeting_add, name="add"),
    path("<id:pk>/", views.meeting_detail, name="detail"),
    path("<id:pk>/meeting.ics", views.meeting_ics, name="ics"),
    path("<id:pk>/rsvp/", views.meeting_rsvp, name="rsvp"),
    path("<id:pk>/move/", views.meeting_move, name="move"),
    path("<id:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<id:pk>/topics/", views.topic_propose, name="topic_propose"),
    path("<id:pk>/topics/<id:topic_pk>/vote/", views.topic_vote, name="topic_vote"),
    path("<id:pk>/topics/<id:topic_pk>/status/", views.topic_status, name="topic_status"),
    path("<id:pk>/topics/<id:topic_pk>/move/", views.topic_move, name="topic_move"),
    path("<id:pk>/agenda/lock/", views.agenda_lock, name="agenda_lock"),
    path("<id:pk>/agenda/unpin/", views.agenda_unpin, name="agenda_unpin"),
    path("<id:pk>/agenda/carry/", views.agenda_carry, name="agenda_carry"),
    path("<id:pk>/notes/", views.meeting_notes, name="notes"),
    path("<id:pk>/commitment/", views.commitment_set, name="commitment"),
    path("<id:pk>/attendance/", views.attendance_set, name="attendance"),
]
