"""Reply notification emails, and "in the room" posts that no email ever quotes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from conversations import services, tasks
from conversations.models import Reply
from tests.conversations.factories import PostFactory, ReplyFactory

pytestmark = pytest.mark.django_db


def every_part(message) -> str:
    """Subject, plain text and HTML of one email, as one string to search."""
    html = "".join(content for content, _ in getattr(message, "alternatives", []))
    return "\n".join([message.subject, message.body, html])


def reply_via_form(client, post, body: str):
    url = reverse(
        "conversations:reply_create", kwargs={"slug": post.circle.slug, "post_id": post.pk}
    )
    return client.post(url, {"body": body})


def test_post_author_is_emailed_once_about_a_reply(
    cast, as_user, django_capture_on_commit_callbacks
):
    post = PostFactory(circle=cast.circle, author=cast.alice, title="Pricing my first project")
    with django_capture_on_commit_callbacks(execute=True):
        reply_via_form(as_user(cast.bob), post, "Charge a **fixed** price.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    reply = Reply.objects.get()
    assert message.to == [cast.alice.email]
    assert message.subject.startswith("Tuesday Breakfast Thinkers: ")
    assert "Pricing my first project" in message.subject
    assert "Bob Helper replied" in message.body
    assert "Charge a **fixed** price." in message.body
    html = message.alternatives[0][0]
    assert "<strong>fixed</strong>" in html
    absolute = settings.SITE_URL + reply.get_absolute_url()
    assert absolute in message.body and absolute in html

    # The task delivered again sends nothing more.
    assert tasks.reply_notify_author(reply.pk) is False
    assert len(mail.outbox) == 1


def test_no_email_for_replying_to_yourself(cast, as_user, django_capture_on_commit_callbacks):
    post = PostFactory(circle=cast.circle, author=cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        reply_via_form(as_user(cast.alice), post, "Update: I tried it.")
    assert mail.outbox == []


def test_no_email_for_a_reply_deleted_before_the_task_ran(cast):
    post = PostFactory(circle=cast.circle, author=cast.alice)
    reply = ReplyFactory(post=post, author=cast.bob, deleted_at=post.created_at)
    assert tasks.reply_notify_author(reply.pk) is False
    assert mail.outbox == []


def test_the_email_is_queued_only_after_commit(cast, django_capture_on_commit_callbacks):
    post = PostFactory(circle=cast.circle, author=cast.alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reply_create(post=post, author=cast.bob, body="Hi")
    assert mail.outbox == []  # nothing sent inside the transaction
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[cast.alice.email]]  # once committed, it goes


SECRET_TITLE = "Merging the platform teams in March"
SECRET_BODY = "Layoffs are likely for the Denver office."
SECRET_REPLY = "Tell Priya first, she leads Denver."


def test_an_in_the_room_post_is_never_quoted_in_email(
    cast, as_user, django_capture_on_commit_callbacks
):
    post = PostFactory(
        circle=cast.circle,
        author=cast.alice,
        title=SECRET_TITLE,
        body=SECRET_BODY,
        in_the_room=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply_via_form(as_user(cast.bob), post, SECRET_REPLY)
    assert len(mail.outbox) == 1
    everything = every_part(mail.outbox[0])
    for secret in (SECRET_TITLE, SECRET_BODY, SECRET_REPLY, "Merging", "Denver", "Priya"):
        assert secret not in everything
    # It still says there is something new, in which circle, and links to it.
    assert mail.outbox[0].subject.startswith("Tuesday Breakfast Thinkers: ")
    assert "in-the-room" in mail.outbox[0].subject
    reply = Reply.objects.get()
    assert settings.SITE_URL + reply.get_absolute_url() in mail.outbox[0].body


def test_an_ordinary_post_is_quoted_so_the_test_above_can_fail(
    cast, as_user, django_capture_on_commit_callbacks
):
    post = PostFactory(circle=cast.circle, author=cast.alice, title=SECRET_TITLE, body=SECRET_BODY)
    with django_capture_on_commit_callbacks(execute=True):
        reply_via_form(as_user(cast.bob), post, SECRET_REPLY)
    everything = every_part(mail.outbox[0])
    assert SECRET_TITLE in everything and SECRET_REPLY in everything


def test_marking_a_post_in_the_room_is_shown_on_the_page_and_board(cast, as_user):
    url = reverse("conversations:post_create", kwargs={"slug": cast.circle.slug})
    client = as_user(cast.alice)
    client.post(
        url, {"kind": "ask", "title": SECRET_TITLE, "body": SECRET_BODY, "in_the_room": "on"}
    )
    html = client.get(reverse("conversations:board", kwargs={"slug": cast.circle.slug}))
    assert "In the room" in html.content.decode()


def test_email_subjects_quote_the_title_as_written(cast, django_capture_on_commit_callbacks):
    post = PostFactory(circle=cast.circle, author=cast.alice, title="Sales & *marketing* <help>")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(post=post, author=cast.bob, body="Sure")
    assert mail.outbox[0].subject == (
        "Tuesday Breakfast Thinkers: new reply to “Sales & *marketing* <help>”"
    )


def test_no_reply_email_for_an_author_who_turned_them_off(cast, django_capture_on_commit_callbacks):
    pytest.importorskip("notifications.services")
    from notifications.services import preferences_set

    preferences_set(user=cast.alice, replies=False)
    post = PostFactory(circle=cast.circle, author=cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(post=post, author=cast.bob, body="Anyone home?")
    assert mail.outbox == []
    preferences_set(user=cast.alice, replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_create(post=post, author=cast.bob, body="Now?")
    assert len(mail.outbox) == 1
