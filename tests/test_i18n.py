"""The German and Spanish catalogs: complete for every string the code marks, placeholders and
markup intact, and the committed .mo files compiled from the committed .po files.

``make messages`` regenerates the catalogs; these tests fail (and list the strings) when a
marked string is new, changed or untranslated, or when a catalog was edited and not compiled.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# What `make messages` does not read (Makefile, I18N_IGNORE); everything else at the top
# of the project is searched, so a new app is covered without touching this test.
NOT_SOURCE = {"var", "static", "staticfiles", "tests", "bench", "deploy", "locale", "docs"}

PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{[^{}]*\}")
TAG = re.compile(r"</?([a-zA-Z]+)")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __str__(self) -> str:
        return (f"[{self.msgctxt}] " if self.msgctxt else "") + repr(self.msgid)


def _unquote(text: str) -> str:
    text = text.strip()
    assert text[0] == '"' and text[-1] == '"', text
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m[1]], text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ones, ``#~``, are left out), header first."""
    entries: list[Entry] = []
    entry, last = Entry(), ""
    started = False
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if started:
                entries.append(entry)
            entry, last, started = Entry(), "", False
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, value = line.partition(" ")
        if line.startswith('"'):
            keyword, value = last, line
        started = True
        text = _unquote(value)
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        elif keyword == "msgid":
            entry.msgid += text
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif keyword == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        else:
            raise ValueError(f"{path}: cannot read {raw!r}")
        last = keyword
    return entries


def problems_in(entries: list[Entry]) -> list[str]:
    """Untranslated, fuzzy, or with placeholders or markup that differ from the English."""
    found = []
    for entry in entries[1:]:  # the first is the header
        forms = [entry.msgstr.get(i, "") for i in range(max(len(entry.msgstr), 1))]
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry}")
        elif not all(forms):
            found.append(f"untranslated: {entry}")
            continue
        english = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in english))
        required = set.intersection(*(set(PLACEHOLDER.findall(text)) for text in english))
        for form in forms:
            used = set(PLACEHOLDER.findall(form))
            if not (required <= used <= wanted):
                found.append(f"placeholders {sorted(used)} for {sorted(wanted)}: {entry}")
            if Counter(TAG.findall(form)) != Counter(TAG.findall(entry.msgid)):
                found.append(f"markup differs: {entry}")
    return found


@pytest.mark.parametrize("language", LOCALES)
def test_the_committed_catalog_is_complete(language):
    entries = read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    assert "Language: " + language in entries[0].msgstr[0]
    assert "fuzzy" not in entries[0].flags, "a fuzzy header is left out by msgfmt"
    assert problems_in(entries) == []


@pytest.mark.parametrize("language", LOCALES)
def test_the_compiled_catalog_is_the_committed_po(language):
    """The .mo Django reads says what the .po says: `make compilemessages` was run."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in read_po(folder / "django.po")[1:]:
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural is None:
            expected[msgid] = entry.msgstr[0]
        else:
            expected.update({(msgid, i): text for i, text in entry.msgstr.items()})
    catalog.pop("", None)
    assert catalog == expected, "stale .mo files: run `make compilemessages` and commit them"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """What `make messages` would make of the committed catalogs and today's code.

    makemessages runs in a folder of symlinks to the project's sources, with a copy of
    the catalogs, so the project's own files are never touched.
    """
    base = Path(settings.BASE_DIR)
    work = tmp_path_factory.mktemp("makemessages")
    for child in base.iterdir():
        if child.is_dir() and not child.name.startswith(".") and child.name not in NOT_SOURCE:
            (work / child.name).symlink_to(child, target_is_directory=True)
    shutil.copytree(LOCALE_DIR, work / "locale")
    previous = Path.cwd()
    os.chdir(work)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "LOCALE_PATHS", [work / "locale"])
            call_command(
                "makemessages",
                locale=LOCALES,
                symlinks=True,
                add_location="file",
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        os.chdir(previous)
    return work / "locale"


@pytest.mark.parametrize("language", LOCALES)
def test_every_marked_string_is_translated(regenerated, language):
    """A new or changed string in a template, form, model, email… fails here until
    `make messages` has put it in the catalogs and it is translated."""
    fresh = read_po(regenerated / language / "LC_MESSAGES" / "django.po")
    committed = read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    assert problems_in(fresh) == []
    stale = {entry.key for entry in committed[1:]} - {entry.key for entry in fresh[1:]}
    assert stale == set(), "strings no longer in the code: run `make messages`"


def test_the_checks_find_what_they_are_for():
    """The checks above, on a made-up catalog with one of each mistake."""
    entries = [
        Entry(msgstr={0: "Language: de\n"}),
        Entry(msgid="Hello %(name)s,", msgstr={0: ""}),
        Entry(msgid="Save", msgstr={0: "Speichern"}, flags={"fuzzy"}),
        Entry(msgid="%(circle)s meets soon", msgstr={0: "%(kreis)s trifft sich bald"}),
        Entry(msgid='<a href="%(url)s">Open</a>', msgstr={0: "Öffnen: %(url)s"}),
        Entry(
            msgid="%(count)s seat left",
            msgid_plural="%(count)s seats left",
            msgstr={0: "ein Platz frei", 1: ""},
        ),
        Entry(msgid="%(a)s and %(b)s", msgstr={0: "%(b)s und %(a)s"}),
    ]
    found = problems_in(entries)
    assert [problem.split(":")[0] for problem in found] == [
        "untranslated",
        "fuzzy",
        "placeholders ['%(kreis)s'] for ['%(circle)s']",
        "markup differs",
        "untranslated",
    ]
