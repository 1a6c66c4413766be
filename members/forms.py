from __future__ import annotations

from django import forms
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.forms import IdsChoiceField
from members.avatars import clean_avatar_upload
from members.language import active_language, language_choices, language_set
from members.models import Experience, Industry, Profile, Topic, User
from members.services import PROFILE_FIELDS, profile_update
from members.timezones import zone_choices


class SignupExtraForm(forms.Form):
    """What allauth's sign-up form asks beyond email and password."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("How other members will see you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Tell us the name other members should see."))
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        # The language they signed up in: their emails start in it (members/language.py).
        user.language = active_language()
        user.save(update_fields=["display_name", "language"])


class TopicChoiceField(IdsChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Topic) -> str:
        return obj.name


class ProfileForm(forms.ModelForm):
    """The profile a person fills in after their first sign-in, and edits later."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("How other members see you."),
        error_messages={"required": _("Tell us the name other members should see.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=zone_choices,
        help_text=_("Every time on PeerTables is also shown to you in this zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Pages and emails are in this language."),
    )
    can_help_with = TopicChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        label=_("I can help with"),
    )
    looking_for = TopicChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        label=_("I am looking for help with"),
    )
    avatar = forms.FileField(
        label=_("Your picture"),
        required=False,
        help_text=_(
            "A JPEG, PNG, GIF or WebP photo up to 2 MB. Without one we show your initials."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my picture"), required=False)

    class Meta:
        model = Profile
        fields = ["headline", "role", "industry", "experience", "city", "bio"]
        labels = {"experience": _("Years of experience"), "bio": _("A short bio")}
        help_texts = {
            "city": _("Where you would meet in person; leave empty if you only meet online."),
            "bio": _("A few sentences. Markdown works: **bold**, _italic_, links."),
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("display_name", user.display_name)
            self.initial.setdefault("time_zone", user.time_zone)
            self.initial.setdefault("language", user.language)
            if self.instance.pk:
                self.initial.setdefault("can_help_with", list(self.instance.can_help_with.all()))
                self.initial.setdefault("looking_for", list(self.instance.looking_for.all()))
        self.fields["language"].choices = [
            ("", _("The language of my browser")),
            *language_choices(),
        ]
        self.fields["industry"].choices = [("", _("Choose one (optional)")), *Industry.choices]
        self.fields["experience"].choices = [("", _("Choose one (optional)")), *Experience.choices]

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Tell us the name other members should see."))
        return name

    def clean_city(self) -> str:
        return " ".join(self.cleaned_data["city"].split())

    def clean_avatar(self) -> ContentFile | None:
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        return clean_avatar_upload(upload)

    @transaction.atomic
    def save_profile(self) -> Profile:
        data = self.cleaned_data
        language_set(user=self.user, language=data["language"])
        return profile_update(
            user=self.user,
            display_name=data["display_name"],
            time_zone=data["time_zone"],
            can_help_with=data["can_help_with"],
            looking_for=data["looking_for"],
            avatar=data["avatar"],
            remove_avatar=data["remove_avatar"] and not data["avatar"],
            **{name: data[name] for name in PROFILE_FIELDS},
        )


class AccountDeleteForm(forms.Form):
    """Deleting an account cannot be undone, so the person types their address to confirm."""

    email = forms.CharField(
        label=_("Type your email address to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"].strip().lower()
        if typed != self.user.email.lower():
            raise forms.ValidationError(
                _("That is not the address you sign in with; nothing was deleted.")
            )
        return typed
