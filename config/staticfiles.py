"""Production's static files storage: whitenoise's, with each file's URL found once per process.

Every page links the same few files (base.html: the icon, the stylesheet, the
scripts), and ``{% static %}`` asks the storage for each one's hashed name on every
page: about 20 µs a file, looked up in the manifest read at start-up, which a running
process never sees change (a deploy starts new processes). The URL is kept per name
for the process's life. A name that is not in the manifest still fails on every call
(nothing is kept before the answer), and at most ``KEPT`` names are kept: the names
come from templates, so that bound is never reached.
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

KEPT = 1000


class ProductionStaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # DEBUG links the unhashed files, from the finders
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = super().url(name)
            if len(self._urls) < KEPT:
                self._urls[name] = url
            return url
