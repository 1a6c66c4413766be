"""Members flag a post or reply with a reason; once per person per item."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from moderation import services
from moderation.models import Flag, Reason
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def flag_url(table, kind, item):
    return reverse("moderation:flag", args=[table.circle.slug, kind, item.pk])


def test_a_member_flags_a_post_with_a_reason(client, table):
    client.force_login(table.member)
    page = client.get(flag_url(table, "post", table.post))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Buy my coaching package" in html
    for label in ("Spam", "Selling or self-promotion", "Disrespectful", "Something else"):
        assert label in html

    response = client.post(flag_url(table, "post", table.post), {"reason": Reason.SELLING})
    assert response.status_code == 302
    assert response["Location"] == table.post.get_absolute_url()
    flag = Flag.objects.get()
    assert (flag.post, flag.reply, flag.circle, flag.flagged_by, flag.reason) == (
        table.post,
        None,
        table.circle,
        table.member,
        Reason.SELLING,
    )
    assert flag.is_open


def test_a_member_flags_a_reply(client, table):
    client.force_login(table.member)
    client.post(flag_url(table, "reply", table.reply), {"reason": Reason.SPAM, "note": "bot"})
    flag = Flag.objects.get()
    assert flag.reply == table.reply and flag.post is None and flag.note == "bot"


def test_one_flag_per_person_per_item(client, table):
    client.force_login(table.member)
    client.post(flag_url(table, "post", table.post), {"reason": Reason.SELLING})
    again = client.post(flag_url(table, "post", table.post), {"reason": Reason.SPAM}, follow=True)
    assert "You have already flagged this" in again.content.decode()
    assert Flag.objects.count() == 1
    # Someone else may flag it too, and the same person may flag the reply.
    client.post(flag_url(table, "reply", table.reply), {"reason": Reason.SPAM})
    client.force_login(table.host)
    client.post(flag_url(table, "post", table.post), {"reason": Reason.SPAM})
    assert Flag.objects.count() == 3


def test_the_database_refuses_a_second_flag_and_a_flag_on_two_things(table):
    services.flag_create(item=table.post, flagged_by=table.member, reason=Reason.SPAM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            circle=table.circle, post=table.post, flagged_by=table.member, reason=Reason.OTHER
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            circle=table.circle,
            post=table.post,
            reply=table.reply,
            flagged_by=table.host,
            reason=Reason.SPAM,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(circle=table.circle, flagged_by=table.host, reason=Reason.SPAM)


def test_a_reason_is_required_and_other_needs_a_note(client, table):
    client.force_login(table.member)
    response = client.post(flag_url(table, "post", table.post), {})
    assert response.status_code == 200
    assert "Choose a reason for the flag." in response.content.decode()
    response = client.post(flag_url(table, "post", table.post), {"reason": Reason.OTHER})
    assert "Tell the hosts what is wrong" in response.content.decode()
    assert not Flag.objects.exists()


def test_nobody_flags_their_own_words(client, table):
    client.force_login(table.seller)
    response = client.post(
        flag_url(table, "post", table.post), {"reason": Reason.SPAM}, follow=True
    )
    assert "You cannot flag your own words" in response.content.decode()
    assert not Flag.objects.exists()


def test_outsiders_get_404_and_signed_out_people_sign_in(client, table, other_table):
    client.force_login(UserFactory())
    assert client.get(flag_url(table, "post", table.post)).status_code == 404
    assert client.post(flag_url(table, "post", table.post), {"reason": "spam"}).status_code == 404
    # A member of another circle cannot reach this circle's post through their own slug.
    client.force_login(other_table.member)
    wrong_slug = reverse("moderation:flag", args=[other_table.circle.slug, "post", table.post.pk])
    assert client.post(wrong_slug, {"reason": "spam"}).status_code == 404
    assert not Flag.objects.exists()
    client.logout()
    assert client.get(flag_url(table, "post", table.post)).status_code == 302


def test_unknown_kinds_and_deleted_posts_are_404(client, table):
    client.force_login(table.member)
    assert (
        client.get(reverse("moderation:flag", args=[table.circle.slug, "circle", 1])).status_code
        == 404
    )
    table.post.deleted_at = table.post.created_at
    table.post.save()
    assert client.get(flag_url(table, "post", table.post)).status_code == 404


def test_flag_page_queries(client, table, django_assert_max_num_queries):
    client.force_login(table.member)
    with django_assert_max_num_queries(8):
        assert client.get(flag_url(table, "reply", table.reply)).status_code == 200
