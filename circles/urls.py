from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...> and <token:...>
from circles import views

app_name = "circles"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.create, name="create"),
    path("invitations/<token:token>/", views.invitation, name="invitation"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/archive/", views.archive, name="archive"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<id:pk>/role/", views.member_role, name="member_role"),
    path("<slug:slug>/members/<id:pk>/remove/", views.member_remove, name="member_remove"),
    path("<slug:slug>/members/<id:pk>/transfer/", views.transfer, name="transfer"),
    path("<slug:slug>/requests/", views.requests, name="requests"),
    path(
        "<slug:slug>/requests/<id:pk>/approve/",
        views.request_decide,
        {"decision": "approve"},
        name="request_approve",
    ),
    path(
        "<slug:slug>/requests/<id:pk>/decline/",
        views.request_decide,
        {"decision": "decline"},
        name="request_decline",
    ),
    path("<slug:slug>/invitations/", views.invitations, name="invitations"),
    path(
        "<slug:slug>/invitations/<id:pk>/revoke/",
        views.invitation_manage,
        {"action": "revoke"},
        name="invitation_revoke",
    ),
    path(
        "<slug:slug>/invitations/<id:pk>/resend/",
        views.invitation_manage,
        {"action": "resend"},
        name="invitation_resend",
    ),
]
