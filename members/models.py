from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.compiled import CompiledQuery
from members.avatars import avatar_upload_to, validate_avatar
from members.timezones import validate_time_zone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("A person signs in with an email address; one is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get(self, *args: object, **kwargs: object) -> User:
        """``User.objects.get(pk=<int>)`` as one compiled (and on PostgreSQL, prepared) query.

        Django's auth backends read the signed-in person this way on every request
        (``ModelBackend.get_user``), and building that query with the ORM cost more
        Python than the rest of the signed-in frame. The row is the same and comes back
        as the same model instance, or ``DoesNotExist``; any other ``get()``, and any
        manager not the default one on the real model (a migration's historical model,
        ``db_manager()``), takes the ORM's way.
        """
        pk = kwargs.get("pk")
        if args or len(kwargs) != 1 or type(pk) is not int or self._db or self.model is not User:
            return super().get(*args, **kwargs)
        rows = _USER_BY_PK.rows(pk=pk)
        if not rows:
            raise User.DoesNotExist("User matching query does not exist.")
        return User.from_db("default", _USER_COLUMNS, rows[0])


def shown_name(display_name: str | None, email: str | None) -> str:
    """User.name from its two columns, for pages that read them as values, not as a User."""
    return display_name or (email or "").split("@", 1)[0]


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. They sign in with their email address."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(
        verbose_name=_("display name"),
        max_length=80,
        help_text=_("How other members see you, e.g. 'Ana Ruiz'."),
    )
    time_zone = models.CharField(
        verbose_name=_("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Every time is also shown to you in this zone."),
    )
    # Pages and every email to this person; blank: the browser's language (members/language.py).
    language = models.CharField(
        verbose_name=_("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages and emails are in this language; leave empty to follow your browser."),
    )
    is_active = models.BooleanField(verbose_name=_("active"), default=True)
    is_staff = models.BooleanField(verbose_name=_("staff status"), default=False)
    date_joined = models.DateTimeField(verbose_name=_("date joined"), default=timezone.now)
    # Suspension is is_active=False (Django and allauth then refuse the
    # sign-in and drop open sessions) plus these two, so the admin can tell a
    # suspended person from any other inactive account and say why.
    suspended_at = models.DateTimeField(
        verbose_name=_("suspended at"), null=True, blank=True, editable=False
    )
    suspended_reason = models.TextField(
        verbose_name=_("reason for suspension"), blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["display_name", "email"]
        constraints = [
            # Two accounts must never share an address, whatever its case.
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(language="")
                | Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="members_user_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def name(self) -> str:
        """The name shown to other people: the display name, else the mailbox."""
        return shown_name(self.display_name, self.email)

    @property
    def initials(self) -> str:
        """One or two letters for the generated avatar ("Ana Ruiz" -> "AR")."""
        words = [w for w in self.name.replace(".", " ").split() if w[:1].isalnum()]
        letters = "".join(w[0] for w in words[:1] + words[1:][-1:])
        return (letters or "?").upper()

    @property
    def avatar_hue(self) -> int:
        """One of eight colours for the initials avatar (CSS classes, no inline style)."""
        return (self.pk or 0) % 8

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def get_absolute_url(self) -> str:
        return reverse("members:profile", kwargs={"user_id": self.pk})

    def get_short_name(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        return self.name


def user_display(user: User) -> str:
    """What allauth shows for a person (its ACCOUNT_USER_DISPLAY)."""
    return user.name


_USER_COLUMNS = [field.attname for field in User._meta.concrete_fields]
_USER_BY_PK = CompiledQuery(
    lambda pk: User.objects.filter(pk=pk).order_by().values_list(*_USER_COLUMNS), pk=-(2**62) + 44
)


class Industry(models.TextChoices):
    """Broad fields, so a circle can tell who would add variety to its table."""

    TECHNOLOGY = "technology", _("Technology")
    DESIGN = "design", _("Design")
    FINANCE = "finance", _("Finance")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail and consumer")
    MEDIA = "media", _("Media and marketing")
    CONSULTING = "consulting", _("Consulting and services")
    LEGAL = "legal", _("Legal")
    PUBLIC = "public", _("Government and public sector")
    NONPROFIT = "nonprofit", _("Nonprofit")
    HOSPITALITY = "hospitality", _("Hospitality and food")
    ENERGY = "energy", _("Energy and environment")
    REAL_ESTATE = "real_estate", _("Real estate and construction")
    OTHER = "other", _("Something else")


class Experience(models.TextChoices):
    """Years of working experience, in bands: peers compare notes, not CVs."""

    UNDER_3 = "0-2", _("Under 3 years")
    FROM_3 = "3-5", _("3 to 5 years")
    FROM_6 = "6-10", _("6 to 10 years")
    FROM_11 = "11-20", _("11 to 20 years")
    OVER_20 = "20+", _("More than 20 years")


class Topic(models.Model):
    """A subject people and circles are about ("product management", "founders").

    It lives here, below circles, because a profile says which topics a person
    can help with and is looking for, and members builds on no other app;
    circles list their topics too (``Circle.topics``). The table keeps the name
    it was made under when circles owned it.
    """

    name = models.CharField(verbose_name=_("name"), max_length=60, unique=True)
    slug = models.SlugField(verbose_name=_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        db_table = "circles_topic"

    def __str__(self) -> str:
        return self.name


HEADLINE_MAX = 120
BIO_MAX = 2_000


class ProfileQuerySet(models.QuerySet["Profile"]):
    def for_page(self) -> ProfileQuerySet:
        return self.select_related("user").prefetch_related("can_help_with", "looking_for")


class Profile(models.Model):
    """What a person tells other members about themselves.

    A table of its own rather than columns on User: sign-in reads User on
    every request and needs none of this; a profile is optional (a person may
    skip it), and removing it on account deletion is one row.
    """

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
        verbose_name=_("user"),
    )
    headline = models.CharField(
        verbose_name=_("headline"),
        max_length=HEADLINE_MAX,
        blank=True,
        help_text=_("One line, e.g. 'Product lead helping small teams ship'."),
    )
    industry = models.CharField(
        verbose_name=_("industry"), max_length=20, choices=Industry.choices, blank=True
    )
    role = models.CharField(
        verbose_name=_("role"), max_length=80, blank=True, help_text=_("e.g. 'Head of design'.")
    )
    experience = models.CharField(
        _("experience"), max_length=5, choices=Experience.choices, blank=True
    )
    can_help_with = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="helper_profiles",
        verbose_name=_("can help with"),
    )
    looking_for = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="seeker_profiles",
        verbose_name=_("looking for"),
    )
    city = models.CharField(verbose_name=_("city"), max_length=80, blank=True)
    bio = models.TextField(
        verbose_name=_("bio"), max_length=BIO_MAX, blank=True, help_text=_("Markdown.")
    )
    avatar = models.ImageField(
        verbose_name=_("avatar"),
        upload_to=avatar_upload_to,
        blank=True,
        validators=[validate_avatar],
    )
    # Set when the first sign-in sent the person to fill this in, so it happens once.
    prompted_at = models.DateTimeField(verbose_name=_("prompted at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["user"]
        constraints = [
            models.CheckConstraint(
                condition=Q(industry="") | Q(industry__in=Industry.values),
                name="members_profile_industry_valid",
            ),
            models.CheckConstraint(
                condition=Q(experience="") | Q(experience__in=Experience.values),
                name="members_profile_experience_valid",
            ),
        ]
        indexes = [
            # Suggestions: "how many members of these circles work in my industry?"
            models.Index(fields=["industry"], name="members_profile_industry_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Profile of %(person)s") % {"person": self.user}

    def get_absolute_url(self) -> str:
        return reverse("members:profile", kwargs={"user_id": self.user_id})

    @property
    def is_filled_in(self) -> bool:
        return bool(self.headline or self.industry or self.role or self.bio)
