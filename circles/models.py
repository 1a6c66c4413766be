"""Circles, their memberships and invitations: the circle aggregate's tables and their reads.

Why this module is longer than 400 lines: a membership and an invitation have no life
apart from their circle (every write locks the circle's row first, circles/rules.py),
and the three share the choices, constraints and QuerySet methods that name the
directory's and the pages' queries. Split across modules they would import each other
back and forth; kept together, one file holds the whole aggregate's schema. Writes are
in the services modules, who may do what in circles/access.py.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from circles import schedule
from members.models import Topic
from members.timezones import validate_time_zone

if TYPE_CHECKING:
    from members.models import User

SEAT_LIMIT_MIN = 2
SEAT_LIMIT_MAX = 30


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every other week")


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone can join")
    REQUEST = "request", _("By request: hosts approve")
    INVITE = "invite", _("Invite only")


class Listing(models.TextChoices):
    LISTED = "listed", _("Listed in the directory")
    UNLISTED = "unlisted", _("Unlisted: only members and invitees see it")


class Role(models.TextChoices):
    HOST = "host", _("Host")
    CO_HOST = "co_host", _("Co-host")
    MEMBER = "member", _("Member")


class Status(models.TextChoices):
    INVITED = "invited", _("Invited")
    REQUESTED = "requested", _("Requested to join")
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")


HOST_ROLES = (Role.HOST, Role.CO_HOST)


class CircleQuerySet(models.QuerySet["Circle"]):
    def active(self) -> CircleQuerySet:
        return self.filter(archived_at__isnull=True)

    def listed(self) -> CircleQuerySet:
        return self.filter(listing=Listing.LISTED, archived_at__isnull=True)

    def visible_to(self, user: User | None) -> CircleQuerySet:
        """Circles whose page this person may open: listed ones, their own, or all for staff."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self.all()
        listed = Q(listing=Listing.LISTED, archived_at__isnull=True)
        if user is None or not user.is_authenticated:
            return self.filter(listed)
        # EXISTS rather than a JOIN: no duplicate rows, so no DISTINCT over every column.
        mine = Exists(
            Membership.objects.filter(circle=OuterRef("pk"), user=user, status=Status.ACTIVE)
        )
        return self.filter(listed | mine)

    def cities(self) -> list[str]:
        """The cities these circles meet in (online ones have none), for the directory filter."""
        return list(
            self.filter(is_online=False).order_by("city").values_list("city", flat=True).distinct()
        )

    def member_of(self, user: User) -> CircleQuerySet:
        return self.filter(memberships__user=user, memberships__status=Status.ACTIVE)

    def with_seat_count(self) -> CircleQuerySet:
        """Each circle's ``active_member_count``, for ``Circle.seats_open()``."""
        # A correlated subquery, not a JOIN + GROUP BY: PostgreSQL then counts
        # members only for the page of circles it returns (after ORDER BY and
        # LIMIT), not for every listed circle. Served by circles_membership_circle_idx.
        active_members = (
            Membership.objects.filter(circle=OuterRef("pk"), status=Status.ACTIVE)
            .order_by()
            .values("circle")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(active_member_count=Coalesce(Subquery(active_members), 0))

    def with_directory_data(self) -> CircleQuerySet:
        """What a directory card shows (seats and topics), in a fixed number of queries."""
        return self.with_seat_count().prefetch_related("topics")


class Circle(models.Model):
    """A peer group that meets on a schedule: the table people gather at."""

    name = models.CharField(verbose_name=_("name"), max_length=80)
    slug = models.SlugField(verbose_name=_("slug"), max_length=90, unique=True)
    purpose = models.TextField(
        verbose_name=_("purpose"),
        help_text=_("What the circle is for, in a few sentences (markdown)."),
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="circles", verbose_name=_("topics")
    )

    is_online = models.BooleanField(verbose_name=_("online"), default=False)
    city = models.CharField(verbose_name=_("city"), max_length=80, blank=True)
    meeting_link = models.URLField(
        verbose_name=_("meeting link"),
        blank=True,
        help_text=_("For online circles; only active members see it."),
    )
    venue_name = models.CharField(verbose_name=_("venue name"), max_length=120, blank=True)
    venue_address = models.CharField(verbose_name=_("venue address"), max_length=200, blank=True)

    time_zone = models.CharField(
        verbose_name=_("time zone"), max_length=64, validators=[validate_time_zone]
    )
    weekday = models.PositiveSmallIntegerField(verbose_name=_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(
        verbose_name=_("start time"), help_text=_("Local wall-clock time in the circle's zone.")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("duration (minutes)"),
        default=75,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    frequency = models.CharField(
        verbose_name=_("frequency"),
        max_length=12,
        choices=Frequency.choices,
        default=Frequency.WEEKLY,
    )
    starts_on = models.DateField(
        verbose_name=_("starts on"),
        default=timezone.localdate,
        help_text=_("The first week of the series; fortnightly circles meet every other week."),
    )

    seat_limit = models.PositiveSmallIntegerField(
        verbose_name=_("seat limit"),
        default=12,
        validators=[MinValueValidator(SEAT_LIMIT_MIN), MaxValueValidator(SEAT_LIMIT_MAX)],
    )
    join_policy = models.CharField(
        verbose_name=_("join policy"),
        max_length=10,
        choices=JoinPolicy.choices,
        default=JoinPolicy.REQUEST,
    )
    listing = models.CharField(
        verbose_name=_("listing"), max_length=10, choices=Listing.choices, default=Listing.LISTED
    )
    members_can_invite = models.BooleanField(
        verbose_name=_("members can invite"),
        default=False,
        help_text=_("Let every member, not only hosts, invite people."),
    )
    reminder_lead_hours = models.PositiveSmallIntegerField(
        verbose_name=_("reminder lead (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    votes_per_member = models.PositiveSmallIntegerField(
        verbose_name=_("votes per member"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    pledge = models.TextField(
        verbose_name=_("pledge"),
        blank=True,
        help_text=_("Optional confidentiality pledge members accept when they join."),
    )

    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    archived_at = models.DateTimeField(verbose_name=_("archived at"), null=True, blank=True)

    objects = CircleQuerySet.as_manager()

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seat_limit__gte=SEAT_LIMIT_MIN, seat_limit__lte=SEAT_LIMIT_MAX),
                name="circles_circle_seat_limit_range",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="circles_circle_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="circles_circle_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(join_policy__in=JoinPolicy.values),
                name="circles_circle_join_policy_valid",
            ),
            models.CheckConstraint(
                condition=Q(listing__in=Listing.values), name="circles_circle_listing_valid"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="circles_circle_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(reminder_lead_hours__gte=1, reminder_lead_hours__lte=168),
                name="circles_circle_reminder_lead_range",
            ),
            models.CheckConstraint(
                condition=Q(votes_per_member__gte=1, votes_per_member__lte=10),
                name="circles_circle_votes_range",
            ),
            models.CheckConstraint(
                condition=Q(is_online=True) | ~Q(city=""),
                name="circles_circle_city_or_online",
            ),
        ]
        indexes = [
            # The directory: listed, not archived, ordered by name.
            models.Index(
                fields=["listing", "name"],
                condition=Q(archived_at__isnull=True),
                name="circles_circle_directory_idx",
            ),
            # The directory's city filter: each listed in-person circle's city, read in
            # order from the index alone instead of from every circle's row (DISTINCT).
            # "listed" is a column, not part of the condition: the query's prepared plan
            # (config/compiled.py) has it as a parameter, which a condition cannot match.
            models.Index(
                fields=["listing", "city"],
                condition=Q(archived_at__isnull=True, is_online=False),
                name="circles_circle_city_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("circles:detail", kwargs={"slug": self.slug})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def place(self) -> str:
        return gettext("Online") if self.is_online else self.city

    @property
    def every_weeks(self) -> int:
        return 2 if self.frequency == Frequency.FORTNIGHTLY else 1

    def next_starts(self, *, after: dt.datetime | None = None, count: int = 1) -> list[dt.datetime]:
        """The next scheduled starts, aware in the circle's zone."""
        return schedule.occurrences(
            weekday=self.weekday,
            start_time=self.start_time,
            zone=self.zone,
            after=after or timezone.now(),
            anchor=self.starts_on,
            every_weeks=self.every_weeks,
            count=count,
        )

    def seats_open(self) -> int:
        """Needs ``active_member_count`` from ``with_directory_data()`` (no query here)."""
        return max(self.seat_limit - self.active_member_count, 0)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(status=Status.ACTIVE)

    def hosts(self) -> MembershipQuerySet:
        return self.filter(status=Status.ACTIVE, role__in=HOST_ROLES)


class Membership(models.Model):
    """A person's place in a circle: their role, status and sponsor."""

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("circle")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        verbose_name=_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER
    )
    status = models.CharField(verbose_name=_("status"), max_length=10, choices=Status.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_memberships",
        help_text=_("The member who sponsored this person into the circle."),
        verbose_name=_("invited by"),
    )
    note = models.TextField(
        verbose_name=_("note"), blank=True, help_text=_("The note sent with a join request.")
    )
    pledge_accepted_at = models.DateTimeField(
        verbose_name=_("pledge accepted at"), null=True, blank=True
    )
    joined_at = models.DateTimeField(verbose_name=_("joined at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["circle", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="circles_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="circles_membership_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="circles_membership_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ACTIVE) | Q(joined_at__isnull=False),
                name="circles_membership_active_has_joined_at",
            ),
        ]
        indexes = [
            # "Which circles is this person active in?" (visible_to, member_of).
            models.Index(fields=["user", "status"], name="circles_membership_user_idx"),
            # Seat counts and host lists per circle.
            models.Index(fields=["circle", "status", "role"], name="circles_membership_circle_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user} in {self.circle} ({self.get_role_display()}, {self.get_status_display()})"
        )

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def is_host(self) -> bool:
        return self.status == Status.ACTIVE and self.role in HOST_ROLES


INVITATION_LIFETIME = dt.timedelta(days=14)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Not accepted, not revoked and not yet expired: the link still works."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An emailed, single-use link into a circle, sponsored by the member who sent it."""

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("circle")
    )
    email = models.EmailField(
        verbose_name=_("email"), max_length=254, help_text=_("Stored lower-cased.")
    )
    message = models.TextField(
        verbose_name=_("message"), blank=True, help_text=_("A personal note from the inviter.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    token = models.CharField(verbose_name=_("token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    accepted_at = models.DateTimeField(verbose_name=_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="circles_invitation_not_accepted_and_revoked",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="circles_invitation_accepted_has_person",
            ),
        ]
        indexes = [
            # The rate limit: "how many invitations has this member sent today?"
            models.Index(fields=["invited_by", "created_at"], name="circles_invitation_sender_idx"),
            # The hosts' list of pending invitations for one circle.
            models.Index(
                fields=["circle", "expires_at"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="circles_invitation_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Invitation to %(circle)s for %(email)s") % {
            "circle": self.circle,
            "email": self.email,
        }

    def get_absolute_url(self) -> str:
        return reverse("circles:invitation", kwargs={"token": self.token})

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return not (self.is_accepted or self.is_revoked or self.is_expired)
