"""What the members pages and services say (messages, refusals, the error pages) is in the
reader's language, like the rest of the page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from members.avatars import AVATAR_MAX_BYTES, validate_avatar
from members.models import Profile, User
from tests.factories import CircleFactory, MembershipFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_german_member_is_told_in_german_that_their_profile_is_saved(client):
    greta = UserFactory(language="de", display_name="Greta")
    client.force_login(greta)
    response = client.post(
        reverse("members:profile_edit"),
        {"display_name": "Greta Brandt", "time_zone": "Europe/Berlin", "language": "de"},
    )
    assert response.status_code == 302
    assert said(response) == ["Dein Profil ist gespeichert."]
    assert User.objects.get(pk=greta.pk).display_name == "Greta Brandt"


def test_a_german_member_is_refused_an_svg_avatar_in_german(client):
    greta = UserFactory(language="de")
    client.force_login(greta)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(
        reverse("members:profile_edit"),
        {
            "display_name": "Greta",
            "time_zone": "Europe/Berlin",
            "avatar": SimpleUploadedFile("me.png", svg, content_type="image/png"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "SVG-Bilder werden nicht angenommen." in page
    assert "Bitte korrigiere die markierten Felder" in page
    assert not Profile.objects.filter(user=greta).exclude(avatar="").exists()


def test_the_size_of_a_refused_picture_is_written_the_readers_way():
    too_big = SimpleUploadedFile("me.jpg", b"x" * (AVATAR_MAX_BYTES + 512 * 1024))
    for language, expected in [
        ("de", "Dieses Bild ist 2,5 MB groß; erlaubt sind 2 MB."),
        ("en", "That picture is 2.5 MB; the limit is 2 MB."),
    ]:
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                validate_avatar(too_big)
            assert refused.value.messages == [expected]


def test_a_spanish_sole_host_is_refused_deletion_in_spanish(client):
    circle, host = make_circle_with_host(name="Loop Product Circle")
    host.language = "es"
    host.save(update_fields=["language"])
    MembershipFactory(circle=circle, user=UserFactory())
    client.force_login(host)
    response = client.post(reverse("members:account_delete"), {"email": host.email})
    assert response.status_code == 200
    assert said(response) == [
        "Eres el único anfitrión de Loop Product Circle. Nombra a otro anfitrión "
        "(o archiva el círculo) antes de borrar tu cuenta."
    ]
    assert User.objects.filter(pk=host.pk).exists()


def test_a_german_members_goodbye_and_the_page_after_it_are_german(client):
    greta = UserFactory(language="de")
    client.force_login(greta)
    response = client.post(reverse("members:account_delete"), {"email": greta.email})
    assert response.status_code == 302
    assert not User.objects.filter(pk=greta.pk).exists()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    home = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    page = home.content.decode()
    assert '<html lang="de"' in page
    assert "Dein Konto und dein Profil sind gelöscht." in page


def test_a_german_member_reads_the_404_page_in_german(client):
    client.force_login(UserFactory(language="de"))
    response = client.get("/circles/no-such-circle/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Seite nicht gefunden</h1>" in page
    assert "Runde finden" in page


def test_a_spanish_member_reads_the_403_page_in_spanish(client):
    circle = CircleFactory()
    lucia = UserFactory(language="es")
    MembershipFactory(circle=circle, user=lucia)
    client.force_login(lucia)
    response = client.get(reverse("circles:edit", args=[circle.slug]))
    assert response.status_code == 403
    assert "<h1>No permitido</h1>" in response.content.decode()


def test_the_500_page_is_in_the_requests_language_and_reads_nothing(django_assert_num_queries):
    with translation.override("de"), django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="de">' in page
    assert "<h1>Etwas ist schiefgelaufen</h1>" in page
