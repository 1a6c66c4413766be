"""The directory's and the landing page's cards, written in Python (circles/directory_cards.py)
from plain values (circles/directory_reads.py): what a person typed is escaped, and a card
is the HTML the template they replaced wrote (kept as circle_card_reference.html here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from circles import directory_cards, directory_reads
from circles.forms import DirectoryFilterForm
from circles.models import Circle, Frequency
from meetings.horizon import meetings_materialize
from meetings.models import Meeting
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("circles:directory")
HOSTILE = "<script>alert('x')</script> & \"friends\""


def cards(zone: str | None = None) -> list[directory_reads.Card]:
    page = directory_reads.cards_page(
        DirectoryFilterForm(None), filtered=False, number=None, zone=zone and ZoneInfo(zone)
    )
    return list(page.object_list)


def test_what_people_typed_is_escaped_on_the_card(client):
    topic = TopicFactory(name=f"Topic {HOSTILE}", slug="hostile")
    circle = CircleFactory(name=f"Name {HOSTILE}", city=f"City {HOSTILE}", purpose=HOSTILE)
    circle.topics.add(topic)
    client.force_login(UserFactory())
    html = client.get(URL).content.decode()
    card = html[html.index('<article class="card circle-card">') : html.index("</article>")]
    assert "<script>" not in card
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;friends&quot;"
    assert f"Name {escaped}</a>" in card
    assert f"<span>City {escaped}</span>" in card
    assert f'<li class="tag">Topic {escaped}</li>' in card
    # The purpose is markdown shown as plain words: markup a person typed shows as text.
    assert f"<p>{escaped}</p>" in card


REFERENCE = Template((Path(__file__).parent / "circle_card_reference.html").read_text())


def _template_card(circle: Circle, next_local: dt.datetime) -> str:
    circle = Circle.objects.with_directory_data().get(pk=circle.pk)
    circle.next_local = next_local
    return REFERENCE.render(Context({"circle": circle}))


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_a_card_is_the_html_the_template_writes(language):
    """Online and in a city, weekly and fortnightly, open seats and full, with topics and
    without, a long purpose cut short, user text to escape: byte for byte the same."""
    beta, alpha, zed = (TopicFactory(name=n) for n in ("beta", "Alpha", "Zed émigré"))
    first = CircleFactory(name=f"A {HOSTILE}", purpose="# Title\n\n" + "word " * 80)
    first.topics.add(zed, beta, alpha)
    online = CircleFactory(
        name="B online", is_online=True, city="", frequency=Frequency.FORTNIGHTLY, weekday=6
    )
    online.topics.add(alpha)
    full = CircleFactory(name="C full", seat_limit=2, time_zone="Asia/Tokyo")
    MembershipFactory.create_batch(2, circle=full)
    meetings_materialize(circle=full)  # the others have no meeting rows: their schedule
    first_meeting = Meeting.objects.filter(circle=full).order_by("starts_at").first()
    with translation.override(language):
        for zone in (None, "Europe/Berlin"):
            written = cards(zone)
            assert [card.name for card in written] == [first.name, "B online", "C full"]
            for card, circle in zip(written, (first, online, full), strict=True):
                expected = _template_card(circle, card.next_local)
                assert directory_cards.cards_html([card]) == expected
    assert written[0].topics == [t.name for t in first.topics.all()]  # Topic's own order
    assert written[2].next_local == first_meeting.starts_at
    assert str(written[2].next_local.tzinfo) == "Europe/Berlin"


def test_without_meeting_rows_the_card_tells_the_schedule():
    """A circle whose meetings are not made yet shows its next start from the schedule."""
    circle = CircleFactory(name="Fresh", time_zone="Europe/Berlin", start_time=dt.time(7, 30))
    (card,) = cards("America/New_York")
    expected = circle.next_starts()[0].astimezone(ZoneInfo("America/New_York"))
    assert card.next_local == expected
    assert str(card.next_local.tzinfo) == "America/New_York"


def test_the_landing_page_shows_the_newest_listed_circles_cards(client):
    older = CircleFactory(name="Older table")
    newer = CircleFactory(name=f"Newer {HOSTILE}")
    CircleFactory(name="Unlisted table", listing="unlisted")
    html = client.get(reverse("home")).content.decode()
    assert html.count('<article class="card circle-card">') == 2
    assert html.index("Newer &lt;script&gt;") < html.index(older.name)
    assert "Unlisted table" not in html
    assert f'href="{newer.get_absolute_url()}"' in html
    assert '<p class="meta">Next: <time datetime="' in html  # as on the directory
