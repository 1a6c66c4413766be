"""How allauth treats our people: the first sign-in leads to the profile, once; their
account emails come in their own language."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from members.language import supported
from members.models import User
from members.services import profile_prompt_claim


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """The first sign-in (with no ``next`` to honour) goes to the profile form, once.

        allauth asks this only when no ``next`` URL was given, so an invitation
        link still lands the person in the circle it invites them to.
        """
        if profile_prompt_claim(user=request.user):
            return WELCOME_URL()
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        """Where a new person lands once their address is confirmed: the profile form.

        allauth carries this through the email confirmation that completes the
        sign-up, so the prompt is claimed here, at the sign-up itself.
        """
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile_prompt_claim(user=user)
        return WELCOME_URL()

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (confirm your address, reset your password…) in the language
        of the account they are about when its owner chose one, else in this request's."""
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        language = supported(getattr(user, "language", "")) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)


def WELCOME_URL() -> str:  # noqa: N802 - reads as the constant it stands for
    return reverse("members:profile_edit") + "?welcome=1"
