"""Every form and every query parameter answers hostile input with a page, never a 500.

Nothing is listed by hand (tests/security/fuzzing.py): every URL pattern of the
resolver is opened as each person the URL walk says may open it; the forms on
its pages give each form's ordinary values, and each URL is asked once while
every name it reads from ``request.GET`` or ``request.POST`` is recorded. A new
form, field or parameter is fuzzed the day it is added.

Then hypothesis posts (or, for a page, asks) each URL, as the person it answers:
- explicit examples, every run: each of ``NASTY`` (ids past 64 bits, ids of no
  row, digits ``int()`` refuses, NUL bytes, invalid UTF-8, lone surrogates,
  repeated parameters...) in every name at once, and the first few in each name
  alone with the form's ordinary values in the others, so the view gets past
  the form with it;
- drawn examples: any mix of names, each with hostile text, bytes, numbers or
  several values, real ids of rows nobody here may use included, as a plain
  request or as htmx.
Every request is rolled back afterwards, so each starts from the same world.

``make test`` runs this file on PostgreSQL and again on SQLite: the two refuse
different things (SQLite cannot bind an integer past 64 bits; PostgreSQL
refuses NUL in text). HYPOTHESIS_PROFILE=explore draws more, at random.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import example, given
from hypothesis import strategies as st

from tests.security.conftest import build_world
from tests.security.fuzzing import (
    ACCEPTABLE,
    ALONE,
    NASTY,
    client_for,
    hostile_values,
    send,
    targets,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def fuzz(django_db_setup, django_db_blocker):
    """One world and its targets for the module (finding them opens every page as everyone).

    Built in a transaction rolled back at the end; each test's own transaction
    (and each request's savepoint) nests inside it. Passwords are hashed with a
    fast hasher: every hostile sign-in would otherwise spend argon2's time.
    """
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with fast, django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        yield world, targets(world)
        transaction.set_rollback(True)


def problem(target, overrides, response) -> str | None:
    if response.status_code in ACCEPTABLE:
        return None
    error = f" ({response.exc_info[1]!r:.200})" if getattr(response, "exc_info", None) else ""
    return f"{target} with {overrides!r:.200} -> {response.status_code}{error}"


def test_the_fuzzer_finds_every_form_and_parameter(fuzz):
    world, found = fuzz
    slug = world.circle.slug
    meeting = f"/circles/{slug}/meetings/{world.started_meeting.pk}"
    reads = {(t.method, t.path): set(t.names) for t in found}
    for method, path, names in (
        ("POST", "/accounts/signup/", {"email", "password1", "display_name"}),
        ("POST", "/accounts/login/", {"login", "password"}),
        ("POST", "/circles/new/", {"topics", "weekday", "seat_limit"}),
        ("POST", f"/circles/{slug}/edit/", {"topics", "time_zone"}),
        ("POST", f"/circles/{slug}/posts/new/", {"kind", "title", "body"}),
        ("POST", f"/circles/{slug}/posts/{world.post.pk}/resolve/", {"replies", "note"}),
        ("POST", f"/circles/{slug}/posts/introductions/new/", {"person_a", "person_b"}),
        ("POST", f"/circles/{slug}/meetings/{world.meeting.pk}/rsvp/", {"answer", "next"}),
        ("POST", f"{meeting}/attendance/", {"user", "attended"}),
        ("POST", f"/circles/{slug}/members/{world.member_membership.pk}/role/", {"role"}),
        ("POST", "/members/me/edit/", {"can_help_with", "looking_for", "time_zone"}),
        ("POST", "/settings/notifications/", {"activity_email"}),
        ("GET", "/circles/", {"q", "topic", "place", "weekday", "page"}),
        ("GET", f"/circles/{slug}/posts/", {"kind", "status", "page"}),
        ("GET", f"/circles/{slug}/posts/{world.post.pk}/replies/", {"after"}),
        ("GET", f"/circles/{slug}/posts/introductions/new/", {"a"}),
        ("GET", "/notifications/", {"page"}),
    ):
        assert names <= reads.get((method, path), set()), (
            f"{method} {path} reads {sorted(reads.get((method, path), ()))}, not all of {names}"
        )


def explicit_examples(target) -> list[dict]:
    """Every NASTY value in all the names at once; the first few in each name alone."""
    every = [dict.fromkeys(target.names, value) for value in NASTY.values()]
    alone = [{name: NASTY[label]} for name in target.names for label in ALONE]
    return every + alone


def hypothesis_on(target, client, values, problems: list[str]) -> None:
    """One URL: hypothesis's explicit examples, then what it draws (any mix of names)."""

    def hostile(overrides, htmx):
        response = send(client, target, overrides, htmx=htmx)
        if message := problem(target, overrides, response):
            problems.append(message)

    for overrides in explicit_examples(target):
        hostile = example(overrides=overrides, htmx=False)(hostile)
    given(
        overrides=st.dictionaries(st.sampled_from(target.names), values, min_size=1),
        htmx=st.booleans(),
    )(hostile)()


def test_no_form_or_query_parameter_answers_500(fuzz):
    """Each URL gets len(NASTY) + 3 x its names explicit examples and the profile's drawn ones."""
    world, found = fuzz
    values = hostile_values(world)
    problems: list[str] = []
    for target in found:
        hypothesis_on(target, client_for(world, target.role), values, problems)
    assert not problems, f"{len(problems)} requests answered 500:\n" + "\n".join(problems[:40])
