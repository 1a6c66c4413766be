"""members' own pages under /members/, for the signed-in person about themselves.

home/member_urls.py serves these with the profile page and the data export
(which read every app) as the ``members:`` namespace.
"""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from members import profile_views as views

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/skip/", views.profile_skip, name="profile_skip"),
    path("me/account/", views.account, name="account"),
    path("me/delete/", views.account_delete_view, name="account_delete"),
]
