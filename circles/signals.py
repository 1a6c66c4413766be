"""What happens in a circle that the apps above circles act on.

Circles builds on members alone: it never imports meetings or notifications.
Its services send these signals where something happened, synchronously and
inside their own transaction, and the apps above connect receivers in their
``AppConfig.ready()``: meetings (meetings/receivers.py) keeps the circle's
meetings in line, notifications (notifications/receivers.py) rings the bell.
What a receiver writes commits or rolls back with the event, and a receiver
that raises rolls the event back (``send``, never ``send_robust``).

Every signal is sent with ``sender=Circle`` (or the model the event is about)
and the keyword arguments named beside it.
"""

from __future__ import annotations

from django.dispatch import Signal

# circle: a new circle, with its first host; its meetings are to exist at once.
circle_created = Signal()
# circle: a field that decides when it meets changed (circles.schedule.SCHEDULE_FIELDS).
schedule_changed = Signal()
# circle: the seat limit went up, so waitlists may move up.
seats_added = Signal()
# circle, user: an active member left or was removed; their upcoming seats go free.
member_departed = Signal()
# membership, approved_by: a host approved a join request.
join_approved = Signal()
# invitation: a new invitation (not a resend of a pending one).
invitation_created = Signal()
