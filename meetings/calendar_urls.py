"""The private calendar feed lives outside any circle: /calendar/."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <token:...>
from meetings import views

app_name = "calendar"

urlpatterns = [
    path("", views.calendar_settings, name="settings"),
    path("rotate/", views.calendar_rotate, name="rotate"),
    path("<token:token>.ics", views.calendar_feed, name="feed"),
]
