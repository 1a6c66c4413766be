"""Avatars: checked by what the bytes are, size-limited, re-encoded; initials otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members.avatars import AVATAR_MAX_BYTES
from members.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture(fmt: str = "PNG", size=(800, 600), name: str = "me.png", exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCameraMaker"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(client, content: bytes, name: str, content_type: str = "image/png"):
    return client.post(
        reverse("members:profile_edit"),
        {
            "display_name": "Ana Ruiz",
            "time_zone": "America/Chicago",
            "avatar": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


@pytest.fixture
def ana(client):
    user = UserFactory(display_name="Ana Ruiz")
    client.force_login(user)
    return user


def test_a_png_is_accepted_and_re_encoded_small(client, ana):
    response = upload(client, picture("PNG", (1200, 900)), "me.png")
    assert response.status_code == 302
    profile = Profile.objects.get(user=ana)
    assert profile.avatar.name.startswith("avatars/") and profile.avatar.name.endswith(".jpg")
    with Image.open(profile.avatar.path) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 400
    html = client.get(reverse("members:profile", args=[ana.pk])).content.decode()
    assert profile.avatar.url in html


def test_exif_metadata_is_dropped(client, ana):
    upload(client, picture("JPEG", exif=True), "me.jpg", "image/jpeg")
    profile = Profile.objects.get(user=ana)
    with open(profile.avatar.path, "rb") as stored:
        assert b"SecretCameraMaker" not in stored.read()


def test_svg_is_refused_even_when_it_claims_to_be_a_png(client, ana):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = upload(client, svg, "me.png", "image/png")
    assert response.status_code == 200
    assert "SVG pictures are not accepted" in response.content.decode()
    assert not Profile.objects.filter(user=ana).exclude(avatar="").exists()


def test_a_file_that_is_not_a_picture_is_refused(client, ana):
    response = upload(client, b"%PDF-1.4 not a picture", "me.jpg", "image/jpeg")
    assert response.status_code == 200
    assert "not a picture we can read" in response.content.decode()


def test_other_image_formats_are_refused(client, ana):
    response = upload(client, picture("BMP"), "me.bmp", "image/bmp")
    assert response.status_code == 200
    assert "BMP pictures are not accepted" in response.content.decode()


def test_a_picture_over_the_size_limit_is_refused(client, ana):
    big = picture("PNG") + b"\0" * (AVATAR_MAX_BYTES + 1)
    response = upload(client, big, "big.png")
    assert response.status_code == 200
    assert "the limit is 2 MB" in response.content.decode()


def test_without_a_picture_people_see_initials(client, ana):
    html = client.get(reverse("members:profile", args=[ana.pk])).content.decode()
    assert ">AR<" in html
    assert '<img class="avatar' not in html


def test_removing_the_picture_goes_back_to_initials(
    client, ana, django_capture_on_commit_callbacks
):
    upload(client, picture(), "me.png")
    path = Path(Profile.objects.get(user=ana).avatar.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("members:profile_edit"),
            {"display_name": "Ana Ruiz", "time_zone": "America/Chicago", "remove_avatar": "on"},
        )
    assert not Profile.objects.get(user=ana).avatar
    assert not path.exists(), "the old file is deleted once the change commits"
    assert ">AR<" in client.get(reverse("members:me"), follow=True).content.decode()
