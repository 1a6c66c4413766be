"""The directory's cards, written in Python from plain values (circles/directory_reads.py).

Twelve cards from the template that was ``includes/circle_card.html`` cost more
than the rest of the page together: the template resolved some thirty variables
a card, reversed its link, translated its labels and evaluated its topics'
queryset twice (docs/PERFORMANCE.md). ``cards_html`` writes the same HTML, byte
for byte, for the directory and the landing page (tests/circles/test_directory_cards.py
holds it to the old template, kept there as a reference): every value a person
typed is escaped, the labels are translated once a page, and the circle's link
is reversed once per process with a marker where the slug goes
(config/urlshapes.py).
"""

from __future__ import annotations

import datetime as dt
from html import escape  # django.utils.html.escape without its lazy-string wrapper
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from circles.models import Weekday
from config.dates import short_names
from config.text import render_plain
from config.urlshapes import SLUG_MARK, UrlShapes

if TYPE_CHECKING:
    from collections.abc import Iterable

    from circles.directory_reads import Card

PURPOSE_LENGTH = 200  # the template's ``plaintext:200``

# The old includes/circle_card.html, with its whitespace, as the include wrote it.
_CARD = (
    '\n<article class="card circle-card">\n'
    '  <h3 class="card-title"><a href="{url}">{name}</a></h3>\n'
    '  <p class="meta">\n'
    "    <span>{place}</span> ·\n"
    "    <span>{every}{fortnightly} {start} {zone}</span> ·\n"
    '    <span class="seats">{seats}</span>\n'
    "  </p>\n"
    "  {next}\n"
    "  <p>{purpose}</p>\n"
    "  {topics}\n"
    "</article>\n"
)
_NEXT = '\n    <p class="meta">{label} <time datetime="{iso}">{when} {zone}</time></p>\n  '
_TOPICS = '\n    <ul class="tags" aria-label="{label}">\n      {items}\n    </ul>\n  '
_TOPIC = '<li class="tag">{}</li>'

_URLS = UrlShapes(
    lambda slug: {"detail": reverse("circles:detail", kwargs={"slug": slug})}, slug=SLUG_MARK
)


class _Labels:
    """The card's words in the active language, each translated at most once a page."""

    def __init__(self) -> None:
        # {% translate %} escapes what it says; {% blocktranslate %} only its values.
        self.online = escape(gettext("Online"))
        self.fortnightly = " " + escape(gettext("(every other week)"))
        self.full = escape(gettext("Full"))
        self.next = escape(gettext("Next:"))
        self.topics = escape(gettext("Topics"))
        self._every: dict[int, str] = {}
        self._seats: dict[int, str] = {}
        self._weekdays, self._months = short_names()

    def when(self, moment: dt.datetime) -> str:
        """'Tue 8 Dec, 06:30': the template's ``date:"D j M, H:i"`` (config/dates.py's names)."""
        day, name = self._weekdays[moment.weekday()], self._months[moment.month]
        return f"{day} {moment.day} {name}, {moment.hour:02d}:{moment.minute:02d}"

    def every(self, weekday: int) -> str:
        """'Tuesdays': the weekday's name in a phrase of its own (the template's context)."""
        if weekday not in self._every:
            day = escape(str(Weekday(weekday).label))
            self._every[weekday] = pgettext("every week on this day", "%(day)ss") % {"day": day}
        return self._every[weekday]

    def seats(self, seats_open: int) -> str:
        if seats_open not in self._seats:
            if seats_open:
                text = ngettext("%(n)s seat open", "%(n)s seats open", seats_open)
                self._seats[seats_open] = text % {"n": seats_open}
            else:
                self._seats[seats_open] = self.full
        return self._seats[seats_open]


def cards_html(cards: Iterable[Card]) -> SafeString:
    """The cards of a directory page, one ``<article>`` each, in the active language."""
    labels = _Labels()
    detail = _URLS.shapes()["detail"]
    written = []
    for card in cards:
        next_local = card.next_local
        zone = escape(str(next_local.tzinfo))
        next_html = _NEXT.format(
            label=labels.next,
            iso=escape(next_local.isoformat()),
            when=escape(labels.when(next_local)),
            zone=zone,
        )
        topics = ""
        if card.topics:
            items = "".join(_TOPIC.format(escape(name)) for name in card.topics)
            topics = _TOPICS.format(label=labels.topics, items=items)
        written.append(
            _CARD.format(
                url=escape(detail.replace(SLUG_MARK, card.slug)),
                name=escape(card.name),
                place=labels.online if card.is_online else escape(card.city),
                every=labels.every(card.weekday),
                fortnightly=labels.fortnightly if card.fortnightly else "",
                start=f"{card.start_time.hour:02d}:{card.start_time.minute:02d}",
                zone=escape(card.time_zone),
                seats=labels.seats(card.seats_open),
                next=next_html,
                purpose=escape(render_plain(card.purpose, PURPOSE_LENGTH)),
                topics=topics,
            )
        )
    return mark_safe("".join(written))  # noqa: S308 - every value escaped above
