"""The private calendar feed lives outside any circle: /calendar/."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <token:...>
from meetings import calendar_views

app_name = "calendar"

urlpatterns = [
    path("", calendar_views.calendar_settings, name="settings"),
    path("rotate/", calendar_views.calendar_rotate, name="rotate"),
    path("<token:token>.ics", calendar_views.calendar_feed, name="feed"),
]
