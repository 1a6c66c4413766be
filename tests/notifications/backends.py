"""A test mail backend that refuses some recipients, or 'kills the worker' at a chosen moment."""

from __future__ import annotations

import smtplib
from typing import ClassVar

from django.core.mail.backends import locmem


class WorkerKilled(BaseException):  # noqa: N818 - it models a signal, not an error
    """Stands for SIGKILL: nothing after it runs in this worker (it is not an Exception)."""


class FlakyBackend(locmem.EmailBackend):
    refuse: ClassVar[set[str]] = set()  # the server answers 4xx for these
    kill_before: ClassVar[set[str]] = set()  # the worker dies before the server has it
    kill_after: ClassVar[set[str]] = set()  # ... or right after the server accepted it

    @classmethod
    def reset(cls) -> None:
        cls.refuse, cls.kill_before, cls.kill_after = set(), set(), set()

    def send_messages(self, messages):
        for message in messages:
            to = set(message.to)
            if to & self.refuse:
                raise smtplib.SMTPServerDisconnected("421 4.3.0 try again later")
            if to & self.kill_before:
                self.kill_before -= to
                raise WorkerKilled
        sent = super().send_messages(messages)
        for message in messages:
            if set(message.to) & self.kill_after:
                self.kill_after -= set(message.to)
                raise WorkerKilled
        return sent
