from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top floor: the pages and commands that gather every app (docs/ARCHITECTURE.md)."""

    name = "home"
    verbose_name = "Home"
