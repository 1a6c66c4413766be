"""How allauth treats our people: the first sign-in leads to the profile, once."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

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


def WELCOME_URL() -> str:  # noqa: N802 - reads as the constant it stands for
    return reverse("members:profile_edit") + "?welcome=1"
