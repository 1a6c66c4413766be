"""Mounted at circles/<slug:slug>/posts/, so every view receives the circle's slug."""

from __future__ import annotations

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>
from conversations import board_views, people_views, reply_views, views

app_name = "conversations"

urlpatterns = [
    path("", board_views.board, name="board"),
    path("new/", board_views.post_create, name="post_create"),
    path("introductions/new/", people_views.introduction_create, name="introduction_create"),
    path("introductions/<id:intro_id>/", people_views.introduction_detail, name="introduction"),
    path(
        "introductions/<id:intro_id>/answer/",
        people_views.introduction_answer,
        name="introduction_answer",
    ),
    path("members/", people_views.host_members, name="host_members"),
    path("members/<id:user_id>/", people_views.member, name="member"),
    path("<id:post_id>/", views.post_detail, name="post"),
    path("<id:post_id>/edit/", board_views.post_edit, name="post_edit"),
    path("<id:post_id>/delete/", board_views.post_delete, name="post_delete"),
    path("<id:post_id>/resolve/", board_views.post_resolve, name="post_resolve"),
    path("<id:post_id>/reopen/", board_views.post_reopen, name="post_reopen"),
    path("<id:post_id>/replies/", views.reply_poll, name="reply_poll"),
    path("<id:post_id>/replies/new/", reply_views.reply_create, name="reply_create"),
    path("<id:post_id>/replies/<id:reply_id>/", reply_views.reply_detail, name="reply"),
    path("<id:post_id>/replies/<id:reply_id>/edit/", reply_views.reply_edit, name="reply_edit"),
    path(
        "<id:post_id>/replies/<id:reply_id>/delete/", reply_views.reply_delete, name="reply_delete"
    ),
]
