"""A quiet thread's poll answers 204 from the cache (conversations/live.py), and only when
the full answer would say the same: new replies, a hidden or deleted post, an ended
membership, another circle's slug or a lower cursor all take the full path."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles import membership_services
from circles.models import Membership, Role
from conversations import services
from moderation import services as moderation
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_path_on(settings):
    # On whenever REDIS_URL is set; the tests say so rather than rely on it.
    settings.THREAD_POLL_FAST_PATH = True


def poll(client, post, after, *, slug=None):
    url = reverse(
        "conversations:reply_poll",
        kwargs={"slug": slug or post.circle.slug, "post_id": post.pk},
    )
    return client.get(url, {"after": after}, **HTMX)


@pytest.fixture
def post(cast):
    return PostFactory(circle=cast.circle, author=cast.alice, title="Pricing my first project")


@pytest.fixture
def quiet(cast, as_user, post):
    """Alice's open thread, one reply in, after a full poll that found nothing new."""
    first = ReplyFactory(post=post, author=cast.bob, body="Day rates scare clients.")
    client = as_user(cast.alice)
    assert poll(client, post, first.pk).status_code == 204
    return client, first


@pytest.mark.django_db
def test_a_second_quiet_poll_costs_one_query(quiet, post, django_assert_num_queries):
    client, first = quiet
    # The session and "nothing new" come from the cache; whether the person may
    # still read the thread (row, suspension, password, membership) from one query.
    with django_assert_num_queries(1):
        response = poll(client, post, first.pk)
    assert response.status_code == 204
    assert response.content == b""
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_after_the_page_loads_its_first_quiet_poll_costs_one_query(
    cast, as_user, post, django_assert_num_queries
):
    ReplyFactory.create_batch(2, post=post, author=cast.bob)
    last = ReplyFactory(post=post, author=cast.host)
    client = as_user(cast.alice)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'name="after" value="{last.pk}"' in page
    with django_assert_num_queries(1):  # the access check (conversations.middleware)
        assert poll(client, post, last.pk).status_code == 204


