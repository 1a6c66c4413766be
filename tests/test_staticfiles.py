"""Production's static files storage (config/staticfiles.py): the manifest's URLs, found once."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.staticfiles import ProductionStaticStorage

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.ProductionStaticStorage"},
}


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = PRODUCTION_STORAGES
    settings.DEBUG = False
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings


def test_a_files_url_is_the_manifests_hashed_one_and_is_kept(collected):
    storage = ProductionStaticStorage()
    url = storage.url("css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url)
    assert url == CompressedManifestStaticFilesStorage().url("css/app.css")
    storage.hashed_files.clear()  # the manifest is not read again for a name it gave
    assert storage.url("css/app.css") == url
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("js/times.js")  # never asked before: looked up, and now missing


def test_a_name_missing_from_the_manifest_fails_every_time(collected):
    storage = ProductionStaticStorage()
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/not-deployed.css")


def test_with_debug_on_the_unhashed_file_is_linked(collected):
    storage = ProductionStaticStorage()
    hashed = storage.url("css/app.css")
    collected.DEBUG = True
    assert storage.url("css/app.css") == "/static/css/app.css"
    collected.DEBUG = False
    assert storage.url("css/app.css") == hashed
