"""Mounted at circles/<slug:slug>/moderation/, so every view receives the circle's slug."""

from __future__ import annotations

from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("flag/<str:kind>/<int:item_id>/", views.flag, name="flag"),
    path("<str:kind>/<int:item_id>/hide/", views.hide, name="hide"),
    path("<str:kind>/<int:item_id>/restore/", views.restore, name="restore"),
    path("<str:kind>/<int:item_id>/resolve/", views.resolve, name="resolve"),
]
