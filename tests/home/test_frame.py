"""The frame of every page, written in Python (home/templatetags/frame.py and the bell's
notifications.templatetags.bell.bell_html): the HTML the templates they replaced wrote
(kept here as header_reference.html and footer_reference.html), for every kind of
viewer, language and bell, with what a person typed escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from notifications.templatetags.bell import Bell, bell_html
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
HEADER = Template((HERE / "header_reference.html").read_text())
FOOTER = Template((HERE / "footer_reference.html").read_text())
WRITTEN = Template("{% load frame %}{% site_header %}|{% site_footer %}")
HOSTILE = "<b>Ana</b> & \"Bo\" 'Cy'"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _same(html: str) -> str:
    """Whitespace between tags does not show; each render masks the CSRF token anew."""
    html = TOKEN.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)
    return re.sub(r">\s+<", "><", html).strip()


def _request(path: str, user) -> object:
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path.split("?")[0])
    return request


def _both(request, **extra) -> tuple[str, str, str, str]:
    written = WRITTEN.render(RequestContext(request, extra))
    header, footer = written.split("|")
    return (
        _same(header),
        _same(HEADER.render(RequestContext(request, extra))),
        _same(footer),
        _same(FOOTER.render(RequestContext(request, extra))),
    )


@pytest.mark.parametrize("language", ["en", "de", "es"])
@pytest.mark.parametrize("viewer", ["signed out", "member", "staff"])
@pytest.mark.parametrize("path", ["/circles/", "/?q=%22%3E%3Cx%3E&page=2"])
@pytest.mark.parametrize("unread", [0, 3, 150])
def test_the_frame_is_the_html_its_templates_wrote(language, viewer, path, unread):
    if viewer == "signed out":
        user = AnonymousUser()
    else:
        user = UserFactory(display_name=HOSTILE, is_staff=viewer == "staff")
    request = _request(path, user)
    with translation.override(language):
        header, header_reference, footer, footer_reference = _both(
            request, bell=Bell(unread=unread, poll_seconds=30)
        )
    assert header == header_reference
    assert footer == footer_reference
    assert "<b>" not in header
    assert ('aria-current="page"' in header) == (path == "/circles/")


def test_the_bell_link_is_the_html_its_partial_wrote():
    request = _request("/", UserFactory())
    for unread, oob in [(0, False), (7, True), (100, False)]:
        bell = Bell(unread=unread, poll_seconds=45)
        reference = HEADER.render(RequestContext(request, {"bell": bell, "bell_oob": oob}))
        link = re.search(r'<a id="bell".*?</a>', reference, re.S).group()
        assert str(bell_html(bell, oob=oob)) == link


def test_pages_carry_the_frame_with_a_working_sign_out_and_language_switch(client):
    person = UserFactory(display_name="Ana")
    client.force_login(person)
    html = client.get(reverse("circles:directory")).content.decode()
    assert '<header class="site-header">' in html and '<footer class="site-footer">' in html
    assert ">Ana</a>" in html and 'id="bell"' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert token and html.count(f'value="{token}"') >= 2  # the page's one token in both forms
    client.post(reverse("set_language"), {"language": "de", "next": "/circles/"})
    assert "Abmelden" in client.get(reverse("circles:directory")).content.decode()
    client.post(reverse("account_logout"))
    assert 'id="bell"' not in client.get(reverse("circles:directory")).content.decode()
