from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top floor: the pages and commands that gather every app (docs/ARCHITECTURE.md)."""

    name = "home"
    verbose_name = _("Home")
