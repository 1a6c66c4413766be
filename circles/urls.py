from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...> and <token:...>
from circles import hosting_views, joining_views, views

app_name = "circles"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", hosting_views.create, name="create"),
    path("invitations/<token:token>/", joining_views.invitation, name="invitation"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", hosting_views.edit, name="edit"),
    path("<slug:slug>/archive/", hosting_views.archive, name="archive"),
    path("<slug:slug>/join/", joining_views.join, name="join"),
    path("<slug:slug>/leave/", joining_views.leave, name="leave"),
    path("<slug:slug>/members/", hosting_views.members, name="members"),
    path("<slug:slug>/members/<id:pk>/role/", hosting_views.member_role, name="member_role"),
    path("<slug:slug>/members/<id:pk>/remove/", hosting_views.member_remove, name="member_remove"),
    path("<slug:slug>/members/<id:pk>/transfer/", hosting_views.transfer, name="transfer"),
    path("<slug:slug>/requests/", hosting_views.requests, name="requests"),
    path(
        "<slug:slug>/requests/<id:pk>/approve/",
        hosting_views.request_decide,
        {"decision": "approve"},
        name="request_approve",
    ),
    path(
        "<slug:slug>/requests/<id:pk>/decline/",
        hosting_views.request_decide,
        {"decision": "decline"},
        name="request_decline",
    ),
    path("<slug:slug>/invitations/", joining_views.invitations, name="invitations"),
    path(
        "<slug:slug>/invitations/<id:pk>/revoke/",
        joining_views.invitation_manage,
        {"action": "revoke"},
        name="invitation_revoke",
    ),
    path(
        "<slug:slug>/invitations/<id:pk>/resend/",
        joining_views.invitation_manage,
        {"action": "resend"},
        name="invitation_resend",
    ),
]
