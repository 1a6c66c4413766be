"""Hostile input for every URL: the values, how they are sent, and which names each URL reads.

Nothing here is listed by hand. The targets are every URL pattern of the
resolver (tests/security/urlwalk.py), each as the first person the URL walk's
table lets in (a member, else a host, staff, a visitor, an outsider); a form's
ordinary values are read from the page that shows it; and the names a URL
reads are learnt by asking it once while every read of a ``QueryDict`` is
recorded, so a field the page does not show (no topics, no started meeting)
and a parameter a view reads by hand (``?after=``, ``?a=``, ``next``) are found.

Every request runs inside a savepoint that is rolled back, so each starts
from the same world whatever the one before it did (deleted an account,
left the circle), and a database error on PostgreSQL cannot poison the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import parse_qsl, quote_plus, urlsplit

from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from hypothesis import strategies as st

from tests.security.conftest import ROLES
from tests.security.test_url_walk import EXPECTED
from tests.security.urlwalk import all_patterns, url_for, values_for

# One value of a parameter: text (sent as UTF-8, lone surrogates and all, which
# makes invalid UTF-8), raw bytes, or a list of them (the parameter repeated).
Value = str | bytes | list[str | bytes]

# A real person's answers (never a 500): a page, a page of errors, a redirect, or
# a refusal that says why (400 bad input, 403 not allowed, 404 gone, 405 wrong
# method, 409 conflict, 410 expired, 422, 429 slow down, 286 htmx's "stop polling").
ACCEPTABLE = {200, 204, 286, 302, 303, 400, 403, 404, 405, 409, 410, 422, 429}

PAST_64_BITS = str(2**63)
MISSING_ID = "987654"

# Each is sent in every name a URL reads at once; the first three also in each name
# alone, with the form's ordinary values in the others, so the view gets past the
# form with it (an id that only the query after the form chokes on).
NASTY: dict[str, Value] = {
    "an id one past 64 bits": PAST_64_BITS,
    "an id that names no row": MISSING_ID,
    "a digit int() refuses": "²",
    "a NUL byte": "1\x00",
    "a huge number": "9" * 40,
    "a huge negative number": "-" + "9" * 25,
    "minus one": "-1",
    "Arabic-Indic digits": "١٢",
    "not a number": "abc",
    "invalid UTF-8": b"\xff\xfe1",
    "a lone surrogate": "\ud800",
    "the name repeated": ["1", PAST_64_BITS, "\x00"],
}
ALONE = list(NASTY)[:3]

SPECIAL = [
    "",
    " ",
    "0",
    "1e309",
    "a" * 20_000,
    "\x00",
    "abc\x00def",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r\nX-Injected: 1",
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
    "NaN",
    "Infinity",
    "1.0",
    " 7 ",
    "+7",
    "0x10",
]


def hostile_values(world) -> st.SearchStrategy[Value]:
    """What hypothesis draws for one parameter: weighted towards what breaks ids."""
    ids = [str(pk) for pk in world.foreign_ids]
    one = st.one_of(
        st.sampled_from([v for v in NASTY.values() if not isinstance(v, list)]),
        st.sampled_from(SPECIAL + ids),
        st.integers().map(str),
        st.integers(min_value=2**63 - 3, max_value=2**70).map(str),
        st.integers(max_value=-(2**63) + 3).map(str),
        st.text(max_size=60),
        st.text(st.characters(codec=None, categories=["Cs", "Cc", "Nd", "No"]), max_size=8),
        st.binary(max_size=12),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
    )
    return st.one_of(one, st.lists(one, min_size=0, max_size=3))


def encode(pairs: Mapping[str, Value | list[str]]) -> str:
    """A form body or query string, percent-encoded; invalid UTF-8 stays invalid."""
    parts = []
    for name, value in pairs.items():
        for one in value if isinstance(value, list) else [value]:
            raw = one if isinstance(one, bytes) else one.encode("utf-8", "surrogatepass")
            parts.append(f"{quote_plus(name)}={quote_plus(raw)}")
    return "&".join(parts)


@contextmanager
def names_read() -> Iterator[set[str]]:
    """Every name read from any QueryDict (request.GET, request.POST) inside the block."""
    names: set[str] = set()

    def recording(method):
        def read(self, key, *args, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return method(self, key, *args, **kwargs)

        return read

    with ExitStack() as stack:
        for attr in ("get", "getlist", "__getitem__", "__contains__"):
            original = getattr(QueryDict, attr)
            stack.enter_context(mock.patch.object(QueryDict, attr, recording(original)))
        yield names


class FormParser(HTMLParser):
    """A page's forms (method, action, the values a person sends untouched) and its links."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[tuple[str, str, list[tuple[str, str]], set[str]]] = []
        self.links: list[str] = []
        self.values: list[tuple[str, str]] | None = None
        self.names: set[str] = set()
        self.textarea: str | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attr in ("href", "hx-get", "action"):
            if attrs.get(attr) and "?" in attrs[attr]:
                self.links.append(attrs[attr])
        if tag == "form":
            self.values, self.names = [], set()
            method = (attrs.get("method") or "get").lower()
            self.forms.append((method, attrs.get("action") or self.page, self.values, self.names))
        elif self.values is None:
            return
        elif tag == "option":
            self._option(attrs)
        elif attrs.get("name") and attrs["name"] != "csrfmiddlewaretoken":
            self._field(tag, attrs["name"], attrs)

    def _field(self, tag: str, name: str, attrs: dict) -> None:
        assert self.values is not None
        self.names.add(name)
        kind = (attrs.get("type") or "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.values.append((name, attrs.get("value") or "on"))
        elif tag == "input" and kind not in ("submit", "button", "image", "file", "reset"):
            self.values.append((name, attrs.get("value") or ""))
        elif tag == "textarea":
            self.textarea = name
            self.values.append((name, ""))
        elif tag == "select":
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "button" and attrs.get("value") is not None and name not in dict(self.values):
            # The first button is what a plain submit sends (attended=1, answer=going).
            self.values.append((name, attrs["value"]))

    def _option(self, attrs: dict) -> None:
        """A select sends its chosen option, else its first with a value."""
        value = attrs.get("value")
        if value is None or self.select is None or self.values is None:
            return
        if "selected" in attrs:
            self.values.append((self.select, value))
            self.select_chosen = True
        elif self.select_first is None and value != "":
            self.select_first = value

    def handle_data(self, data):
        if self.values is not None and self.textarea is not None:
            self.values[-1] = (self.textarea, self.values[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.values is not None and self.select is not None:
            if not self.select_chosen and self.select_first is not None:
                self.values.append((self.select, self.select_first))
            self.select = None
        elif tag == "form":
            self.values = None


@dataclass(frozen=True)
class Target:
    """One URL as one person: what a form there sends untouched, and every name it reads."""

    role: str
    method: str
    path: str
    baseline: tuple[tuple[str, str], ...]
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.role} {self.method} {self.path}"


def client_for(world, role: str):
    """A client signed in as ``role`` that answers a view's exception with its 500 page."""
    return world.client_for(role, raise_request_exception=False)


def send(client, target: Target, overrides: Mapping[str, Value], *, htmx: bool = False):
    """The request, in a savepoint that is rolled back; its response."""
    data: dict[str, Value | list[str]] = {}
    for name, value in target.baseline:
        data.setdefault(name, []).append(value)  # type: ignore[union-attr]
    data.update(overrides)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with transaction.atomic():
        if target.method == "GET":
            response = client.get(f"{target.path}?{encode(data)}", **headers)
        else:
            # What a view reads by hand may come from the query string (next=...).
            query = encode(overrides)
            response = client.post(
                f"{target.path}?{query}" if query else target.path,
                data=encode(data).encode("ascii"),
                content_type="application/x-www-form-urlencoded",
                **headers,
            )
        transaction.set_rollback(True)
    return response


def _pages(world) -> list[tuple[str, tuple]]:
    """Every non-admin page the URL walk expects, with its answer per role; and the extras."""
    pages = []
    for route in all_patterns():
        if not route.is_admin and route.key in EXPECTED:
            pages.append((url_for(route, values_for(route, world)), EXPECTED[route.key]))
    # The walk's one value per parameter does not reach a started meeting (attendance).
    pages.append((world.started_meeting.get_absolute_url(), (None, None, 200, 200, 200)))
    return pages


# Who asks first: the person most likely to get past the access check.
PREFERENCE = ("member", "host", "staff", "anon", "outsider")


def _by_preference(roles):
    return sorted(set(roles), key=PREFERENCE.index)


def targets(world) -> list[Target]:
    """Every URL that reads a parameter, as the first person it reads one for.

    Each page is opened as everyone it answers (the walk's table), noting the
    forms on it, the names its links and GET forms carry, and the names the
    view read; each form's action, and each POST-only URL, is then posted once
    with the form's ordinary values to learn what it reads. A URL that reads
    nothing has nothing to fuzz but its path (tests/security/test_bad_input.py).
    """
    forms: dict[str, list[tuple[str, str]]] = {}
    get_reads: dict[str, set[str]] = {}
    get_roles: dict[str, set[str]] = {}
    post_roles: dict[str, set[str]] = {}
    for page, expected in _pages(world):
        for role, answer in zip(ROLES, expected, strict=True):
            if answer == 405:
                post_roles.setdefault(page, set()).add(role)
            if answer != 200:
                continue
            get_roles.setdefault(page, set()).add(role)
            with names_read() as names:
                response = world.client_for(role).get(page)
            get_reads.setdefault(page, set()).update(names)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser(page)
            parser.feed(response.content.decode())
            for method, action, values, field_names in parser.forms:
                path = urlsplit(action).path or page
                if method == "post":
                    forms.setdefault(path, values)
                    post_roles.setdefault(path, set()).add(role)
                else:
                    get_reads.setdefault(path, set()).update(field_names)
            for link in parser.links:
                split = urlsplit(link)
                keys = {key for key, _ in parse_qsl(split.query, keep_blank_values=True)}
                get_reads.setdefault(split.path or page, set()).update(keys)

    found = []
    for path, names in get_reads.items():
        if path not in get_roles:
            continue  # a link to a page the walk does not open (its own entry covers it)
        role = _by_preference(get_roles[path])[0]
        # A bound form reads its fields only when one is sent, so send them all once.
        probe = Target(role, "GET", path, (), ())
        with names_read() as more:
            send(client_for(world, role), probe, dict.fromkeys(names, "1"))
        if names | more:
            found.append(Target(role, "GET", path, (), tuple(sorted(names | more))))
    for path, roles in post_roles.items():
        baseline = tuple(forms.get(path, ()))
        for role in _by_preference(roles):
            probe = Target(role, "POST", path, baseline, ())
            with names_read() as names:
                send(client_for(world, role), probe, {})
            if names:  # read, so past the access check
                names |= {name for name, _ in baseline}
                found.append(Target(role, "POST", path, baseline, tuple(sorted(names))))
                break
    cache.clear()
    return sorted(found, key=lambda t: (t.method, t.path))
