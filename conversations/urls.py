"""Mounted at circles/<slug:slug>/posts/, so every view receives the circle's slug."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from conversations import views

app_name = "conversations"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.post_create, name="post_create"),
    path("introductions/new/", views.introduction_create, name="introduction_create"),
    path("introductions/<id:intro_id>/", views.introduction_detail, name="introduction"),
    path(
        "introductions/<id:intro_id>/answer/",
        views.introduction_answer,
        name="introduction_answer",
    ),
    path("members/", views.host_members, name="host_members"),
    path("members/<id:user_id>/", views.member, name="member"),
    path("<id:post_id>/", views.post_detail, name="post"),
    path("<id:post_id>/edit/", views.post_edit, name="post_edit"),
    path("<id:post_id>/delete/", views.post_delete, name="post_delete"),
    path("<id:post_id>/resolve/", views.post_resolve, name="post_resolve"),
    path("<id:post_id>/reopen/", views.post_reopen, name="post_reopen"),
    path("<id:post_id>/replies/", views.reply_poll, name="reply_poll"),
    path("<id:post_id>/replies/new/", views.reply_create, name="reply_create"),
    path("<id:post_id>/replies/<id:reply_id>/", views.reply_detail, name="reply"),
    path("<id:post_id>/replies/<id:reply_id>/edit/", views.reply_edit, name="reply_edit"),
    path("<id:post_id>/replies/<id:reply_id>/delete/", views.reply_delete, name="reply_delete"),
]
