"""The thread's rows, written in Python (conversations/thread_rows.py): every name and
text escaped, the words in the reader's language, the times exact, and the page's links in
the fragments its htmx requests get."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from conversations import services
from conversations.access import post_for_member, post_for_reader
from members.services import account_delete
from moderation import services as moderation
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ARTICLE = re.compile(r'<article class="reply card[^"]*" id="reply-(\d+)">.*?</article>', re.S)
WHEN = dt.datetime(2026, 3, 4, 15, 5, 6, 123456, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture
def post(cast):
    return PostFactory(circle=cast.circle, author=cast.alice, title="Pricing my first project")


def replies_of(html: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(0) for m in ARTICLE.finditer(html)}


def page(user, post, **headers) -> str:
    client = Client(**headers)
    client.force_login(user)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_names_and_texts_are_escaped_and_braces_are_only_text(cast, post):
    cast.bob.display_name = 'Bob <b>{0}</b> & "Co" {name}'
    cast.bob.save()
    cast.alice.display_name = "Alice <i>{1}</i>"
    cast.alice.save()
    mailbox = UserFactory(display_name="", email="o'neil@example.org")
    MembershipFactory(circle=cast.circle, user=mailbox)
    reply = ReplyFactory(post=post, author=cast.bob, body="Use {0} and {name}, <script>x</script>")
    other = ReplyFactory(post=post, author=mailbox, body="Mine {{doubled}} %(zone)s")
    services.post_resolve(post=post, by=cast.alice, replies=[reply], note="Note {0} <b>x</b>")
    for viewer in (cast.alice, cast.host):
        articles = replies_of(page(viewer, post))
        bobs, mailboxes = articles[reply.pk], articles[other.pk]
        assert f">{escape(cast.bob.display_name)}</a>" in bobs
        assert "<b>{0}</b>" not in bobs and "<script>" not in bobs
        assert "<p>Use {0} and {name}, &lt;script&gt;x&lt;/script&gt;</p>" in bobs
        assert f"Thanked by {escape(cast.alice.display_name)}" in bobs
        assert "Note {0} &lt;b&gt;x&lt;/b&gt;" in bobs
        assert ">o&#x27;neil</a>" in mailboxes
        assert "Mine {{doubled}} %(zone)s" in mailboxes


def test_a_german_reader_gets_german_words_and_dates_and_then_english_again(cast, post):
    cast.circle.time_zone = "Europe/Berlin"
    cast.circle.save()
    gone = UserFactory(display_name="Soon Gone")
    MembershipFactory(circle=cast.circle, user=gone)
    thanked = ReplyFactory(post=post, author=cast.bob, created_at=WHEN)
    hidden = ReplyFactory(post=post, author=cast.bob, created_at=WHEN)
    former = ReplyFactory(post=post, author=gone, created_at=WHEN)
    account_delete(user=gone)
    services.reply_edit(reply=thanked, body="Changed.")
    services.post_resolve(post=post, by=cast.alice, replies=[thanked])
    assert moderation.item_hide(item=hidden, by=cast.host, reason="Spam")

    member = replies_of(page(cast.alice, post, HTTP_ACCEPT_LANGUAGE="de"))
    assert "Dank von Alice Asker" in member[thanked.pk]
    assert ">bearbeitet</span>" in member[thanked.pk]
    assert "Antwort melden" in member[thanked.pk]
    assert 'title="Mi 4 Mär 2026, 16:05 (Europe/Berlin)">4 Mär, 16:05</time>' in member[thanked.pk]
    assert "Eine Antwort, die ein Gastgeber ausgeblendet hat." in member[hidden.pk]
    assert "Ein ehemaliges Mitglied" in member[former.pk]
    host = replies_of(page(cast.host, post, HTTP_ACCEPT_LANGUAGE="de"))
    assert "Von einem Gastgeber ausgeblendet" in host[hidden.pk]
    assert "Wiederherstellen" in host[hidden.pk] and "Ausblenden" in host[thanked.pk]
    for article in (*member.values(), *host.values()):
        assert "Thanked by" not in article and ">edited<" not in article
        assert "Flag reply" not in article and "Wed 4 Mar" not in article

    # The words and dates kept per language do not leak into the next reader's.
    english = replies_of(page(cast.alice, post, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Thanked by Alice Asker" in english[thanked.pk]
    assert (
        'title="Wed 4 Mar 2026, 16:05 (Europe/Berlin)">4 Mar, 16:05</time>' in english[thanked.pk]
    )
    assert "A former member" in english[former.pk]


@pytest.mark.parametrize("microsecond", [0, 7, 123456, 999999])
def test_the_times_for_the_script_are_exact_to_the_microsecond(cast, post, microsecond):
    created = WHEN.replace(microsecond=microsecond)
    reply = ReplyFactory(post=post, author=cast.bob, created_at=created)
    services.reply_edit(reply=reply, body="Changed.")
    reply.refresh_from_db()
    article = replies_of(page(cast.alice, post))[reply.pk]
    # Django's 'c' date format in UTC, as the template's |utc|date:'c' wrote it.
    assert f'<time datetime="{created.isoformat()}" data-relative' in article
    assert f'<span class="edited" title="{reply.edited_at.isoformat()}">' in article


def test_the_fragments_carry_the_pages_links(cast, post):
    seen = ReplyFactory(post=post, author=cast.host)
    client = Client()
    client.force_login(cast.bob)
    poll = reverse("conversations:reply_poll", args=[post.circle.slug, post.pk])
    create = reverse("conversations:reply_create", args=[post.circle.slug, post.pk])
    ReplyFactory(post=post, author=cast.host)
    polled = client.get(poll, {"after": seen.pk}, **HTMX).content.decode()
    assert f'hx-get="{poll}"' in polled
    created = client.post(create, {"body": "Thanks!", "after": seen.pk}, **HTMX).content.decode()
    assert f'hx-get="{poll}"' in created
    assert f'action="{create}"' in created and f'hx-post="{create}"' in created
    refused = client.post(create, {"body": " "}, **HTMX).content.decode()
    assert f'action="{create}"' in refused and 'class="field field-invalid"' in refused


def test_the_page_reads_only_what_it_shows_and_other_views_read_everything(cast, post):
    shown = post_for_reader(cast.bob, post.circle.slug, post.pk)
    assert {"body", "last_activity_at"} <= shown.get_deferred_fields()
    assert "purpose" in shown.circle.get_deferred_fields()
    assert "password" in shown.author.get_deferred_fields()
    whole = post_for_member(cast.bob, post.circle.slug, post.pk)
    assert whole.get_deferred_fields() == set()
    assert whole.circle.get_deferred_fields() == set() == whole.author.get_deferred_fields()
    assert whole.body == post.body and whole.circle == cast.circle and whole.author == cast.alice
    assert (whole.viewer_role, whole.viewer_moderates) == ("member", False)
    hosts = post_for_member(cast.host, post.circle.slug, post.pk)
    assert hosts.viewer_moderates
