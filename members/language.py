"""Which language a person reads PeerTables in, and the one write that changes it.

A member's own choice (``User.language``) wins everywhere: every page once
they are signed in (members.middleware.UserLanguageMiddleware) and every
email sent to them, which is built inside ``in_language_of(recipient)``.
Blank means "the browser's": pages follow the switcher's cookie or
Accept-Language (Django's LocaleMiddleware) and emails the site's default.
Someone without an account (an invited friend) reads the inviter's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation

if TYPE_CHECKING:
    from members.models import User


def supported(code: str | None) -> str:
    """``code`` if it is one of settings.LANGUAGES (or a regional variant of one), else ""."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES, each named in its own language ("Deutsch"), so anyone finds theirs."""
    return [
        (code, translation.get_language_info(code)["name_local"]) for code, _ in settings.LANGUAGES
    ]


def language_of(user: User | None) -> str:
    """The language ``user``'s emails are written in: their choice, else the site's default."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def in_language_of(user: User | None) -> translation.override:
    """``with in_language_of(recipient):`` around an email's subject and bodies.

    Also a decorator, like ``translation.override``, which it is.
    """
    return translation.override(language_of(user))


def by_language(people: Iterable[User]) -> Iterator[tuple[translation.override, list[User]]]:
    """The people grouped by the language they read, each group with its ``override``.

    For one email to several people (a circle's hosts): one message per language.
    """
    groups: dict[str, list[User]] = {}
    for person in people:
        groups.setdefault(language_of(person), []).append(person)
    for language, group in groups.items():
        yield translation.override(language), group


def activate_chosen(user: User | None) -> None:
    """Read the rest of this request in ``user``'s language when they chose one: a page
    reached from their email without signing in (one-click RSVP, unsubscribe)."""
    language = supported(getattr(user, "language", ""))
    if language:
        translation.activate(language)


def active_language() -> str:
    """The language of this request or task, as one of settings.LANGUAGES."""
    return supported(translation.get_language()) or settings.LANGUAGE_CODE


@transaction.atomic
def language_set(*, user: User, language: str) -> None:
    """Save a person's language ("" for the browser's); unknown codes are refused."""
    if language and supported(language) != language:
        raise ValueError(f"Not one of settings.LANGUAGES: {language!r}")
    if user.language == language:
        return
    user.language = language
    # Each request loads the signed-in person's row afresh, so the next one
    # already reads in the new language.
    user.save(update_fields=["language"])
