"""The private calendar feed lives outside any circle: /calendar/."""

from __future__ import annotations

from django.urls import path

from meetings import views

app_name = "calendar"

urlpatterns = [
    path("", views.calendar_settings, name="settings"),
    path("rotate/", views.calendar_rotate, name="rotate"),
    path("<str:token>.ics", views.calendar_feed, name="feed"),
]
