"""Asks, gives and discussions inside a circle, their replies, thanks, and introductions.

Everything here is private to the circle's active members; who may see or do
what is decided in conversations/access.py, writes live in services.py.

Why this module is longer than 400 lines: a reply and its thanks have no life apart
from their post, and the contribution counts (asks, gives, thanks received) read all
three at once; introductions share the circle and the choices. Each model is short; the
length is their constraints, indexes (each naming the query it serves) and QuerySet
methods, which belong beside the fields they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.text import render_markdown

if TYPE_CHECKING:
    from circles.models import Circle
    from members.models import User


class Kind(models.TextChoices):
    ASK = "ask", _("Ask")
    GIVE = "give", _("Give")
    DISCUSSION = "discussion", _("Discussion")


class PostStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


TITLE_MAX = 160
BODY_MAX = 20_000
REPLY_MAX = 10_000
NOTE_MAX = 1_000


class RenderedText(models.Model):
    """A markdown field and its HTML, rendered by config.text when the row is written.

    Pages show the stored HTML, so reading a thread renders no markdown. ``save()``
    fills the HTML whenever the text may have changed (a save that names its
    fields renders only when the text is among them), and ``bulk_create`` on the
    managers below does the same for rows written in bulk. Migration 0005 filled
    the rows that existed before.
    """

    # (markdown field, HTML field) pairs of the concrete model.
    rendered_fields: tuple[tuple[str, str], ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs) -> None:
        self.render_text()
        if update_fields is not None:
            update_fields = set(update_fields)
            for source, target in self.rendered_fields:
                if source in update_fields:
                    update_fields.add(target)
        super().save(*args, update_fields=update_fields, **kwargs)

    def render_text(self) -> None:
        for source, target in self.rendered_fields:
            setattr(self, target, str(render_markdown(getattr(self, source))))


def _html(value: str) -> SafeString:
    # Written by config.text.render_markdown (the one sanitizer) and nothing else.
    return mark_safe(value)  # noqa: S308


class RenderedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Rows written in bulk (the benchmark's seed, demo data) get their HTML too."""
        objs = list(objs)
        for obj in objs:
            obj.render_text()
        return super().bulk_create(objs, *args, **kwargs)


class PostQuerySet(RenderedQuerySet, models.QuerySet["Post"]):
    def live(self) -> PostQuerySet:
        """Not deleted by their author (hidden ones included: members see a notice)."""
        return self.filter(deleted_at__isnull=True)

    def shown(self) -> PostQuerySet:
        """Live and not hidden by a host: what counts, and what previews may show."""
        return self.filter(deleted_at__isnull=True, hidden_at__isnull=True)

    def in_circle(self, circle: Circle) -> PostQuerySet:
        return self.filter(circle=circle)

    def of_kind(self, kind: str) -> PostQuerySet:
        return self.filter(kind=kind)

    def with_status(self, status: str) -> PostQuerySet:
        return self.filter(status=status)

    def for_board(self) -> PostQuerySet:
        """What a board row shows (author, live reply count), newest activity first."""
        return (
            self.select_related("author")
            .annotate(
                reply_count=Count(
                    "replies",
                    filter=Q(replies__deleted_at__isnull=True, replies__hidden_at__isnull=True),
                ),
            )
            .order_by("-last_activity_at", "-pk")
        )


