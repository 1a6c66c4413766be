"""The site's front door: the landing page and /healthz (their names are not namespaced)."""

from __future__ import annotations

from django.urls import path

from home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
