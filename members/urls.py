from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from members import profile_views as views

app_name = "members"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/skip/", views.profile_skip, name="profile_skip"),
    path("me/account/", views.account, name="account"),
    path("me/delete/", views.account_delete_view, name="account_delete"),
    path("me/export.json", views.export, name="export"),
    path("<id:user_id>/", views.profile, name="profile"),
]