@pytest.mark.django_db
def test_a_reply_through_the_service_is_returned_by_the_next_poll(quiet, cast, post):
    client, first = quiet
    reply = services.reply_create(post=post, author=cast.bob, body="Try a fixed price.")
    response = poll(client, post, first.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="reply-{reply.pk}"' in html and "Try a fixed price." in html
    assert f'name="after" value="{reply.pk}"' in html
    # Caught up: quiet again, and from the cache again.
    assert poll(client, post, reply.pk).status_code == 204


@pytest.mark.django_db
def test_a_reply_saved_plainly_is_returned_by_the_next_poll(quiet, cast, post):
    client, first = quiet
    assert poll(client, post, first.pk).status_code == 204  # from the cache
    reply = ReplyFactory(post=post, author=cast.host, body="Saved without the service.")
    response = poll(client, post, first.pk)
    assert response.status_code == 200
    assert "Saved without the service." in response.content.decode()
    assert f'id="reply-{reply.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_a_reply_deleted_and_a_new_one_saved_are_seen(quiet, cast, post):
    client, first = quiet
    services.reply_delete(reply=first)
    # The page still shows the cursor it had; nothing newer is live yet.
    assert poll(client, post, first.pk).status_code == 204
    newer = ReplyFactory(post=post, author=cast.bob, body="Second thoughts.")
    assert "Second thoughts." in poll(client, post, first.pk).content.decode()
    assert poll(client, post, newer.pk).status_code == 204


@pytest.mark.django_db(transaction=True)
def test_a_reply_committing_while_another_poll_reads_is_not_hidden_after_commit(
    on_postgres, cast, post
):
    """The race the on-commit bump is for: a poll in another connection reads the thread
    while a reply is written but not committed, sees nothing new and records that; once
    the reply commits, the next poll must take the full path and return it.

    PostgreSQL only: SQLite's test database locks a table another connection has
    written to until the commit, so the other poll could not read at all."""
    first = ReplyFactory(post=post, author=cast.bob, body="Before the race.")
    alice = Client()
    alice.force_login(cast.alice)
    assert poll(alice, post, first.pk).status_code == 204

    answers: list[int] = []

    def poll_from_another_connection() -> None:
        try:
            # Full path (the write bumped the generation), then from the cache.
            answers.append(poll(alice, post, first.pk).status_code)
            answers.append(poll(alice, post, first.pk).status_code)
        finally:
            connections.close_all()

    with transaction.atomic():
        reply = services.reply_create(post=post, author=cast.bob, body="Written during a poll.")
        other = threading.Thread(target=poll_from_another_connection)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()
    assert answers == [204, 204], "the other connection cannot see the uncommitted reply"

    response = poll(alice, post, first.pk)
    assert response.status_code == 200
    assert f'id="reply-{reply.pk}"' in response.content.decode()
    assert "Written during a poll." in response.content.decode()


@pytest.mark.django_db
def test_a_reply_committed_later_is_seen_with_on_commit_callbacks(
    quiet, cast, post, django_capture_on_commit_callbacks
):
    client, first = quiet
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reply = services.reply_create(post=post, author=cast.bob, body="Committed now.")
    assert callbacks, "the generation is bumped again once committed"
    response = poll(client, post, first.pk)
    assert response.status_code == 200
    assert f'id="reply-{reply.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_hiding_the_post_stops_members_polling_at_the_next_poll(quiet, cast, post):
    client, first = quiet
    host = Client()
    host.force_login(cast.host)
    assert poll(host, post, first.pk).status_code == 204
    assert poll(client, post, first.pk).status_code == 204  # both recorded

    assert moderation.item_hide(item=post, by=cast.host, reason="Off topic")

    response = poll(client, post, first.pk)
    assert response.status_code == 286  # htmx: stop polling
    assert "hidden" in response.content.decode().lower()
    # The host still sees the thread, hidden post and all.
    assert poll(host, post, first.pk).status_code == 204


@pytest.mark.django_db
def test_a_host_demoted_after_hiding_stops_polling_a_hidden_post(quiet, cast, post):
    _, first = quiet
    cohost = UserFactory(display_name="Cora Cohost")
    membership = MembershipFactory(circle=cast.circle, user=cohost, role=Role.CO_HOST)
    moderation.item_hide(item=post, by=cast.host)
    client = Client()
    client.force_login(cohost)
    assert poll(client, post, first.pk).status_code == 204
    assert poll(client, post, first.pk).status_code == 204  # from the cache

    membership_services.membership_set_role(
        membership=membership, role=Role.MEMBER, changed_by=cast.host
    )

    assert poll(client, post, first.pk).status_code == 286


@pytest.mark.django_db
def test_deleting_the_post_stops_polling_at_the_next_poll(quiet, post):
    client, first = quiet
    assert poll(client, post, first.pk).status_code == 204
    services.post_delete(post=post)
    response = poll(client, post, first.pk)
    assert response.status_code == 286
    assert "This post was deleted by its author." in response.content.decode()


@pytest.mark.django_db
def test_a_removed_member_gets_404_at_the_next_poll(cast, post):
    first = ReplyFactory(post=post, author=cast.alice)
    bob = Client()
    bob.force_login(cast.bob)
    assert poll(bob, post, first.pk).status_code == 204
    assert poll(bob, post, first.pk).status_code == 204  # from the cache

    membership = Membership.objects.get(circle=cast.circle, user=cast.bob)
    membership_services.membership_remove(membership=membership, removed_by=cast.host)

    assert poll(bob, post, first.pk).status_code == 404
    assert poll(bob, post, first.pk).status_code == 404


@pytest.mark.django_db
def test_a_member_who_leaves_gets_404_at_the_next_poll(quiet, cast, post):
    client, first = quiet
    assert poll(client, post, first.pk).status_code == 204
    membership = Membership.objects.get(circle=cast.circle, user=cast.alice)
    membership_services.membership_leave(membership=membership)
    assert poll(client, post, first.pk).status_code == 404


@pytest.mark.django_db
def test_staff_who_lose_staff_get_404_at_the_next_poll(cast, post):
    """Staff read any circle's threads; once they are not staff, not even "nothing new"."""
    first = ReplyFactory(post=post, author=cast.alice)
    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)
    assert poll(client, post, first.pk).status_code == 204
    assert poll(client, post, first.pk).status_code == 204  # from the cache
    staff.is_staff = False
    staff.save(update_fields=["is_staff"])
    assert poll(client, post, first.pk).status_code == 404


@pytest.mark.django_db
def test_signed_out_pollers_get_404_even_with_a_record(quiet, post):
    client, first = quiet
    client.logout()
    assert poll(client, post, first.pk).status_code == 404


@pytest.mark.django_db
def test_another_circles_member_gets_404_though_a_member_has_a_record(quiet, post):
    client, first = quiet
    assert poll(client, post, first.pk).status_code == 204  # Alice's record is there
    other_circle, other_host = make_circle_with_host(name="Thursday Walkers")
    stranger = Client()
    stranger.force_login(other_host)
    # The same post id, under their own circle's slug or under the right one.
    assert poll(stranger, post, first.pk, slug=other_circle.slug).status_code == 404
    assert poll(stranger, post, first.pk).status_code == 404
    assert poll(stranger, post, first.pk, slug="no-such-circle").status_code == 404


@pytest.mark.django_db
def test_a_member_of_both_circles_gets_404_under_the_wrong_slug(quiet, cast, post):
    client, first = quiet
    other_circle, _ = make_circle_with_host(name="Thursday Walkers")
    MembershipFactory(circle=other_circle, user=cast.alice)
    assert poll(client, post, first.pk).status_code == 204
    for _ in range(2):  # the second could only come from a (wrong) record
        assert poll(client, post, first.pk, slug=other_circle.slug).status_code == 404


