from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from members.backends import forget_user_when_changed
        from members.models import User

        post_save.connect(forget_user_when_changed, sender=User, dispatch_uid="forget-user-save")
        post_delete.connect(forget_user_when_changed, sender=User, dispatch_uid="forget-user-del")
