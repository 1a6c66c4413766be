"""At the site root: the settings page, the links in emails (no sign-in needed), the bell."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from notifications import views

app_name = "notifications"

urlpatterns = [
    path("settings/notifications/", views.notification_settings, name="settings"),
    path("email/rsvp/<str:token>/", views.rsvp_link, name="rsvp"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/", views.notification_list, name="list"),
    path("notifications/count/", views.bell_count, name="count"),
    path("notifications/read-all/", views.notifications_read_all, name="read_all"),
    path("notifications/<id:pk>/open/", views.notification_open, name="open"),
]