class Post(RenderedText):
    """An ask (I need help with…), a give (I can offer…) or a discussion in one circle."""

    rendered_fields = (("body", "body_html"),)

    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="posts", verbose_name=_("circle")
    )
    # Kept when the author deletes their account: the thread stays readable.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("author"),
    )
    kind = models.CharField(
        verbose_name=_("kind"), max_length=12, choices=Kind.choices, default=Kind.ASK
    )
    title = models.CharField(verbose_name=_("title"), max_length=TITLE_MAX)
    body = models.TextField(verbose_name=_("body"), max_length=BODY_MAX, help_text=_("Markdown."))
    # The body through config.text, written with it (RenderedText).
    body_html = models.TextField(verbose_name=_("body as HTML"), blank=True, editable=False)
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=PostStatus.choices, default=PostStatus.OPEN
    )
    in_the_room = models.BooleanField(
        _("in the room"),
        default=False,
        help_text=_("Confidential: never quoted in any email; emails only link to it."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(verbose_name=_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(verbose_name=_("deleted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(verbose_name=_("resolved at"), null=True, blank=True)
    # Set by a host or staff (moderation.services.item_hide): members see a
    # "hidden by a host" notice instead; the text stays whole, and restoring clears it.
    hidden_at = models.DateTimeField(verbose_name=_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts_hidden",
        verbose_name=_("hidden by"),
    )
    # Bumped by a new reply; the board's order.
    last_activity_at = models.DateTimeField(
        verbose_name=_("last activity at"), default=timezone.now
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-last_activity_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="conversations_post_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PostStatus.values), name="conversations_post_status_valid"
            ),
            # Only an ask can be resolved.
            models.CheckConstraint(
                condition=Q(status=PostStatus.OPEN) | Q(kind=Kind.ASK),
                name="conversations_post_only_asks_resolve",
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="conversations_post_title_not_empty"
            ),
        ]
        indexes = [
            # The board: a circle's live posts, newest activity first (for_board()).
            models.Index(
                "circle",
                models.F("last_activity_at").desc(),
                condition=Q(deleted_at__isnull=True),
                name="conversations_post_board_idx",
            ),
            # Contribution counts: a member's asks and gives (contributions_of()).
            models.Index(fields=["author", "kind"], name="conversations_post_author_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("conversations:post", kwargs={"slug": self.circle.slug, "post_id": self.pk})

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def body_shown(self) -> SafeString:
        """The body as HTML, rendered when it was written."""
        return _html(self.body_html)

    @property
    def is_resolved(self) -> bool:
        return self.status == PostStatus.RESOLVED

    @property
    def is_ask(self) -> bool:
        return self.kind == Kind.ASK


class ReplyQuerySet(RenderedQuerySet, models.QuerySet["Reply"]):
    def live(self) -> ReplyQuerySet:
        return self.filter(deleted_at__isnull=True)

    def for_thread(self) -> ReplyQuerySet:
        """What a reply in a thread shows: its author and any thanks, oldest first."""
        return self.select_related("author", "thanks", "thanks__given_by").order_by("pk")

    def after(self, reply_id: int) -> ReplyQuerySet:
        """Replies newer than the cursor a live thread already shows."""
        return self.filter(pk__gt=reply_id)


class Reply(RenderedText):
    """An answer in a post's thread."""

    rendered_fields = (("body", "body_html"),)

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="replies", verbose_name=_("post")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("author"),
    )
    body = models.TextField(verbose_name=_("body"), max_length=REPLY_MAX, help_text=_("Markdown."))
    # The body through config.text, written with it (RenderedText).
    body_html = models.TextField(verbose_name=_("body as HTML"), blank=True, editable=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(verbose_name=_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(verbose_name=_("deleted at"), null=True, blank=True)
    # Hidden by a host or staff (see Post.hidden_at).
    hidden_at = models.DateTimeField(verbose_name=_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies_hidden",
        verbose_name=_("hidden by"),
    )
    # Claimed by the email task so the post's author hears of a reply once.
    author_notified_at = models.DateTimeField(
        verbose_name=_("author notified at"), null=True, blank=True
    )

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        ordering = ["pk"]
        verbose_name_plural = _("replies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""), name="conversations_reply_body_not_empty"
            ),
        ]
        indexes = [
            # A thread and its live poll: a post's live replies after a cursor id.
            models.Index(
                fields=["post", "id"],
                condition=Q(deleted_at__isnull=True),
                name="conversations_reply_thread_idx",
            ),
            # Thanks received and reply history per member.
            models.Index(fields=["author"], name="conversations_reply_author_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Reply %(reply)s to post %(post)s") % {
            "reply": self.pk,
            "post": self.post_id,
        }

    def get_absolute_url(self) -> str:
        return self.post.get_absolute_url() + f"#reply-{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def body_shown(self) -> SafeString:
        """The body as HTML, rendered when it was written."""
        return _html(self.body_html)


class Thanks(RenderedText):
    """The asker's thanks for one reply that helped, with an optional note."""

    rendered_fields = (("note", "note_html"),)

    reply = models.OneToOneField(
        Reply, on_delete=models.CASCADE, related_name="thanks", verbose_name=_("reply")
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="thanks_given",
        verbose_name=_("given by"),
    )
    note = models.TextField(
        verbose_name=_("note"), max_length=NOTE_MAX, blank=True, help_text=_("Markdown.")
    )
    # The note through config.text, written with it (RenderedText).
    note_html = models.TextField(verbose_name=_("note as HTML"), blank=True, editable=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    objects = RenderedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thanks")
        ordering = ["created_at", "pk"]
        verbose_name_plural = _("thanks")
        # reply is one-to-one: a reply is thanked at most once (its unique
        # index also serves "is this reply thanked?").

    def __str__(self) -> str:
        return gettext("Thanks for reply %(reply)s") % {"reply": self.reply_id}

    @property
    def note_shown(self) -> SafeString:
        """The note as HTML, rendered when it was written."""
        return _html(self.note_html)


@dataclass(frozen=True)
class Contributions:
    """What a member gave and asked: the numbers a profile shows."""

    asks: int = 0
    gives: int = 0
    thanks_received: int = 0


def contributions_of(user: User, *, circle: Circle | None = None) -> Contributions:
    """Asks and gives posted and thanks received by one member (in one circle, or everywhere).

    Two queries whatever the history. Deleted or hidden posts and replies do not count.
    """
    posts = Post.objects.shown().filter(author=user)
    thanks = Thanks.objects.filter(
        reply__author=user,
        reply__deleted_at__isnull=True,
        reply__hidden_at__isnull=True,
        reply__post__deleted_at__isnull=True,
    )
    if circle is not None:
        posts = posts.filter(circle=circle)
        thanks = thanks.filter(reply__post__circle=circle)
    counts = posts.aggregate(
        asks=Count("pk", filter=Q(kind=Kind.ASK)), gives=Count("pk", filter=Q(kind=Kind.GIVE))
    )
    return Contributions(asks=counts["asks"], gives=counts["gives"], thanks_received=thanks.count())


def contributions_in_circle(circle: Circle) -> dict[int, Contributions]:
    """Every author's contributions in one circle, by user id: two queries for the whole circle."""
    per_user: dict[int, dict[str, int]] = {}
    rows = (
        Post.objects.shown()
        .in_circle(circle)
        .filter(author__isnull=False)
        .values("author_id")
        .annotate(
            asks=Count("pk", filter=Q(kind=Kind.ASK)), gives=Count("pk", filter=Q(kind=Kind.GIVE))
        )
        .order_by()
    )
    for row in rows:
        per_user.setdefault(row["author_id"], {}).update(asks=row["asks"], gives=row["gives"])
    thanked = (
        Thanks.objects.filter(
            reply__post__circle=circle,
            reply__author__isnull=False,
            reply__deleted_at__isnull=True,
            reply__hidden_at__isnull=True,
            reply__post__deleted_at__isnull=True,
        )
        .values("reply__author_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in thanked:
        per_user.setdefault(row["reply__author_id"], {})["thanks_received"] = row["n"]
    return {user_id: Contributions(**values) for user_id, values in per_user.items()}


class Answer(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class IntroStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for answers")
    INTRODUCED = "introduced", _("Introduced")
    DECLINED = "declined", _("Declined")


class IntroductionQuerySet(models.QuerySet["Introduction"]):
    def involving(self, user: User) -> IntroductionQuerySet:
        """Introductions this person made or was asked to join."""
        return self.filter(Q(introducer=user) | Q(person_a=user) | Q(person_b=user))

    def for_list(self) -> IntroductionQuerySet:
        return self.select_related("introducer", "person_a", "person_b").order_by(
            "-created_at", "-pk"
        )


class Introduction(models.Model):
    """One member asks to introduce two others from a circle they share; both must accept.

    Double opt-in: each of the two answers on their own. When both accept,
    one email introduces them to each other; a decline is told to the
    introducer only, never to the other person.
    """

    circle = models.ForeignKey(
        "circles.Circle",
        on_delete=models.CASCADE,
        related_name="introductions",
        verbose_name=_("circle"),
    )
    introducer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="introductions_made",
        verbose_name=_("introducer"),
    )
    person_a = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="introductions_as_a",
        verbose_name=_("person a"),
    )
    person_b = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="introductions_as_b",
        verbose_name=_("person b"),
    )
    note_for_a = models.TextField(
        verbose_name=_("note for a"), max_length=NOTE_MAX, help_text=_("Markdown.")
    )
    note_for_b = models.TextField(
        verbose_name=_("note for b"), max_length=NOTE_MAX, help_text=_("Markdown.")
    )
    answer_a = models.CharField(
        verbose_name=_("answer a"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    answer_b = models.CharField(
        verbose_name=_("answer b"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=12,
        choices=IntroStatus.choices,
        default=IntroStatus.PENDING,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)
    # Claimed by the email tasks (a conditional UPDATE) so each email goes out once.
    requests_sent_at = models.DateTimeField(
        verbose_name=_("requests sent at"), null=True, blank=True
    )
    outcome_sent_at = models.DateTimeField(verbose_name=_("outcome sent at"), null=True, blank=True)

    objects = IntroductionQuerySet.as_manager()

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person_a=models.F("person_b")),
                name="conversations_intro_two_people",
            ),
            models.CheckConstraint(
                condition=~Q(introducer=models.F("person_a")) & ~Q(introducer=models.F("person_b")),
                name="conversations_intro_not_self",
            ),
            models.CheckConstraint(
                condition=Q(answer_a__in=Answer.values) & Q(answer_b__in=Answer.values),
                name="conversations_intro_answers_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IntroStatus.values), name="conversations_intro_status_valid"
            ),
            # One open request per introducer and pair: a double click makes one.
            models.UniqueConstraint(
                fields=["circle", "introducer", "person_a", "person_b"],
                condition=Q(status="pending"),
                name="conversations_intro_one_pending",
            ),
        ]
        indexes = [
            # A member's page: introductions they received (involving()).
            models.Index(fields=["person_a"], name="conversations_intro_a_idx"),
            models.Index(fields=["person_b"], name="conversations_intro_b_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Introduction %(id)s: %(a)s and %(b)s") % {
            "id": self.pk,
            "a": self.person_a_id,
            "b": self.person_b_id,
        }

    def get_absolute_url(self) -> str:
        return reverse(
            "conversations:introduction", kwargs={"slug": self.circle.slug, "intro_id": self.pk}
        )

    def side_of(self, user: User) -> str | None:
        """Which side ("a" or "b") this person is on, or None for anyone else."""
        if user.pk == self.person_a_id:
            return "a"
        if user.pk == self.person_b_id:
            return "b"
        return None

    def answer_of(self, user: User) -> str | None:
        side = self.side_of(user)
        return None if side is None else getattr(self, f"answer_{side}")

    def note_for(self, user: User) -> str:
        side = self.side_of(user)
        return "" if side is None else getattr(self, f"note_for_{side}")

    def other_person(self, user: User) -> User | None:
        side = self.side_of(user)
        if side is None:
            return None
        return self.person_b if side == "a" else self.person_a
