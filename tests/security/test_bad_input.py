"""An id that cannot name a row is a clear form error or a 404, never a 500, on both databases.

Each field, query parameter and URL that takes an id, with the values that
broke them: past 64 bits (SQLite cannot bind it: OverflowError), digits
``str.isdigit()`` accepts and ``int()`` refuses ("²": ValueError), NUL (PostgreSQL
refuses it in text), and the merely wrong (-1, 0, abc). The hypothesis fuzzer
(test_forms_fuzz.py) looks for the ones nobody thought of; these pin the ones found.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver

from circles.models import Circle
from config.forms import MAX_ID, IdChoiceField, IdsChoiceField, parse_id
from conversations.models import Introduction, Thanks
from meetings.models import Attendance
from tests.security.urlwalk import all_patterns, url_for, values_for

pytestmark = pytest.mark.django_db

PAST_64_BITS = str(2**63)
NOT_IDS = [PAST_64_BITS, "99999999999999999999", "-1", "0", "abc", "²", "١٢", "1\x00", "1.5", " "]
APPS = ("circles", "conversations", "meetings", "members", "moderation", "notifications")


def page(response) -> str:
    return response.content.decode()


# --- The shared check ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (PAST_64_BITS, None),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("١٢", None),
        ("1\x00", None),
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_is_plain_digits_from_1_to_the_largest_bigint(text, expected):
    assert parse_id(text) == expected


def test_a_cursor_may_also_be_zero():
    assert parse_id("0", zero=True) == 0
    assert parse_id("-0", zero=True) is None


# --- Form fields ------------------------------------------------------------------------
# One world per field, every value in turn (a world per value costs more than the posts).


def each_value(check) -> None:
    """Run ``check(value)`` for every value in NOT_IDS; report every one that fails."""
    problems = []
    for value in NOT_IDS:
        try:
            check(value)
        except AssertionError as failure:
            problems.append(f"{value!r}: {failure}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("field", ["can_help_with", "looking_for"])
def test_a_profile_topic_that_is_no_id_is_a_wrong_choice(world, field):
    """The issue's report: a signed-in POST with can_help_with=9223372036854775808 was a 500."""
    client = world.client_for("member")

    def check(value):
        response = client.post(
            "/members/me/edit/", {"display_name": "X", "time_zone": "UTC", field: value}
        )
        assert response.status_code == 200
        assert "Select a valid choice." in page(response)
        assert list(world.member.profile.can_help_with.all()) == [world.topics[0]]

    each_value(check)


def test_a_real_topic_still_saves(world):
    response = world.client_for("member").post(
        "/members/me/edit/",
        {"display_name": "X", "time_zone": "UTC", "looking_for": [world.topics[1].pk]},
    )
    assert response.status_code == 302
    assert list(world.member.profile.looking_for.all()) == [world.topics[1]]


def test_a_circle_topic_that_is_no_id_is_a_wrong_choice(world):
    slug = world.circle.slug
    client = world.client_for("host")

    def check(value):
        response = client.post(f"/circles/{slug}/edit/", {"topics": [value, "1"]})
        assert response.status_code == 200
        assert "Select a valid choice." in page(response)
        assert list(Circle.objects.get(slug=slug).topics.all()) == [world.topics[0]]

    each_value(check)


def test_a_reply_to_thank_that_is_no_id_is_a_wrong_choice(world):
    client = world.client_for("member")

    def check(value):
        response = client.post(
            f"/circles/{world.circle.slug}/posts/{world.post.pk}/resolve/", {"replies": value}
        )
        assert response.status_code == 200
        assert "Choose replies from this thread." in page(response)
        assert not Thanks.objects.exists()

    each_value(check)


@pytest.mark.parametrize("field", ["person_a", "person_b"])
def test_a_person_to_introduce_who_is_no_id_is_a_wrong_choice(world, field):
    client = world.client_for("member")
    data = {"person_a": world.member2.pk, "person_b": world.host.pk}
    data |= {"note_for_a": "Hi", "note_for_b": "Hi"}

    def check(value):
        response = client.post(
            f"/circles/{world.circle.slug}/posts/introductions/new/", data | {field: value}
        )
        assert response.status_code == 200
        assert "Choose a member of this circle." in page(response)
        assert Introduction.objects.count() == 1  # the world's own

    each_value(check)


def test_attendance_for_someone_who_is_no_id_says_what_to_choose(world):
    client = world.client_for("host")
    url = f"/circles/{world.circle.slug}/meetings/{world.started_meeting.pk}/attendance/"

    def check(value):
        response = client.post(url, {"user": value, "attended": "1"})
        assert response.status_code == 302
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert said[-1] == "Choose attended or absent for a member."
        assert not Attendance.objects.exists()

    each_value(check)


