"""Resolving an ask and thanking the replies that helped; the counts a member's page shows,
and the private give/ask table hosts see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import Kind, PostStatus, Thanks, contributions_of
from tests.conversations.factories import PostFactory, ReplyFactory, ThanksFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def post_url(post, name: str) -> str:
    return reverse(f"conversations:{name}", kwargs={"slug": post.circle.slug, "post_id": post.pk})


def member_url(circle, user) -> str:
    return reverse("conversations:member", kwargs={"slug": circle.slug, "user_id": user.pk})


@pytest.fixture
def ask(cast):
    return PostFactory(circle=cast.circle, author=cast.alice, kind=Kind.ASK, title="Pricing?")


def test_asker_resolves_and_thanks_two_repliers_with_a_note(cast, as_user, ask):
    by_bob = ReplyFactory(post=ask, author=cast.bob, body="Fixed price.")
    by_host = ReplyFactory(post=ask, author=cast.host, body="Value first.")
    unthanked = ReplyFactory(post=ask, author=cast.bob, body="Also, invoice early.")
    client = as_user(cast.alice)
    form = client.get(post_url(ask, "post_resolve")).content.decode()
    assert "Fixed price." in form and "Value first." in form

    response = client.post(
        post_url(ask, "post_resolve"),
        {"replies": [by_bob.pk, by_host.pk], "note": "You **both** saved my week."},
    )
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.status == PostStatus.RESOLVED and ask.resolved_at is not None
    assert set(Thanks.objects.values_list("reply_id", flat=True)) == {by_bob.pk, by_host.pk}
    assert not Thanks.objects.filter(reply=unthanked).exists()

    html = client.get(ask.get_absolute_url()).content.decode()
    assert "Marked resolved, with thanks to 2." in html
    assert "Resolved" in html
    assert html.count("Thanked by Alice Asker") == 2
    assert "You <strong>both</strong> saved my week." in html


def test_resolving_without_thanks_and_thanking_more_later(cast, as_user, ask):
    reply = ReplyFactory(post=ask, author=cast.bob)
    client = as_user(cast.alice)
    client.post(post_url(ask, "post_resolve"), {"note": ""})
    ask.refresh_from_db()
    assert ask.is_resolved and not Thanks.objects.exists()
    client.post(post_url(ask, "post_resolve"), {"replies": [reply.pk]})
    assert Thanks.objects.get().reply == reply
    # A reply is thanked once; it is no longer offered.
    assert f'value="{reply.pk}"' not in client.get(post_url(ask, "post_resolve")).content.decode()


def test_own_or_foreign_replies_cannot_be_thanked(cast, as_user, ask):
    own = ReplyFactory(post=ask, author=cast.alice)
    elsewhere = ReplyFactory(post=PostFactory(circle=cast.circle), author=cast.bob)
    client = as_user(cast.alice)
    for reply in (own, elsewhere):
        response = client.post(post_url(ask, "post_resolve"), {"replies": [reply.pk]})
        assert response.status_code == 200
        assert "Choose replies from this thread." in response.content.decode()
    assert not Thanks.objects.exists()
    ask.refresh_from_db()
    assert ask.status == PostStatus.OPEN


def test_only_the_asker_resolves_or_reopens(cast, as_user, ask):
    reply = ReplyFactory(post=ask, author=cast.bob)
    client = as_user(cast.bob)
    assert client.get(post_url(ask, "post_resolve")).status_code == 403
    assert client.post(post_url(ask, "post_resolve"), {"replies": [reply.pk]}).status_code == 403
    assert client.post(post_url(ask, "post_reopen")).status_code == 403
    ask.refresh_from_db()
    assert ask.status == PostStatus.OPEN and not Thanks.objects.exists()


def test_gives_and_discussions_cannot_be_resolved(cast, as_user):
    give = PostFactory(circle=cast.circle, author=cast.alice, kind=Kind.GIVE)
    response = as_user(cast.alice).post(post_url(give, "post_resolve"), {})
    assert response.status_code == 302
    give.refresh_from_db()
    assert give.status == PostStatus.OPEN
    assert (
        "Only an ask can be resolved."
        in as_user(cast.alice).get(response["Location"]).content.decode()
    )


def test_asker_reopens_and_thanks_stay(cast, as_user, ask):
    ThanksFactory(reply=ReplyFactory(post=ask, author=cast.bob), given_by=cast.alice)
    ask.status = PostStatus.RESOLVED
    ask.save()
    assert as_user(cast.alice).post(post_url(ask, "post_reopen")).status_code == 302
    ask.refresh_from_db()
    assert ask.status == PostStatus.OPEN and ask.resolved_at is None
    assert Thanks.objects.count() == 1


def test_member_page_shows_asks_gives_and_thanks_received(cast, as_user):
    PostFactory.create_batch(2, circle=cast.circle, author=cast.bob, kind=Kind.ASK)
    PostFactory.create_batch(3, circle=cast.circle, author=cast.bob, kind=Kind.GIVE)
    PostFactory(circle=cast.circle, author=cast.bob, kind=Kind.DISCUSSION)
    PostFactory(circle=cast.circle, author=cast.bob, kind=Kind.GIVE, deleted_at="2026-01-01T00:00Z")
    for _ in range(4):
        ask = PostFactory(circle=cast.circle, author=cast.alice)
        ThanksFactory(reply=ReplyFactory(post=ask, author=cast.bob))

    html = as_user(cast.alice).get(member_url(cast.circle, cast.bob)).content.decode()
    assert '<dd class="stat-asks">2</dd>' in html
    assert '<dd class="stat-gives">3</dd>' in html  # the deleted give does not count
    assert '<dd class="stat-thanks">4</dd>' in html
    assert contributions_of(cast.bob).thanks_received == 4


def test_thanks_on_a_deleted_reply_stop_counting(cast):
    reply = ReplyFactory(post=PostFactory(circle=cast.circle, author=cast.alice), author=cast.bob)
    ThanksFactory(reply=reply)
    assert contributions_of(cast.bob, circle=cast.circle).thanks_received == 1
    reply.deleted_at = reply.created_at
    reply.save()
    assert contributions_of(cast.bob, circle=cast.circle).thanks_received == 0


def test_member_page_is_for_co_members_of_active_members(cast, as_user):
    assert as_user(cast.outsider).get(member_url(cast.circle, cast.bob)).status_code == 404
    # Someone not in the circle has no page here, even for a member.
    assert as_user(cast.alice).get(member_url(cast.circle, cast.outsider)).status_code == 404


def test_member_page_queries_do_not_grow(cast, as_user, django_assert_max_num_queries):
    client = as_user(cast.alice)
    for _ in range(2):
        for _ in range(5):
            ask = PostFactory(circle=cast.circle, author=cast.alice)
            ThanksFactory(reply=ReplyFactory(post=ask, author=cast.bob))
            PostFactory(circle=cast.circle, author=cast.bob, kind=Kind.GIVE)
        # session, user, circle, membership, their membership, recent posts, 2 + 2 counts
        with django_assert_max_num_queries(10):
            assert client.get(member_url(cast.circle, cast.bob)).status_code == 200


def test_hosts_see_each_members_counts_privately(cast, as_user):
    PostFactory.create_batch(2, circle=cast.circle, author=cast.bob, kind=Kind.GIVE)
    PostFactory(circle=cast.circle, author=cast.alice, kind=Kind.ASK)
    url = reverse("conversations:host_members", kwargs={"slug": cast.circle.slug})
    html = as_user(cast.host).get(url).content.decode()
    assert "Only hosts and co-hosts see this page." in html
    bob_row = html[html.index("Bob Helper") :].split("</tr>")[0]
    assert "<td>0</td><td>2</td><td>0</td>" in bob_row
    alice_row = html[html.index("Alice Asker") :].split("</tr>")[0]
    assert "<td>1</td><td>0</td><td>0</td>" in alice_row
    assert as_user(cast.alice).get(url).status_code == 403
    assert as_user(cast.outsider).get(url).status_code == 404


def test_host_table_queries_do_not_grow(cast, as_user, django_assert_max_num_queries):
    client = as_user(cast.host)
    url = reverse("conversations:host_members", kwargs={"slug": cast.circle.slug})
    for _ in range(2):
        for _ in range(5):
            person = UserFactory()
            MembershipFactory(circle=cast.circle, user=person)
            PostFactory(circle=cast.circle, author=person, kind=Kind.GIVE)
        # session, user, circle, membership x2 (member, host), members, 2 counts
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
