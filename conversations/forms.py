from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from circles.models import Status
from config.forms import IdChoiceField, IdsChoiceField, with_limit
from conversations.models import (
    BODY_MAX,
    NOTE_MAX,
    REPLY_MAX,
    TITLE_MAX,
    Kind,
    Post,
    PostStatus,
    Reply,
)
from members.models import User


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["kind", "title", "body", "in_the_room"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {
            "kind": _("What kind of post?"),
            "body": _("Details"),
            "in_the_room": _("In the room (confidential)"),
        }
        help_texts = {
            "body": _("Markdown works: **bold**, _italic_, lists, links."),
            "in_the_room": _(
                "Only members read it here; emails say there is a new post "
                "and link to it, never quoting it."
            ),
        }
        error_messages = {
            "title": {
                "required": _("Give your post a title."),
                "max_length": with_limit(
                    _("Keep the title under %(limit)s characters."), TITLE_MAX
                ),
            },
            "body": {
                "required": _("Say a little more in the details."),
                "max_length": with_limit(
                    _("Keep the details under %(limit)s characters."), BODY_MAX
                ),
            },
            "kind": {"required": _("Choose ask, give or discussion.")},
        }

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give your post a title."))
        return title


class PostEditForm(PostForm):
    """An author may change the words, not what kind of post it is."""

    class Meta(PostForm.Meta):
        fields = ["title", "body", "in_the_room"]


class ReplyForm(forms.ModelForm):
    class Meta:
        model = Reply
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        labels = {"body": _("Your reply")}
        error_messages = {
            "body": {
                "required": _("Write something before sending your reply."),
                "max_length": with_limit(
                    _("Keep your reply under %(limit)s characters."), REPLY_MAX
                ),
            }
        }

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before sending your reply."))
        return body


class ResolveForm(forms.Form):
    """Mark an ask resolved, thanking the replies that helped."""

    replies = IdsChoiceField(
        queryset=Reply.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Thank the replies that helped"),
        error_messages={"invalid_choice": _("Choose replies from this thread.")},
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("A note with your thanks (optional)"),
        error_messages={
            "max_length": with_limit(_("Keep the note under %(limit)s characters."), NOTE_MAX)
        },
    )

    def __init__(self, *args, thankable, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replies"].queryset = thankable
        self.fields["replies"].label_from_instance = lambda reply: (
            f"{reply.author.name if reply.author else _('A former member')}: "
            + (reply.body[:80] + ("…" if len(reply.body) > 80 else ""))
        )


class BoardFilterForm(forms.Form):
    """The board's filters. Bad values are ignored rather than shown as errors."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Open and resolved")), *PostStatus.choices],
        required=False,
    )


def _member_field(label: str, required: str) -> IdChoiceField:
    """One of the two members an introduction is for; ``required`` says which is missing."""
    return IdChoiceField(
        queryset=User.objects.none(),
        label=label,
        empty_label=_("Choose a member"),
        error_messages={
            "required": required,
            "invalid_choice": _("Choose a member of this circle."),
        },
    )


def _note_field(label: str, required: str) -> forms.CharField:
    """The introducer's note for one of the two."""
    return forms.CharField(
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=label,
        help_text=_("Why they should meet. Markdown works."),
        error_messages={
            "required": required,
            "max_length": with_limit(_("Keep the note under %(limit)s characters."), NOTE_MAX),
        },
    )


class IntroductionForm(forms.Form):
    """Introduce two members of this circle to each other, with a note for each."""

    person_a = _member_field(_("Introduce"), _("Choose the first member to introduce."))
    note_for_a = _note_field(
        _("Your note for the first member"),
        _("Write a short note for the first member: why should they meet?"),
    )
    person_b = _member_field(_("To"), _("Choose the second member to introduce."))
    note_for_b = _note_field(
        _("Your note for the second member"),
        _("Write a short note for the second member: why should they meet?"),
    )

    def __init__(self, *args, circle, introducer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = (
            User.objects.filter(memberships__circle=circle, memberships__status=Status.ACTIVE)
            .exclude(pk=introducer.pk)
            .order_by("display_name", "email")
        )
        for name in ("person_a", "person_b"):
            self.fields[name].queryset = members
            self.fields[name].label_from_instance = lambda user: user.name

    def clean(self) -> dict:
        cleaned = super().clean()
        a, b = cleaned.get("person_a"), cleaned.get("person_b")
        if a is not None and b is not None and a.pk == b.pk:
            self.add_error("person_b", _("Choose two different members."))
        return cleaned
