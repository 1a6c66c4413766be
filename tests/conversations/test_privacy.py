"""The authorization matrix: every conversation URL, htmx fragments included, is for the
circle's active members only. Outsiders, people who left or were removed, signed-out people and
people asking for another circle's post get 404 (never a 403 that confirms it exists); a
signed-out page's 404 offers to sign in, the same for real and made-up URLs.
Members who may see but not act get 403."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from circles.models import Status
from conversations.models import Post, Reply
from tests.conversations.factories import IntroductionFactory, PostFactory, ReplyFactory
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def thread(cast):
    post = PostFactory(circle=cast.circle, author=cast.alice)
    reply = ReplyFactory(post=post, author=cast.bob)
    intro = IntroductionFactory(
        circle=cast.circle, introducer=cast.host, person_a=cast.alice, person_b=cast.bob
    )
    return post, reply, intro


def every_url(cast, post, reply, intro) -> list[tuple[str, str]]:
    """(method, url) for every route in conversations/urls.py."""
    slug = cast.circle.slug
    p = {"slug": slug, "post_id": post.pk}
    r = {**p, "reply_id": reply.pk}
    i = {"slug": slug, "intro_id": intro.pk}
    u = {"slug": slug, "user_id": cast.bob.pk}
    return [
        ("get", reverse("conversations:board", kwargs={"slug": slug})),
        ("get", reverse("conversations:post_create", kwargs={"slug": slug})),
        ("post", reverse("conversations:post_create", kwargs={"slug": slug})),
        ("get", reverse("conversations:host_members", kwargs={"slug": slug})),
        ("get", reverse("conversations:member", kwargs=u)),
        ("get", reverse("conversations:introduction_create", kwargs={"slug": slug})),
        ("post", reverse("conversations:introduction_create", kwargs={"slug": slug})),
        ("get", reverse("conversations:introduction", kwargs=i)),
        ("post", reverse("conversations:introduction_answer", kwargs=i)),
        ("get", reverse("conversations:post", kwargs=p)),
        ("get", reverse("conversations:post_edit", kwargs=p)),
        ("post", reverse("conversations:post_edit", kwargs=p)),
        ("get", reverse("conversations:post_delete", kwargs=p)),
        ("post", reverse("conversations:post_delete", kwargs=p)),
        ("get", reverse("conversations:post_resolve", kwargs=p)),
        ("post", reverse("conversations:post_resolve", kwargs=p)),
        ("post", reverse("conversations:post_reopen", kwargs=p)),
        ("get", reverse("conversations:reply_poll", kwargs=p) + "?after=0"),
        ("post", reverse("conversations:reply_create", kwargs=p)),
        ("get", reverse("conversations:reply", kwargs=r)),
        ("get", reverse("conversations:reply_edit", kwargs=r)),
        ("post", reverse("conversations:reply_edit", kwargs=r)),
        ("post", reverse("conversations:reply_delete", kwargs=r)),
    ]


def test_the_matrix_covers_every_route():
    from conversations.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}
    covered = {
        "board", "post_create", "host_members", "member", "introduction_create",
        "introduction", "introduction_answer", "post", "post_edit", "post_delete",
        "post_resolve", "post_reopen", "reply_poll", "reply_create", "reply", "reply_edit",
        "reply_delete",
    }  # fmt: skip
    assert names == covered


def assert_untouched(post, reply):
    fresh_post, fresh_reply = Post.objects.get(pk=post.pk), Reply.objects.get(pk=reply.pk)
    assert fresh_post.deleted_at is None and fresh_post.edited_at is None
    assert fresh_post.status == "open"
    assert fresh_reply.deleted_at is None and fresh_reply.edited_at is None
    assert Post.objects.count() == 1 and Reply.objects.count() == 1


@pytest.mark.parametrize("how", ["outsider", "left", "removed", "requested", "invited"])
def test_non_members_get_404_everywhere_with_and_without_htmx(cast, as_user, thread, how):
    post, reply, intro = thread
    person = cast.outsider
    if how != "outsider":
        person = UserFactory()
        MembershipFactory(circle=cast.circle, user=person, status=getattr(Status, how.upper()))
    client = as_user(person)
    for method, url in every_url(cast, post, reply, intro):
        for headers in ({}, HTMX):
            response = getattr(client, method)(url, {"body": "x", "title": "x"}, **headers)
            assert response.status_code == 404, (how, method, url, headers)
    assert_untouched(post, reply)


def test_signed_out_people_get_404_with_a_way_to_sign_in(client, cast, thread):
    post, reply, intro = thread
    for method, url in every_url(cast, post, reply, intro):
        plain = getattr(client, method)(url)
        assert plain.status_code == 404, (method, url)
        assert getattr(client, method)(url, **HTMX).status_code == 404, (method, url)
        if method == "get" and "?" not in url:
            # A member following an email link while signed out can sign in and come back.
            login = reverse("account_login") + "?" + urlencode({"next": url})
            assert f'href="{login}"'.replace("&", "&amp;") in plain.content.decode()
    # htmx gets nothing to swap in.
    poll = reverse(
        "conversations:reply_poll", kwargs={"slug": cast.circle.slug, "post_id": post.pk}
    )
    assert b"sign in" not in client.get(poll, {"after": 0}, **HTMX).content
    # A made-up circle answers exactly the same: nothing is confirmed to exist.
    made_up = client.get(reverse("conversations:board", kwargs={"slug": "no-such-circle"}))
    real = client.get(reverse("conversations:board", kwargs={"slug": cast.circle.slug}))
    assert made_up.status_code == real.status_code == 404
    for response in (made_up, real):
        assert "is for a circle's members only" in response.content.decode()
    assert cast.circle.name not in real.content.decode()
    assert_untouched(post, reply)


def test_a_post_is_not_reachable_through_another_circle(cast, as_user, thread):
    post, reply, _ = thread
    other = CircleFactory()
    MembershipFactory(circle=other, user=cast.alice)
    client = as_user(cast.alice)
    for name in ("post", "reply_poll", "post_edit"):
        url = reverse(f"conversations:{name}", kwargs={"slug": other.slug, "post_id": post.pk})
        assert client.get(url).status_code == 404
    url = reverse(
        "conversations:reply_edit",
        kwargs={"slug": other.slug, "post_id": post.pk, "reply_id": reply.pk},
    )
    assert client.get(url).status_code == 404


def test_a_reply_is_not_reachable_through_another_post(cast, as_user, thread):
    _, reply, _ = thread
    other_post = PostFactory(circle=cast.circle, author=cast.bob)
    url = reverse(
        "conversations:reply_edit",
        kwargs={"slug": cast.circle.slug, "post_id": other_post.pk, "reply_id": reply.pk},
    )
    assert as_user(cast.bob).get(url).status_code == 404


def test_active_members_read_but_act_only_on_their_own(cast, as_user, thread):
    post, reply, intro = thread
    client = as_user(cast.host)  # a host, but not the author of either
    slug = cast.circle.slug
    p = {"slug": slug, "post_id": post.pk}
    r = {**p, "reply_id": reply.pk}
    assert client.get(reverse("conversations:board", kwargs={"slug": slug})).status_code == 200
    assert client.get(reverse("conversations:post", kwargs=p)).status_code == 200
    poll = reverse("conversations:reply_poll", kwargs=p)
    assert client.get(poll, {"after": reply.pk}, **HTMX).status_code == 204
    for method, name, kwargs in [
        ("get", "post_edit", p),
        ("post", "post_delete", p),
        ("get", "post_resolve", p),
        ("post", "post_reopen", p),
        ("get", "reply_edit", r),
        ("post", "reply_delete", r),
    ]:
        response = getattr(client, method)(reverse(f"conversations:{name}", kwargs=kwargs))
        assert response.status_code == 403, name
    assert_untouched(post, reply)


def test_staff_can_read_a_circle_they_are_not_in(cast, as_user, thread):
    post, _, _ = thread
    staff = UserFactory(is_staff=True)
    assert as_user(staff).get(post.get_absolute_url()).status_code == 200


def test_state_changes_refuse_get(cast, as_user, thread):
    post, reply, intro = thread
    slug = cast.circle.slug
    p = {"slug": slug, "post_id": post.pk}
    client = as_user(cast.alice)
    for url in (
        reverse("conversations:post_reopen", kwargs=p),
        reverse("conversations:reply_create", kwargs=p),
        reverse("conversations:introduction_answer", kwargs={"slug": slug, "intro_id": intro.pk}),
    ):
        assert client.get(url).status_code == 405
    assert_untouched(post, reply)


def test_posts_need_a_csrf_token(cast, thread):
    from django.test import Client

    post, _, _ = thread
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bob)
    url = reverse(
        "conversations:reply_create", kwargs={"slug": cast.circle.slug, "post_id": post.pk}
    )
    assert client.post(url, {"body": "No token"}).status_code == 403
    assert Reply.objects.count() == 1
