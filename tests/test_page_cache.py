"""The signed-out page cache (config/pagecache.py) on the landing page and the directory.

A cached page is the same HTML for every signed-out visitor except the CSRF
token, which must be each visitor's own and must work; signed-in people,
visitors with a flash message and query strings that could fill the cache
are never served from it; a change to a listed circle shows at once.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles import membership_services
from circles import services as circle_services
from config.pagecache import fetch_kept, language_key, store_kept
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
DIRECTORY = reverse("circles:directory")
TOKEN = re.compile(r'x-csrftoken": "([^"]+)"')
# The same token again in the forms of the page (the footer's language switcher).
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def fetch(client: Client, url: str, data=None, **extra) -> tuple[object, int]:
    """The response and how many queries it took (0: it came from the page cache)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data, **extra)
    assert response.status_code == 200
    return response, len(queries)


def token_in(response) -> str:
    return TOKEN.search(response.content.decode())[1]


def without_token(response) -> str:
    return FORM_TOKEN.sub("", TOKEN.sub("", response.content.decode()))


@pytest.fixture
def listed():
    circle = CircleFactory(name="Tuesday Breakfast Thinkers", seat_limit=5)
    MembershipFactory(circle=circle)
    return circle


@pytest.mark.parametrize("url", [HOME, DIRECTORY])
def test_each_visitor_gets_the_cached_page_with_their_own_working_token(url, listed):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    rendered, queries = fetch(first, url)
    assert queries > 0
    cached, queries = fetch(second, url)
    assert queries == 0  # served from the cache

    assert without_token(cached) == without_token(rendered)
    assert "Tuesday Breakfast Thinkers" in cached.content.decode()
    assert "<peertables-csrf-token>" not in cached.content.decode()
    assert token_in(cached) != token_in(rendered)
    # Each visitor got a CSRF cookie, and the token on the page works with theirs only.
    assert settings.CSRF_COOKIE_NAME in second.cookies
    login = reverse("account_login")
    own = second.post(login, {"login": "x@example.com"}, HTTP_X_CSRFTOKEN=token_in(cached))
    assert own.status_code == 200
    other = second.post(login, {"login": "x@example.com"}, HTTP_X_CSRFTOKEN=token_in(rendered))
    assert other.status_code == 403


@pytest.mark.parametrize("url", [HOME, DIRECTORY])
def test_cached_pages_stay_private_and_carry_no_csp_nonce(client, url, listed):
    for _ in range(2):  # rendered, then from the cache
        response = client.get(url)
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "no-cache" in cache_control
        assert "Cookie" in response["Vary"]
        assert "'nonce-" not in response["Content-Security-Policy"]


def test_the_landing_page_ignores_the_query_string(client, listed):
    fetch(client, HOME)
    assert fetch(client, HOME, {"utm_source": "newsletter"})[1] == 0


def test_a_signed_in_person_never_gets_the_cached_page(client, listed):
    fetch(Client(), HOME)
    fetch(Client(), DIRECTORY)
    person = UserFactory(display_name="Ada Example")
    client.force_login(person)
    for url in (HOME, DIRECTORY):
        html = client.get(url).content.decode()
        assert "Ada Example" in html and "Sign out" in html
        assert "Sign in" not in html
    # ...and what they saw was not kept for the signed-out.
    html = Client().get(DIRECTORY).content.decode()
    assert "Ada Example" not in html and "Sign in" in html


def test_a_visitor_with_a_flash_message_gets_a_fresh_page(client, listed):
    fetch(Client(), HOME)
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"))
    assert response["Location"] == HOME
    # The session cookie is deleted (a browser drops it); the message rides in its own cookie.
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == ""
    del client.cookies[settings.SESSION_COOKIE_NAME]
    assert "You have signed out." in client.get(HOME).content.decode()
    # The message is gone once shown; the next visit is the cached page again.
    html = client.get(HOME).content.decode()
    assert "You have signed out." not in html


