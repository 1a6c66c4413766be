from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        """Keep a thread poll's cached "nothing new" honest (conversations/live.py).

        These only bump counters in the cache; no database write hangs off a signal.
        """
        from django.db.models.signals import post_delete, post_save

        from circles.models import Membership
        from conversations import live
        from conversations.models import Post, Reply
        from members.models import User

        def post_changed(sender: type, instance: Post, **kwargs: object) -> None:
            live.thread_changed(instance.pk)

        def reply_changed(sender: type, instance: Reply, **kwargs: object) -> None:
            live.thread_changed(instance.post_id)

        def membership_changed(sender: type, instance: Membership, **kwargs: object) -> None:
            live.access_changed(instance.user_id)

        def person_changed(sender: type, instance: User, **kwargs: object) -> None:
            # Staff read every circle: losing is_staff (or the account) ends that too.
            live.access_changed(instance.pk)

        for model, receiver in (
            (Post, post_changed),
            (Reply, reply_changed),
            (Membership, membership_changed),
            (User, person_changed),
        ):
            for signal in (post_save, post_delete):
                # weak=False: these are local functions, nothing else holds them. With
                # DEBUG on, Django's argument check caches them, which hid that they
                # were collected, and so never called, in production.
                signal.connect(
                    receiver, sender=model, weak=False, dispatch_uid=f"live-{model.__name__}"
                )
