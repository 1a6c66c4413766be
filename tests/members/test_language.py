"""Pages in the reader's language: a member's own choice, else the switcher's cookie, else
the browser's Accept-Language; a switcher in every footer that works without JavaScript."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from members.models import User
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db

HOME = reverse("home")
SWITCH = reverse("set_language")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page(client, url=HOME, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_gets_the_language_their_browser_asks_for(client):
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    html = response.content.decode()
    assert response["Content-Language"] == "de"
    assert "Accept-Language" in response["Vary"]
    assert '<html lang="de"' in html
    assert "Bring Leute an einen Tisch." in html and "Runde finden" in html
    assert "Gather a table." not in html


def test_each_language_gets_its_own_copy_of_a_kept_page(client):
    """Signed-out pages are kept in the cache (config/pagecache.py): per language."""
    assert "Gather a table." in page(client, HTTP_ACCEPT_LANGUAGE="en")
    assert "Bring Leute an einen Tisch." in page(client, HTTP_ACCEPT_LANGUAGE="de")
    assert "Reúne una mesa." in page(client, HTTP_ACCEPT_LANGUAGE="es")
    assert "Gather a table." in page(client, HTTP_ACCEPT_LANGUAGE="en")


def test_an_unknown_language_falls_back_to_english(client):
    html = page(client, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert '<html lang="en"' in html and "Gather a table." in html


def test_the_switcher_is_a_plain_form_in_every_footer(client):
    html = page(client, HTTP_ACCEPT_LANGUAGE="en")
    footer = html[html.index("<footer") :]
    assert f'<form method="post" action="{SWITCH}"' in footer
    assert 'name="csrfmiddlewaretoken"' in footer
    assert 'name="next" value="/"' in footer
    for code, name in (("de", "Deutsch"), ("es", "español")):
        assert f'name="language" value="{code}" lang="{code}"' in footer and name in footer


def test_a_visitor_switches_without_javascript(client):
    client.get(HOME)  # the CSRF cookie, as a browser would have it from the form's page
    response = client.post(
        SWITCH, {"language": "es", "next": "/circles/"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 302 and response["Location"] == "/circles/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    # The cookie beats the browser's Accept-Language from then on.
    assert "Reúne una mesa." in page(client, HTTP_ACCEPT_LANGUAGE="de")


def test_the_switcher_checks_csrf_and_refuses_other_languages(client):
    strict = client.__class__(enforce_csrf_checks=True)
    assert strict.post(SWITCH, {"language": "de", "next": "/"}).status_code == 403
    response = client.post(SWITCH, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert client.get(SWITCH).status_code == 405


def test_a_members_switch_is_saved_and_follows_them_everywhere(client):
    person = UserFactory(language="")
    client.force_login(person)
    client.post(SWITCH, {"language": "de", "next": "/"})
    person.refresh_from_db()
    assert person.language == "de"
    # Another device, another browser language: their choice still wins.
    other = client.__class__()
    other.force_login(person)
    html = page(other, HTTP_ACCEPT_LANGUAGE="es")
    assert "Bring Leute an einen Tisch." in html and "Abmelden" in html


def test_a_members_own_language_beats_the_browser_and_the_cookie(client):
    client.force_login(UserFactory(language="es"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "es"
    assert "Cerrar sesión" in response.content.decode()


def test_a_member_without_a_language_follows_their_browser(client):
    client.force_login(UserFactory(language=""))
    assert "Abmelden" in page(client, HTTP_ACCEPT_LANGUAGE="de")
    assert "Sign out" in page(client, HTTP_ACCEPT_LANGUAGE="en")


def test_a_german_members_circle_page_is_in_german(client):
    """The header, footer and the circle page's own words are German, whatever the browser asks."""
    circle, _host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    greta = UserFactory(display_name="Greta", language="de")
    MembershipFactory(circle=circle, user=greta)
    client.force_login(greta)
    url = reverse("circles:detail", args=[circle.slug])
    for _ in range(2):  # both German, each rendered for the request
        html = page(client, url, HTTP_ACCEPT_LANGUAGE="en")
        assert '<html lang="de"' in html
        assert "Runde finden" in html and "Abmelden" in html and "Sprache:" in html
        assert "Find a circle" not in html and "Sign out" not in html
        assert "<dt>Wo</dt>" in html and "<dt>Plätze</dt>" in html and "<dt>Gastgeber</dt>" in html
        assert "Hosted by" not in html


def test_switching_language_renders_the_page_anew(client):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    client.force_login(host)
    url = reverse("circles:detail", args=[circle.slug])
    assert "Find a circle" in page(client, url)
    assert "Find a circle" in page(client, url)
    client.post(SWITCH, {"language": "de", "next": url})
    html = page(client, url)
    assert "Runde finden" in html and "Find a circle" not in html


def test_the_profile_form_offers_and_saves_the_language(client):
    person = UserFactory(language="")
    client.force_login(person)
    html = page(client, reverse("members:profile_edit"))
    assert '<select name="language"' in html
    assert '<option value="de">Deutsch</option>' in html
    response = client.post(
        reverse("members:profile_edit"),
        {"display_name": person.display_name, "time_zone": person.time_zone, "language": "es"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "es"
    assert "Editar tu perfil" in page(client, reverse("members:profile_edit"))
    response = client.post(
        reverse("members:profile_edit"),
        {"display_name": person.display_name, "time_zone": person.time_zone, "language": "xx"},
    )
    assert response.status_code == 200  # a clear form error, not a 500
    person.refresh_from_db()
    assert person.language == "es"


def test_sign_up_keeps_the_language_the_person_signed_up_in(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "lucia@example.com",
            "display_name": "Lucía",
            "password1": "a quiet table by the window",
            "password2": "a quiet table by the window",
        },
        HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9",
    )
    assert User.objects.get(email="lucia@example.com").language == "es"


def test_a_language_outside_the_list_is_refused_by_the_database():
    from django.db import IntegrityError, transaction

    person = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=person.pk).update(language="fr")
