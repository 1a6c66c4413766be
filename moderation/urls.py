"""Mounted at circles/<slug:slug>/moderation/, so every view receives the circle's slug."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("flag/<str:kind>/<id:item_id>/", views.flag, name="flag"),
    path("<str:kind>/<id:item_id>/hide/", views.hide, name="hide"),
    path("<str:kind>/<id:item_id>/restore/", views.restore, name="restore"),
    path("<str:kind>/<id:item_id>/resolve/", views.resolve, name="resolve"),
]
