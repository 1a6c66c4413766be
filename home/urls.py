"""The site's front door: the landing page, /healthz and the language switcher (their names
are not namespaced)."""

from __future__ import annotations

from django.urls import path

from home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.set_language, name="set_language"),
]