@pytest.mark.django_db
def test_a_cursor_below_the_recorded_newest_takes_the_full_path(cast, as_user, post):
    one, two, three = (
        ReplyFactory(post=post, author=cast.bob, body=f"Reply number {n}") for n in (1, 2, 3)
    )
    client = as_user(cast.alice)
    assert poll(client, post, three.pk).status_code == 204
    assert poll(client, post, three.pk).status_code == 204  # recorded: three is the newest

    # Another tab, opened earlier, still at the first reply.
    response = poll(client, post, one.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reply number 1" not in html
    assert "Reply number 2" in html and "Reply number 3" in html
    assert f'name="after" value="{three.pk}"' in html
    # And from the start of an empty page.
    assert poll(client, post, 0).content.decode().count('class="reply card"') == 3
    assert two.pk < three.pk


@pytest.mark.django_db
def test_without_the_fast_path_every_poll_queries(quiet, post, settings):
    client, first = quiet
    settings.THREAD_POLL_FAST_PATH = False
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert poll(client, post, first.pk).status_code == 204
        assert any('"conversations_reply"' in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_without_the_fast_path_a_removed_member_gets_404(cast, post, settings):
    settings.THREAD_POLL_FAST_PATH = False
    first = ReplyFactory(post=post, author=cast.alice)
    bob = Client()
    bob.force_login(cast.bob)
    assert poll(bob, post, first.pk).status_code == 204
    membership = Membership.objects.get(circle=cast.circle, user=cast.bob)
    membership_services.membership_remove(membership=membership, removed_by=cast.host)
    assert poll(bob, post, first.pk).status_code == 404


# A lost or evicted counter must only ever send a poll down the full path (live.py): a
# counter made again must not restart at a value a record made from the old one holds.


def evict_thread_counter(post) -> None:
    assert cache.delete(f"live:thread:{post.pk}")  # as Redis does under memory pressure


def evict_access_counter(user) -> None:
    assert cache.delete(f"live:access:{user.pk}")


@pytest.mark.django_db
def test_a_reply_written_after_the_counter_was_lost_is_returned(cast, as_user, post):
    client = as_user(cast.alice)
    assert "No replies yet." in client.get(post.get_absolute_url()).content.decode()
    assert poll(client, post, 0).status_code == 204  # from the cache

    evict_thread_counter(post)
    reply = services.reply_create(post=post, author=cast.bob, body="After the eviction.")

    response = poll(client, post, 0)
    assert response.status_code == 200
    assert f'id="reply-{reply.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_a_reply_missed_while_hidden_is_returned_though_the_counter_was_lost(cast, as_user, post):
    evict_thread_counter(post)  # or expired: nothing about this thread in the cache
    client = as_user(cast.alice)
    client.get(post.get_absolute_url())  # the counter starts again, and Alice's record
    # Alice's tab is hidden, so she does not poll; a reply comes in...
    missed = services.reply_create(post=post, author=cast.bob, body="Came while she slept.")
    # ...the counter is lost again, and Bob's page makes it anew.
    evict_thread_counter(post)
    bob = Client()
    bob.force_login(cast.bob)
    assert bob.get(post.get_absolute_url()).status_code == 200

    response = poll(client, post, 0)
    assert response.status_code == 200
    assert f'id="reply-{missed.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_a_member_removed_after_their_access_counter_was_lost_gets_404(cast, post):
    first = ReplyFactory(post=post, author=cast.alice)
    bob = Client()
    bob.force_login(cast.bob)
    assert poll(bob, post, first.pk).status_code == 204
    assert poll(bob, post, first.pk).status_code == 204

    evict_access_counter(cast.bob)
    membership = Membership.objects.get(circle=cast.circle, user=cast.bob)
    membership_services.membership_remove(membership=membership, removed_by=cast.host)

    assert poll(bob, post, first.pk).status_code == 404


# --- Answered before the person is loaded (conversations/middleware.py) ------------


@pytest.mark.django_db
def test_a_quiet_poll_checks_access_without_loading_the_person(
    quiet, post, django_assert_num_queries
):
    """One query, on the person's row with an EXISTS over memberships: never the
    full user load, the post or the replies, which the view would read."""
    client, first = quiet
    with django_assert_num_queries(1) as captured:
        response = poll(client, post, first.pk)
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith('SELECT "members_user"."password"')
    assert "EXISTS" in sql and "conversations_reply" not in sql


@pytest.mark.django_db
def test_a_suspended_person_gets_404_at_the_next_poll(quiet, cast, post):
    client, first = quiet
    moderation.person_suspend(person=cast.alice, by=UserFactory(is_staff=True), reason="spam")
    assert poll(client, post, first.pk).status_code == 404


@pytest.mark.django_db
def test_a_password_changed_elsewhere_ends_this_sessions_polls(quiet, cast, post):
    client, first = quiet
    cast.alice.set_password("a-new-long-passphrase")
    cast.alice.save()
    assert poll(client, post, first.pk).status_code == 404


@pytest.mark.django_db
def test_a_made_up_poll_address_goes_to_the_view(quiet, post):
    client, first = quiet
    response = client.get(
        f"/circles/{post.circle.slug}/posts/999999/replies/", {"after": 1}, **HTMX
    )
    assert response.status_code == 404
    response = client.get(f"/circles/{post.circle.slug}/posts/{post.pk}/replies/", **HTMX)
    assert response.status_code == 200  # no cursor: the view reads after=0, every reply is new
    assert f'id="reply-{first.pk}"' in response.content.decode()
