"""/members/: a person's pages, all named ``members:…``.

Most are members' own (members/urls.py); a person's profile page and their
data export read every app (their circles, posts, RSVPs, flags), so they are
served from here, above those apps, under the same names and addresses.
"""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from home import profile_views
from members.urls import urlpatterns as members_own_pages

app_name = "members"

urlpatterns = [
    *members_own_pages,
    path("me/export.json", profile_views.export, name="export"),
    path("<id:user_id>/", profile_views.profile, name="profile"),
]
