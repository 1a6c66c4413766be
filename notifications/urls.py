"""Mounted at the site root: the settings page and the links in emails (no sign-in needed)."""

from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("settings/notifications/", views.notification_settings, name="settings"),
    path("email/rsvp/<str:token>/", views.rsvp_link, name="rsvp"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
