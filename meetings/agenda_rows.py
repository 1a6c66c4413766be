"""The meeting page's agenda rows: each topic's <li>, written in Python.

``topic_rows`` writes the rows that meetings/meeting_page.py's ``page_context``
passes to templates/meetings/detail.html (the page and its ``#agenda``
fragment). The topic URLs it is given keep a marker where a topic's id goes
(config/urlshapes.py); each row swaps its own id in.
"""

from __future__ import annotations

from html import escape  # django.utils.html.escape without its lazy-string wrapper

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from meetings.models import TopicStatus

# One agenda topic, written out in Python rather than by a template loop: a
# template spent about 0.1 ms a topic resolving variables and tags, more than
# the rest of the page together (docs/PERFORMANCE.md). Every value is escaped
# (see topic_rows); the labels are translated once a page (_topic_labels).
_TOPIC = (
    '<li class="agenda-topic topic-{status}" id="topic-{pk}">'
    '<div class="topic-votes"><span class="vote-count" aria-label="{vote_label}">{votes}</span>'
    "{vote_form}</div>"
    '<div class="topic-body"><p class="topic-title"><strong>{title}</strong>{badges}</p>'
    '{details}<p class="meta">{proposed_by}</p>{host_actions}</div></li>'
)
_VOTE_FORM = (
    '<form method="post" action="{url}" class="inline-form" hx-post="{url}" hx-target="#agenda"'
    ' hx-swap="outerHTML">{csrf}{button}</form>'
)
_UNVOTE_BUTTON = (
    '<button type="submit" name="action" value="unvote" class="button button-small vote-button"'
    ' aria-pressed="true">{label}</button>'
)
_VOTE_BUTTON = (
    '<button type="submit" name="action" value="vote"'
    ' class="button button-small button-secondary vote-button"{disabled}>{label}</button>'
)
_HOST_ACTIONS = (
    '<div class="topic-host-actions actions">'
    '<form method="post" action="{move_url}" class="inline-form" hx-post="{move_url}"'
    ' hx-target="#agenda" hx-swap="outerHTML">{csrf}'
    '<button type="submit" name="direction" value="up" class="link-button"{first}>{up}</button>'
    '<button type="submit" name="direction" value="down" class="link-button"{last}>{down}</button>'
    "</form>"
    '<form method="post" action="{status_url}" class="inline-form" hx-post="{status_url}"'
    ' hx-target="#agenda" hx-swap="outerHTML">{csrf}{status_buttons}</form></div>'
)
_STATUS_BUTTON = (
    '<button type="submit" name="status" value="{value}" class="link-button">{label}</button>'
)
_BADGE = ' <span class="badge">{}</span>'
_DISABLED = mark_safe(" disabled")
_NOTHING = mark_safe("")  # SafeString + SafeString stays safe; "" + SafeString does not


def _topic_labels() -> dict[str, str]:
    return {
        "take_back": gettext("Take vote back"),
        "vote": gettext("Vote"),
        "no_votes_left": gettext("Take a vote back to vote here"),
        "carried_over": gettext("Carried over"),
        "former_member": gettext("a former member"),
        "move_up": gettext("Move up"),
        "move_down": gettext("Move down"),
        TopicStatus.DISCUSSED: gettext("Mark discussed"),
        TopicStatus.PARKED: gettext("Park"),
        TopicStatus.OPEN: gettext("Reopen"),
    }


def topic_rows(
    topics: list, *, urls: dict[str, str], topic_mark: str, csrf: SafeString, can_vote: bool,
    votes_left: int, is_host: bool,
) -> list[SafeString]:  # fmt: skip
    """Each topic's <li>: votes and the viewer's vote button, what it is, and the host's buttons.

    What does not depend on the topic (the forms, buttons and badges, in their few
    variants) is written once a page with ``topic_mark`` where the topic's id goes
    (the topic URLs in ``urls`` hold it); a row swaps its id in (an int: nothing to
    escape) and escapes only its own text.
    """
    labels = _topic_labels()
    vote_url, move_url, status_url = urls["topic_vote"], urls["topic_move"], urls["topic_status"]
    vote_forms: dict[bool, str] = {}
    if can_vote:
        vote_disabled = (
            format_html(' disabled title="{}"', labels["no_votes_left"]) if not votes_left else ""
        )
        buttons = {
            True: format_html(_UNVOTE_BUTTON, label=labels["take_back"]),
            False: format_html(_VOTE_BUTTON, disabled=vote_disabled, label=labels["vote"]),
        }
        vote_forms = {
            voted: format_html(_VOTE_FORM, url=vote_url, csrf=csrf, button=button)
            for voted, button in buttons.items()
        }
    host_actions: dict[tuple[str, bool, bool], str] = {}
    badges: dict[tuple[str, bool], SafeString] = {}
    vote_labels: dict[int, str] = {}
    proposed_by = gettext("Proposed by %(name)s")
    rows = []
    last = len(topics) - 1
    for index, topic in enumerate(topics):
        topic_id = str(topic.pk)
        vote_form = ""
        if can_vote:
            vote_form = mark_safe(vote_forms[topic.voted].replace(topic_mark, topic_id))  # noqa: S308 - format_html's output with an int swapped in
        key = (topic.status, bool(topic.carried_from_id))
        if key not in badges:
            badge = _NOTHING
            if topic.status != TopicStatus.OPEN:
                badge += format_html(_BADGE, topic.get_status_display())
            if topic.carried_from_id:
                badge += format_html(_BADGE, labels["carried_over"])
            badges[key] = badge
        details = topic.details_as_html()
        if details:
            details = f'<div class="prose topic-details">{details}</div>'  # sanitized HTML
        author = topic.author_name or labels["former_member"]
        actions = ""
        if is_host:
            place = (topic.status, index == 0, index == last)
            if place not in host_actions:
                status_buttons = mark_safe(  # noqa: S308 - joins format_html's output
                    "".join(
                        format_html(_STATUS_BUTTON, value=value, label=labels[value])
                        for value in (TopicStatus.DISCUSSED, TopicStatus.PARKED, TopicStatus.OPEN)
                        if topic.status != value
                    )
                )
                host_actions[place] = format_html(
                    _HOST_ACTIONS,
                    move_url=move_url,
                    status_url=status_url,
                    csrf=csrf,
                    first=_DISABLED if place[1] else "",
                    last=_DISABLED if place[2] else "",
                    up=labels["move_up"],
                    down=labels["move_down"],
                    status_buttons=status_buttons,
                )
            actions = mark_safe(host_actions[place].replace(topic_mark, topic_id))  # noqa: S308 - format_html's output with an int swapped in
        count = topic.vote_count
        if count not in vote_labels:
            vote_labels[count] = ngettext("%(count)s vote", "%(count)s votes", count) % {
                "count": count
            }
        # What format_html would do, without its checks for lazy strings on every
        # value (a third of the rows' time): the row's own text is escaped here, the
        # rest was escaped when it was written above.
        row = _TOPIC.format(
            status=escape(topic.status),
            pk=topic_id,
            vote_label=escape(vote_labels[count]),
            votes=count,
            vote_form=vote_form,
            title=escape(topic.title),
            badges=badges[key],
            details=details,
            proposed_by=escape(proposed_by % {"name": author}),
            host_actions=actions,
        )
        rows.append(mark_safe(row))  # noqa: S308 - every value escaped or written by format_html
    return rows
