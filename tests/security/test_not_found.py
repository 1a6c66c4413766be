"""A private thing's 404 reads word for word like a made-up one's, with DEBUG on too.

With DEBUG on, Django's 404 page shows the exception's message and the view
that answered. The access helpers raise ``circles.access.hidden(Model)`` for a
row someone may not see, which is get_object_or_404's message for a row that
does not exist; so only the path the person typed differs (removed here).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.security.test_url_walk import PUBLIC_CIRCLE_PAGES
from tests.security.urlwalk import all_patterns, url_for, values_for

pytestmark = pytest.mark.django_db


def text_without(response, path: str) -> str:
    """The page a person reads, without the path itself and the per-request CSRF token."""
    text = response.content.decode()
    variants = {path, quote(path, safe=""), quote(path), path.lstrip("/")}
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, "PATH")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'"x-csrftoken": "[^"]+"', "", text)


def compare(world, role: str, real: str, made_up: str, problems: list[str]) -> None:
    client = world.client_for(role, raise_request_exception=False)
    for method in ("get", "post"):
        hidden = getattr(client, method)(real)
        missing = getattr(client, method)(made_up)
        if hidden.status_code != 404:
            continue  # a login redirect, or a 405: alike by the URL walk's tests
        if missing.status_code != 404 or text_without(hidden, real) != text_without(
            missing, made_up
        ):
            problems.append(f"{method.upper()} {real} as {role} reads unlike {made_up}")


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG", "production"])
def test_a_private_circles_404_reads_like_a_made_up_ones(world, settings, debug):
    settings.DEBUG = debug
    problems: list[str] = []
    for route in all_patterns():
        if "slug" not in route.params:
            continue
        made_up = url_for(route, values_for(route, world, missing=True))
        unlisted = url_for(route, values_for(route, world) | {"slug": world.unlisted.slug})
        for role in ("anon", "outsider", "member"):
            compare(world, role, unlisted, made_up, problems)
        if route.key not in PUBLIC_CIRCLE_PAGES:
            real = url_for(route, values_for(route, world))
            for role in ("anon", "outsider"):
                compare(world, role, real, made_up, problems)
    assert not problems, "\n".join(problems)


def test_with_debug_on_a_404_names_no_more_than_the_model(world, settings):
    """What the 404 says for a circle an outsider may not see, in Django's own words."""
    settings.DEBUG = True
    response = world.client_for("outsider").get(f"/circles/{world.circle.slug}/members/")
    assert response.status_code == 404
    assert "No Circle matches the given query." in response.content.decode()


def test_an_introduction_is_404_to_staff_like_a_made_up_one(world, settings):
    settings.DEBUG = True
    slug = world.circle.slug
    problems: list[str] = []
    compare(
        world,
        "staff",
        f"/circles/{slug}/posts/introductions/{world.introduction.pk}/",
        f"/circles/{slug}/posts/introductions/987654/",
        problems,
    )
    assert not problems


def test_a_suspended_persons_calendar_feed_reads_like_an_unknown_one(world, settings):
    settings.DEBUG = True
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    problems: list[str] = []
    compare(world, "anon", world.feed.get_absolute_url(), "/calendar/no-such-token.ics", problems)
    assert not problems
