"""Every form answers hostile input with a page of errors or a redirect, never a 500.

The forms are not listed by hand: every page of the project (every URL
pattern, as each kind of person who may open it) is read, and every
<form method="post"> on it is fuzzed with hypothesis: long strings, unicode,
NUL and control characters, numbers where text goes and text where numbers
go, huge and negative numbers, several values for one field, empty values,
sent as plain form posts and as htmx requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import ROLES
from tests.security.test_url_walk import EXPECTED
from tests.security.urlwalk import all_patterns, url_for, values_for

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = 15
# A real person's answers (never a 500): the page with errors, a redirect, or a
# refusal that says why (400 bad link, 403 not allowed, 404 gone, 409 conflict, 429 slow down).
ACCEPTABLE = {200, 204, 302, 303, 400, 403, 404, 405, 409, 410, 422, 429}
# Forms that end the session or the account run last, so the others run signed in.
LAST = ("logout", "/delete/", "/leave/", "/archive/", "/transfer/", "/remove/")

SPECIAL = [
    "",
    " ",
    "\x00",
    "abc\x00def",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r\nX-Injected: 1",
    "a" * 20_000,
    "9" * 40,
    "-1",
    "0",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "2026-02-30",
    "25:61",
    "9999-12-31T23:59",
    "Mars/Olympus_Mons",
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202egnp.exe",
    "\ud7ff\ue000\uffff",
    "𝕏" * 300,
    "ｆｕｌｌｗｉｄｔｈ",
    "true",
    "[]",
    '{"a": 1}',
]
hostile = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=200),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
field_value = st.one_of(hostile, st.lists(hostile, min_size=0, max_size=3))


@dataclass(frozen=True)
class Form:
    role: str
    page: str
    action: str
    fields: tuple[str, ...]


class FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[tuple[str, list[str]]] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.current = []
            self.forms.append((attrs.get("action") or self.page, self.current))
        elif tag in ("input", "select", "textarea", "button") and self.current is not None:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken" and name not in self.current:
                self.current.append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def discover_forms(world) -> list[Form]:
    forms: dict[tuple, Form] = {}
    for route in all_patterns():
        if route.is_admin or route.key not in EXPECTED:
            continue
        page = url_for(route, values_for(route, world))
        for role, expected in zip(ROLES, EXPECTED[route.key], strict=True):
            if expected != 200:
                continue
            response = world.client_for(role).get(page)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser(page)
            parser.feed(response.content.decode())
            for action, fields in parser.forms:
                action = urlsplit(action).path or page
                key = (role, action, tuple(sorted(fields)))
                forms.setdefault(key, Form(role, page, action, tuple(fields)))
    return sorted(forms.values(), key=lambda f: (any(m in f.action for m in LAST), f.action))


def test_the_fuzzer_finds_the_forms_people_use(world):
    actions = {form.action for form in discover_forms(world)}
    slug = world.circle.slug
    for expected in (
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/circles/new/",
        f"/circles/{slug}/edit/",
        f"/circles/{slug}/posts/new/",
        f"/circles/{slug}/posts/{world.post.pk}/replies/new/",
        f"/circles/{slug}/meetings/{world.meeting.pk}/rsvp/",
        f"/circles/{slug}/meetings/{world.meeting.pk}/topics/",
        "/members/me/edit/",
        "/settings/notifications/",
    ):
        assert expected in actions, f"{expected} not found among {sorted(actions)}"


def fuzz(form: Form, client, problems: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.fixed_dictionaries(dict.fromkeys(form.fields, field_value)), htmx=st.booleans())
    def post_hostile(data, htmx):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.post(form.action, data, **headers)
        if response.status_code not in ACCEPTABLE:
            problems.append(
                f"{form.role} POST {form.action} -> {response.status_code} with {data!r:.300}"
            )

    post_hostile()


def test_every_form_survives_hostile_input(world):
    problems: list[str] = []
    forms = discover_forms(world)
    for form in forms:
        fuzz(form, world.client_for(form.role, raise_request_exception=False), problems)
    print(f"fuzzed {len(forms)} forms")  # noqa: T201
    assert not problems, "\n".join(problems[:30])


def test_an_id_past_64_bits_is_a_wrong_choice_not_a_500(world):
    """Found by the fuzzer: SQLite cannot bind such an integer, so Django's pk__in raised."""
    client = world.client_for("member", raise_request_exception=False)
    huge = "9" * 40
    resolve = client.post(
        f"/circles/{world.circle.slug}/posts/{world.post.pk}/resolve/", {"replies": huge}
    )
    edit = world.client_for("host", raise_request_exception=False).post(
        f"/circles/{world.circle.slug}/edit/", {"topics": [huge, "-" + huge]}
    )
    for response in (resolve, edit):
        assert response.status_code == 200
        assert "is not one of the available choices" in response.content.decode() or (
            "Choose replies from this thread." in response.content.decode()
        )
