"""bench/: the data set and the query counter, at a tiny scale so they cannot rot."""

from __future__ import annotations

import pytest

from bench import seeding
from bench.cli import count_queries
from conversations.models import Post
from meetings.models import AgendaTopic, Rsvp

pytestmark = pytest.mark.django_db


def test_the_seed_builds_what_the_benchmark_requests():
    assert not seeding.seeded()
    seeding.seed(scale=0.005)
    assert seeding.seeded()
    found = seeding.targets()
    assert Rsvp.objects.filter(meeting_id=found.meeting_id, answer="going").count() >= 12
    assert AgendaTopic.objects.filter(meeting_id=found.meeting_id).count() == 15
    assert Post.objects.get(pk=found.post_id).replies.count() == 100
    assert found.session_key


def test_query_counts_are_taken_through_the_middleware_with_the_session(settings):
    seeding.seed(scale=0.005)
    found = seeding.targets()
    thread = f"/circles/{found.circle_slug}/posts/{found.post_id}/"
    counts = count_queries([thread, "@" + thread], found.session_key)
    assert counts[thread] in (-302, -404), "signed out, a thread is not shown"
    # 200 (not -302 or -404): the session signed the member in. The second request is
    # counted: the post with the reader's role and the replies (conversations/thread.py).
    assert counts["@" + thread] == 2
