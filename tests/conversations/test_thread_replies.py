"""A thread's replies are rendered for each request from one query (conversations/thread.py):
the same HTML as the poll's partial, each viewer's own CSRF token and controls, and every
change to what a reply shows visible at once, with nothing kept between requests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from circles.models import Role
from conversations import services
from conversations.models import Reply
from members.services import profile_update
from moderation import services as moderation
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ARTICLE = re.compile(r'<article class="reply card[^"]*" id="reply-(\d+)">.*?</article>', re.S)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def post(cast):
    return PostFactory(circle=cast.circle, author=cast.alice, title="Pricing my first project")


def replies_of(html: str) -> dict[int, str]:
    """Each reply's <article> on a page, by id."""
    return {int(m.group(1)): m.group(0) for m in ARTICLE.finditer(html)}


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="*"', html)


def page(client, post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def hide_url(post, reply) -> str:
    return reverse("moderation:hide", args=[post.circle.slug, "reply", reply.pk])


def edit_url(post, reply) -> str:
    return reverse("conversations:reply_edit", args=[post.circle.slug, post.pk, reply.pk])


def delete_url(post, reply) -> str:
    return reverse("conversations:reply_delete", args=[post.circle.slug, post.pk, reply.pk])


# --- The same HTML, for less work -------------------------------------------------


def test_a_reply_on_the_page_is_the_html_the_poll_gives(cast, post):
    before = ReplyFactory(post=post, author=cast.alice, body="Opening words.")
    replies = [
        ReplyFactory(post=post, author=cast.bob, body="**Bold** advice, <script>x</script>"),
        ReplyFactory(post=post, author=cast.alice, body="My own, with Edit and Delete."),
        ReplyFactory(post=post, author=cast.host, body="The host's two cents."),
    ]
    services.post_resolve(post=post, by=cast.alice, replies=[replies[0]], note="That *helped*")
    for viewer in (cast.alice, cast.host, cast.bob):
        client = signed_in(viewer)
        first = replies_of(page(client, post))
        second = replies_of(page(client, post))
        # The poll renders one reply at a time through the same code.
        polled = replies_of(
            client.get(
                reverse("conversations:reply_poll", args=[post.circle.slug, post.pk]),
                {"after": before.pk},
                **HTMX,
            ).content.decode()
        )
        assert set(polled) == {r.pk for r in replies}
        for reply in replies:
            assert without_tokens(first[reply.pk]) == without_tokens(polled[reply.pk])
            assert without_tokens(second[reply.pk]) == without_tokens(polled[reply.pk])
    assert "<script>x</script>" not in first[replies[0].pk]
    assert "<strong>Bold</strong>" in first[replies[0].pk]
    assert "Thanked by Alice Asker" in first[replies[0].pk]


def add_replies_of_every_kind(cast, post, count: int) -> None:
    """``count`` more replies: Bob's, Alice's and the host's, one edited, a third thanked,
    one hidden by the host, and one by a member who has since deleted their account."""
    from members.services import account_delete

    authors = (cast.bob, cast.alice, cast.host)
    replies = [ReplyFactory(post=post, author=authors[n % 3]) for n in range(count - 1)]
    gone = UserFactory(display_name="Soon Gone")
    MembershipFactory(circle=cast.circle, user=gone)
    replies.append(ReplyFactory(post=post, author=gone))
    account_delete(user=gone)
    services.reply_edit(reply=replies[0], body="Edited once.")
    helped = [reply for reply in replies[::3] if reply.author_id != cast.alice.pk]
    services.post_resolve(post=post, by=cast.alice, replies=helped, note="Thanks")
    assert moderation.item_hide(item=replies[1], by=cast.host, reason="Spam")


@pytest.mark.parametrize("viewer", ["bob", "alice", "host", "staff"])
def test_queries_do_not_grow_with_replies(cast, as_user, post, viewer, django_assert_num_queries):
    """Three queries whatever the length and whoever reads: the person (read on every
    request), the post with the reader's role, and the replies with their authors and
    thanks (the session comes from the cache); a host's hidden replies and controls, the
    author's own, thanks and edits add none."""
    people = {"bob": cast.bob, "alice": cast.alice, "host": cast.host}
    client = as_user(people.get(viewer) or UserFactory(is_staff=True))
    for more, total in ((5, 5), (95, 100)):
        add_replies_of_every_kind(cast, post, more)
        page(client, post)  # the session into the cache
        with django_assert_num_queries(3):
            html = page(client, post)
        assert len(replies_of(html)) == total
        assert 'class="thanks"' in html and 'class="edited"' in html
        assert "A former member" in html
        # Hidden replies: a notice for members, the reply and its restore form for hosts.
        assert ("A reply hidden by a host." in html) is (viewer in ("bob", "alice"))
        assert ("moderation-actions" in html) is (viewer in ("host", "staff"))


def test_the_controls_render_once_per_kind_of_reply_not_per_reply(cast, as_user, post):
    ReplyFactory.create_batch(5, post=post, author=cast.alice)
    ReplyFactory.create_batch(5, post=post, author=cast.bob)
    html = as_user(cast.bob).get(post.get_absolute_url())
    names = [t.name for t in html.templates]
    # Once for the post, once for Bob's own replies and once for the others'.
    assert names.count("moderation/_thread_controls.html") == 1 + 2
    replies = replies_of(html.content.decode())
    own = [pk for pk, article in replies.items() if "Delete your reply?" in article]
    assert sorted(own) == sorted(r.pk for r in post.replies.filter(author=cast.bob))
    for pk, article in replies.items():
        assert f'id="reply-{pk}"' in article
        if pk in own:
            assert edit_url(post, Reply(pk=pk, post=post)) in article
        else:
            assert reverse("moderation:flag", args=[post.circle.slug, "reply", pk]) in article


# --- Each viewer's own token and controls -----------------------------------------


@pytest.fixture
def cohost(cast):
    person = UserFactory(display_name="Cora Cohost")
    MembershipFactory(circle=cast.circle, user=person, role=Role.CO_HOST)
    return person


def hide_forms(html: str, post, reply) -> list[str]:
    action = hide_url(post, reply)
    return re.findall(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)


def test_each_host_gets_their_own_working_csrf_token(cast, cohost, post):
    reply = ReplyFactory(post=post, author=cast.bob, body="Buy my course!")
    other = ReplyFactory(post=post, author=cast.alice, body="Fine words.")
    host = signed_in(cast.host, enforce_csrf_checks=True)
    co = signed_in(cohost, enforce_csrf_checks=True)
    host_html = page(host, post)  # renders the forms first
    co_html = page(co, post)  # the same entries: neither wrote the replies, both moderate
    assert without_tokens(replies_of(host_html)[reply.pk]) == without_tokens(
        replies_of(co_html)[reply.pk]
    )

    tokens = {}
    for name, html in (("host", host_html), ("co", co_html)):
        forms = hide_forms(html, post, reply)
        assert len(forms) == 1
        token = TOKEN.search(forms[0]).group(1)
        assert not token.startswith("csrf-"), "the placeholder never reaches a page"
        tokens[name] = token
        # Every token on the page is this viewer's (same length, not a shared one).
        assert all(len(t) == 64 for t in TOKEN.findall(html))
    assert tokens["host"] != tokens["co"]

    # A token from someone else's page is refused...
    refused = co.post(hide_url(post, other), {"csrfmiddlewaretoken": tokens["host"], "next": "/"})
    assert refused.status_code == 403
    assert Reply.objects.get(pk=other.pk).hidden_at is None
    # ...and each viewer's own works.
    for client, token, item in ((host, tokens["host"], reply), (co, tokens["co"], other)):
        response = client.post(
            hide_url(post, item),
            {"csrfmiddlewaretoken": token, "next": post.get_absolute_url()},
        )
        assert response.status_code == 302
        assert response["Location"] == post.get_absolute_url()
    assert Reply.objects.filter(pk__in=[reply.pk, other.pk], hidden_at__isnull=False).count() == 2


def test_the_authors_delete_form_token_works_in_another_session(cast, post):
    reply = ReplyFactory(post=post, author=cast.bob, body="Will take this back.")
    page(signed_in(cast.bob), post)  # another session of Bob's first
    bob = signed_in(cast.bob, enforce_csrf_checks=True)
    html = page(bob, post)
    form = re.search(
        rf'<form method="post" class="inline-form"\s+action="{re.escape(delete_url(post, reply))}"'
        r".*?</form>",
        html,
        re.S,
    ).group(0)
    token = TOKEN.search(form).group(1)
    response = bob.post(delete_url(post, reply), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Reply.objects.get(pk=reply.pk).is_deleted


def test_others_never_see_the_authors_edit_and_delete(cast, post):
    reply = ReplyFactory(post=post, author=cast.bob, body="Mine to change.")
    bob_html = page(signed_in(cast.bob), post)  # the author looks first
    assert edit_url(post, reply) in bob_html and delete_url(post, reply) in bob_html
    assert "Flag reply" not in replies_of(bob_html)[reply.pk]

    for viewer in (cast.alice, cast.host):
        html = page(signed_in(viewer), post)
        assert "Mine to change." in html
        assert edit_url(post, reply) not in html and delete_url(post, reply) not in html
        assert "Flag reply" in replies_of(html)[reply.pk]
    # And the author still sees them afterwards.
    assert edit_url(post, reply) in page(signed_in(cast.bob), post)


def test_members_never_see_the_hosts_forms(cast, cohost, post):
    reply = ReplyFactory(post=post, author=cast.bob, body="Something to moderate.")
    host_html = page(signed_in(cast.host), post)  # the host looks first
    assert len(hide_forms(host_html, post, reply)) == 1

    for member in (cast.alice, cast.bob):
        html = page(signed_in(member), post)
        assert "Something to moderate." in html
        assert hide_url(post, reply) not in html
        assert "moderation-actions" not in html
    # The other way round: a member first, then a co-host still gets the forms.
    ReplyFactory(post=post, author=cast.alice, body="A second one.")
    page(signed_in(cast.bob), post)
    assert len(hide_forms(page(signed_in(cohost), post), post, reply)) == 1


# --- Every change shows at once ---------------------------------------------------


@pytest.fixture
def warm(cast, post):
    """Bob's reply, seen by Alice (a member) and by the host."""
    reply = ReplyFactory(post=post, author=cast.bob, body="The first version.")
    alice, host = signed_in(cast.alice), signed_in(cast.host)
    assert "The first version." in page(alice, post)
    assert "The first version." in page(host, post)
    return reply, alice, host


def test_an_edit_through_the_service_shows_at_once(warm, post):
    reply, alice, _ = warm
    services.reply_edit(reply=reply, body="The second version.")
    article = replies_of(page(alice, post))[reply.pk]
    assert "The second version." in article and "The first version." not in article
    assert 'class="edited"' in article


def test_an_edit_through_the_page_shows_at_once(cast, warm, post):
    reply, alice, _ = warm
    bob = signed_in(cast.bob)
    response = bob.post(edit_url(post, reply), {"body": "Edited on the page."})
    assert response.status_code == 302
    assert "Edited on the page." in replies_of(page(alice, post))[reply.pk]
    assert "Edited on the page." in replies_of(page(bob, post))[reply.pk]


def test_a_staff_edit_of_the_body_shows_at_once(warm, post):
    reply, alice, host = warm
    # The admin saves the row (no edited_at, no service): its HTML is rendered with it.
    reply.body = "Corrected by *staff*."
    reply.save()
    for client in (alice, host):
        article = replies_of(page(client, post))[reply.pk]
        assert "Corrected by <em>staff</em>." in article and "The first version." not in article


def test_hiding_shows_at_once_for_members_and_hosts(cast, warm, post):
    reply, alice, host = warm
    assert moderation.item_hide(item=reply, by=cast.host, reason="Spam")
    member_view = replies_of(page(alice, post))[reply.pk]
    assert "A reply hidden by a host." in member_view
    assert "The first version." not in member_view
    host_view = replies_of(page(host, post))[reply.pk]
    assert "The first version." in host_view
    assert "Hidden by a host" in host_view
    assert reverse("moderation:restore", args=[post.circle.slug, "reply", reply.pk]) in host_view
    assert hide_url(post, reply) not in host_view

    assert moderation.item_restore(item=reply, by=cast.host)
    assert "The first version." in replies_of(page(alice, post))[reply.pk]
    assert hide_url(post, reply) in replies_of(page(host, post))[reply.pk]


def test_a_hidden_reply_shows_only_to_hosts_and_staff(cast, cohost, post):
    reply = ReplyFactory(post=post, author=cast.bob, body="Buy my *course*!")
    assert moderation.item_hide(item=reply, by=cast.host, reason="Spam")
    notice = (
        f'<article class="reply card reply-hidden" id="reply-{reply.pk}">\n'
        '  <p class="thread-notice">A reply hidden by a host.</p>\n'
        "</article>"
    )
    restore = reverse("moderation:restore", args=[post.circle.slug, "reply", reply.pk])
    staff = UserFactory(is_staff=True)
    for viewer in (cast.alice, cast.bob, cast.host, cohost, staff):  # Bob wrote it
        html = page(signed_in(viewer), post)
        article = replies_of(html)[reply.pk]
        if viewer in (cast.alice, cast.bob):
            assert article == notice
            assert "course" not in html and restore not in html
        else:
            assert "Buy my <em>course</em>!" in article and restore in article
            assert "Hidden by a host: members see only a notice" in article


def test_thanks_show_at_once(cast, warm, post):
    reply, alice, host = warm
    services.post_resolve(post=post, by=cast.alice, replies=[reply], note="Saved my week")
    for client in (alice, host):
        article = replies_of(page(client, post))[reply.pk]
        assert "Thanked by Alice Asker" in article
        assert "Saved my week" in article


def test_the_authors_new_name_shows_at_once(cast, warm, post):
    reply, alice, _ = warm
    profile_update(user=cast.bob, display_name="Robert Helper", time_zone="Europe/Paris")
    article = replies_of(page(alice, post))[reply.pk]
    assert "Robert Helper" in article and "Bob Helper" not in article
    cast.bob.display_name = "Bobby"
    cast.bob.save()
    assert "Bobby" in replies_of(page(alice, post))[reply.pk]


def test_an_author_who_deletes_their_account_shows_as_a_former_member(cast, warm, post):
    reply, alice, _ = warm
    from members.services import account_delete

    account_delete(user=cast.bob)
    article = replies_of(page(alice, post))[reply.pk]
    assert "A former member" in article and "Bob Helper" not in article


def test_a_deleted_reply_leaves_at_once(cast, warm, post):
    reply, alice, _ = warm
    services.reply_delete(reply=reply)
    html = page(alice, post)
    assert "The first version." not in html
    assert "No replies yet." in html


# --- Times ------------------------------------------------------------------------

WHEN = dt.datetime(2026, 3, 4, 15, 5, tzinfo=dt.UTC)


def time_tag(article: str) -> str:
    return re.search(r"<time [^>]*>[^<]*</time>", article).group(0)


def test_a_replys_time_is_absolute_in_the_circles_zone_for_the_script(cast, post):
    cast.circle.time_zone = "Asia/Tokyo"
    cast.circle.save()
    reply = ReplyFactory(post=post, author=cast.bob, created_at=WHEN)
    for viewer in (cast.alice, cast.bob):  # Chicago both; the circle's zone decides
        tag = time_tag(replies_of(page(signed_in(viewer), post))[reply.pk])
        assert " data-relative" in tag
        assert tag.endswith(">5 Mar, 00:05</time>")  # 15:05 UTC is 00:05 next day in Tokyo
        assert "(Asia/Tokyo)" in tag
        iso = re.search(r'datetime="([^"]+)"', tag).group(1)
        assert dt.datetime.fromisoformat(iso) == WHEN  # the same instant, for the script
    # The circle moves zone: the next page shows the new one.
    cast.circle.time_zone = "Europe/London"
    cast.circle.save()
    tag = time_tag(replies_of(page(signed_in(cast.alice), post))[reply.pk])
    assert tag.endswith(">4 Mar, 15:05</time>") and "(Europe/London)" in tag


# --- Nothing kept for anyone ------------------------------------------------------


def test_a_removed_or_suspended_member_never_gets_the_thread_they_saw(cast, post):
    """Nothing of the page is kept between requests (no whole page, no reply fragment):
    the access check runs first on every request, so the moment a member is removed, or
    suspended, their next request for the thread or its poll is refused."""
    ReplyFactory(post=post, author=cast.alice, body="Only for members.")
    staff = UserFactory(is_staff=True)
    bob = signed_in(cast.bob)
    assert "Only for members." in page(bob, post)
    poll = reverse("conversations:reply_poll", args=[post.circle.slug, post.pk])
    assert bob.get(poll, {"after": 0}, **HTMX).status_code == 200

    from circles import membership_services as circle_services

    membership = cast.circle.memberships.get(user=cast.bob)
    circle_services.membership_remove(membership=membership, removed_by=cast.host)
    response = bob.get(post.get_absolute_url())
    assert response.status_code == 404
    assert "Only for members." not in response.content.decode()
    assert bob.get(poll, {"after": 0}, **HTMX).status_code == 404

    alice = signed_in(cast.alice)
    assert "Only for members." in page(alice, post)
    moderation.person_suspend(person=cast.alice, by=staff, reason="Spam")
    response = alice.get(post.get_absolute_url())
    assert response.status_code == 404
    assert "Only for members." not in response.content.decode()
