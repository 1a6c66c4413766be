"""Development email: print each message and keep a copy in var/mail.

The console shows a newcomer their confirmation link at once; the files in
var/mail keep every message (and its HTML part) to open later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class DevelopmentEmailBackend(ConsoleBackend):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        settings.MAIL_DIR.mkdir(parents=True, exist_ok=True)
        self._files = FileBackend(file_path=str(settings.MAIL_DIR), fail_silently=True)

    def send_messages(self, email_messages):
        self._files.send_messages(email_messages)
        return super().send_messages(email_messages)