def test_the_directory_ignores_a_topic_filter_that_names_no_topic(world):
    """PostgreSQL refuses NUL in a slug query (DataError); the filter is simply not applied."""
    client = world.client_for("anon")
    for value in ["\x00", "pricing\x00", PAST_64_BITS, "²"]:
        response = client.get("/circles/", {"topic": value})
        assert response.status_code == 200, value
        assert world.circle.name in page(response)


def test_every_model_choice_field_in_our_forms_checks_its_ids_first():
    """Including fields a ModelForm makes for a ForeignKey: new ones must use config.forms too.

    ChoiceField and TypedChoiceField compare with their fixed choices before
    coercing, and a model's integer fields are range-checked by the model, so
    those need nothing more; an integer typed by hand in a plain form does.
    """
    for app in APPS:
        importlib.import_module(f"{app}.forms")
    problems = []
    for form in _subclasses(forms.BaseForm):
        if form.__module__.split(".")[0] not in APPS:
            continue
        for name, field in form.base_fields.items():
            where = f"{form.__module__}.{form.__name__}.{name}"
            if isinstance(field, forms.ModelChoiceField) and not isinstance(
                field, IdChoiceField | IdsChoiceField
            ):
                problems.append(f"{where}: use config.forms.IdChoiceField / IdsChoiceField")
            declared = name in getattr(form, "declared_fields", {})
            if isinstance(field, forms.IntegerField) and declared and field.max_value is None:
                problems.append(f"{where}: give it a max_value (an id: config.forms.IdField)")
    assert not problems, "\n".join(problems)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# --- Query parameters -------------------------------------------------------------------


def test_a_poll_cursor_that_is_no_id_is_a_bad_request(world):
    """Read by the middleware first (a quiet poll), then by the view; 0 is the thread's start."""
    client = world.client_for("member")
    url = f"/circles/{world.circle.slug}/posts/{world.post.pk}/replies/"

    def check(value):
        response = client.get(url, {"after": value}, HTTP_HX_REQUEST="true")
        assert response.status_code == (200 if value == "0" else 400)

    each_value(check)


def test_an_introduction_for_someone_who_is_no_id_starts_empty(world):
    client = world.client_for("member")

    def check(value):
        response = client.get(
            f"/circles/{world.circle.slug}/posts/introductions/new/", {"a": value}
        )
        assert response.status_code == 200
        person_a = page(response).split('name="person_a"')[1].split("</select>")[0]
        assert not re.search(r'<option value="\d+" selected>', person_a)

    each_value(check)


# --- Ids in URLs ------------------------------------------------------------------------


def test_every_id_in_our_urls_is_an_id_not_any_int():
    """``<int:...>`` hands a view any run of digits; ``<id:...>`` (config/converters.py) not."""

    def ours(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                if module.split(".")[0] in APPS:
                    yield from ours(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    routes = list(ours(get_resolver().url_patterns))
    assert len(routes) > 50
    assert not [route for route in routes if "<int:" in route]


def test_an_id_past_64_bits_in_any_url_is_a_404(world):
    """The resolver's 404, before any view or query runs: for GET and POST, as a host."""
    client = world.client_for("host", raise_request_exception=False)
    problems = []
    for route in all_patterns():
        for name in re.findall(r"<id:(\w+)>", route.route):
            for value in (PAST_64_BITS, "0"):
                url = url_for(route, values_for(route, world) | {name: value})
                for method in (client.get, client.post):
                    status = method(url).status_code
                    if status != 404:
                        problems.append(f"{method.__name__.upper()} {url}: {status}")
    assert not problems, "\n".join(problems)


def test_a_hostile_token_or_key_in_any_url_is_never_a_500(world):
    """Tokens, keys and slugs in a path: NUL (PostgreSQL refuses it in text), invalid UTF-8."""
    client = world.client_for("member", raise_request_exception=False)
    problems = []
    for route in all_patterns():
        if route.is_admin:
            continue
        for name in route.params:
            if f"<id:{name}>" in route.route:
                continue
            for value in ("%00", "a%00b", "%FF%FE", "%ED%A0%80", PAST_64_BITS, "a" * 200):
                url = url_for(route, values_for(route, world) | {name: "VALUE"})
                url = url.replace("VALUE", value)
                for method in (client.get, client.post):
                    status = method(url).status_code
                    if status >= 500:
                        problems.append(f"{method.__name__.upper()} {url}: {status}")
    assert not problems, "\n".join(problems)
