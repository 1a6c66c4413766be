"""Included at circles/<slug:slug>/meetings/, so every view receives ``slug``."""

from __future__ import annotations

from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("add/", views.meeting_add, name="add"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/meeting.ics", views.meeting_ics, name="ics"),
    path("<int:pk>/rsvp/", views.meeting_rsvp, name="rsvp"),
    path("<int:pk>/move/", views.meeting_move, name="move"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/topics/", views.topic_propose, name="topic_propose"),
    path("<int:pk>/topics/<int:topic_pk>/vote/", views.topic_vote, name="topic_vote"),
    path("<int:pk>/topics/<int:topic_pk>/status/", views.topic_status, name="topic_status"),
    path("<int:pk>/topics/<int:topic_pk>/move/", views.topic_move, name="topic_move"),
    path("<int:pk>/agenda/lock/", views.agenda_lock, name="agenda_lock"),
    path("<int:pk>/agenda/unpin/", views.agenda_unpin, name="agenda_unpin"),
    path("<int:pk>/agenda/carry/", views.agenda_carry, name="agenda_carry"),
    path("<int:pk>/notes/", views.meeting_notes, name="notes"),
    path("<int:pk>/commitment/", views.commitment_set, name="commitment"),
    path("<int:pk>/attendance/", views.attendance_set, name="attendance"),
]