def test_the_htmx_answer_and_the_whole_page_are_kept_apart(client, listed):
    topic = TopicFactory(slug="founders")
    listed.topics.add(topic)
    query = {"topic": "founders", "q": "", "place": "", "weekday": "", "time_of_day": ""}
    htmx = {"HTTP_HX_REQUEST": "true"}
    fragment, _ = fetch(client, DIRECTORY, query, **htmx)
    page, queries = fetch(client, DIRECTORY, query)
    assert queries > 0
    assert "<html" not in fragment.content.decode() and "<html" in page.content.decode()
    again, queries = fetch(Client(), DIRECTORY, query, **htmx)
    assert queries == 0 and "<html" not in again.content.decode()
    again, queries = fetch(Client(), DIRECTORY, query)
    assert queries == 0 and "<html" in again.content.decode()
    assert "HX-Request" in again["Vary"]


@pytest.mark.parametrize(
    "query",
    [
        {"topic": "no-such-topic"},  # invalid filter
        {"place": "Atlantis"},
        {"page": "999"},  # past the last page: the last page is shown, not kept
        {"page": "01"},
        {"q": "breakfast"},  # free text
        {"open_seats": "yes please"},  # any text is "ticked"
        {"utm_source": "x"},  # unknown parameter
        {"weekday": ["1", "2"]},  # repeated
    ],
)
def test_query_strings_that_could_fill_the_cache_are_never_kept(client, listed, query):
    fetch(client, DIRECTORY, query)
    assert fetch(client, DIRECTORY, query)[1] > 0


def test_valid_filters_and_pages_are_kept(client, listed):
    CircleFactory.create_batch(12)
    for query in ({"page": "2"}, {"open_seats": "on", "weekday": "1"}, {"place": "online"}):
        fetch(client, DIRECTORY, query)
        assert fetch(client, DIRECTORY, query)[1] == 0, query


def test_a_change_to_a_listed_circle_shows_at_once(
    client, listed, django_capture_on_commit_callbacks
):
    fetch(client, HOME)
    fetch(client, DIRECTORY)
    assert "4 seats open" in client.get(DIRECTORY).content.decode()
    assert fetch(client, DIRECTORY)[1] == 0

    with django_capture_on_commit_callbacks(execute=True):
        CircleFactory(name="Thursday Supper Club")
    for url in (HOME, DIRECTORY):
        assert "Thursday Supper Club" in client.get(url).content.decode()

    membership_services.membership_join(circle=listed, user=UserFactory())
    assert "3 seats open" in client.get(DIRECTORY).content.decode()

    listed.topics.add(TopicFactory(name="Bookbinding"))
    assert "Bookbinding" in client.get(HOME).content.decode()

    circle_services.circle_archive(circle=listed)
    for url in (HOME, DIRECTORY):
        assert "Tuesday Breakfast Thinkers" not in client.get(url).content.decode()


def test_a_page_rendered_before_a_write_commits_is_not_served_after_it(
    client, listed, django_capture_on_commit_callbacks
):
    """The version is bumped again after the commit, so a page another request
    rendered from the old rows in between (kept under the first bump) is refused."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership_services.membership_join(circle=listed, user=UserFactory())
        fetch(client, DIRECTORY)  # stands in for a page rendered before the commit
        assert fetch(client, DIRECTORY)[1] == 0
    for callback in callbacks:
        callback()
    assert fetch(client, DIRECTORY)[1] > 0


def test_the_cache_can_be_turned_off(client, listed, settings):
    settings.SIGNED_OUT_PAGE_CACHE_SECONDS = 0
    fetch(client, HOME)
    assert fetch(client, HOME)[1] > 0


def test_past_its_time_one_request_renders_anew_while_the_others_get_the_kept_copy():
    """No stampede when a kept page expires under load (pagecache.fetch_kept / store_kept)."""
    key = "pagecache:test:stampede"
    with time_machine.travel("2026-11-23 07:00", tick=False) as clock:
        _, version = fetch_kept(key, "test")
        store_kept(key, version, "<html>", 60)
        assert fetch_kept(key, "test") == ("<html>", version)  # fresh: everyone
        assert fetch_kept(key, "test") == ("<html>", version)

        clock.shift(61)
        assert cache.get(language_key(key)) is not None, "kept past its freshness, for the others"
        assert fetch_kept(key, "test")[0] is None, "the first request after expiry renders"
        assert fetch_kept(key, "test")[0] == "<html>", "the next ones get the kept copy meanwhile"
        assert fetch_kept(key, "test")[0] == "<html>"

        store_kept(key, version, "<html> anew", 60)
        assert fetch_kept(key, "test")[0] == "<html> anew"
